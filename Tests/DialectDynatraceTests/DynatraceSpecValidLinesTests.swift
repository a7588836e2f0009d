import BasinModel
import DialectDynatrace
import Testing

/// Spec §7.1 (valid lines) and §7.3 (what conforming clients send), one row per vector.
/// `N` in the expectations is ``testNowMillis``: lines without a timestamp are stored at it.
@Suite("Dynatrace lines: spec vectors that are accepted")
struct DynatraceSpecValidLinesTests {
    static let n = testNowMillis

    /// (spec vector, body, samples as rendered, warnings as `line: text`).
    static let accepted: [(vector: String, body: String, samples: [String], warnings: [String])] = [
        ("7.1 #1 bare value with a dt.entity dimension",
         "cpu.temperature,dt.entity.host=HOST-06F288EE2A930951,cpu=1 55",
         [#"{__name__="cpu.temperature", cpu="1", dt.entity.host="HOST-06F288EE2A930951"} gauge \#(n) 55.0"#], []),
        ("7.1 #2 explicit timestamp in the window",
         "mymetric,team=teamA,businessapp=hr 1000 \(n - 60_000)",
         [#"{__name__="mymetric", businessapp="hr", team="teamA"} gauge \#(n - 60_000) 1000.0"#], []),
        ("7.1 #3 gauge,<n>",
         "cpu.temperature,hostname=hostA,cpu=1 gauge,45",
         [#"{__name__="cpu.temperature", cpu="1", hostname="hostA"} gauge \#(n) 45.0"#], []),
        ("7.1 #4 summary stored as avg, :min, :max, :sum, :count",
         "cpu.temperature,hostname=hostA,cpu=1 gauge,min=17.1,max=17.3,sum=34.4,count=2",
         [#"{__name__="cpu.temperature", cpu="1", hostname="hostA"} summary \#(n) 17.2"#,
          #"{__name__="cpu.temperature:count", cpu="1", hostname="hostA"} summary \#(n) 2.0"#,
          #"{__name__="cpu.temperature:max", cpu="1", hostname="hostA"} summary \#(n) 17.3"#,
          #"{__name__="cpu.temperature:min", cpu="1", hostname="hostA"} summary \#(n) 17.1"#,
          #"{__name__="cpu.temperature:sum", cpu="1", hostname="hostA"} summary \#(n) 34.4"#], []),
        ("7.1 #5 count key gets .count with a warning",
         "new_user_count,region=EAST count,delta=50",
         [#"{__name__="new_user_count.count", region="EAST"} count \#(n) 50.0"#],
         ["1: metric key 'new_user_count' changed to 'new_user_count.count'"]),
        ("7.1 #6 count key already ending in .count",
         "executor.completed.count count,delta=3",
         [#"{__name__="executor.completed.count"} count \#(n) 3.0"#], []),
        ("7.1 #7 gauge key ending in .count gets .gauge",
         "jvm.buffer.count gauge,4",
         [#"{__name__="jvm.buffer.count.gauge"} gauge \#(n) 4.0"#],
         ["1: metric key 'jvm.buffer.count' changed to 'jvm.buffer.count.gauge'"]),
        ("7.1 #8 quoted values with escapes",
         #"workHours,team="devops\\bugfixing",project="\"product\"_improvement" 1000"#,
         [#"{__name__="workHours", project="\"product\"_improvement", team="devops\\bugfixing"} gauge \#(n) 1000.0"#], []),
        ("7.1 #9 unquoted values with backslash escapes",
         #"my.metric,dim=a\ b,other=x\,y\=z 1"#,
         [#"{__name__="my.metric", dim="a b", other="x,y=z"} gauge \#(n) 1.0"#], []),
        ("7.1 #10 repeated dimension key keeps the first value",
         #"m.key,ipaddress="192.168.100.1",ipaddress="10.0.0.1" 1"#,
         [#"{__name__="m.key", ipaddress="192.168.100.1"} gauge \#(n) 1.0"#], []),
        ("7.1 #11 Java MetricBuilderTest payloads",
         "name gauge,1.23\nname count,delta=1.23\nname gauge,min=1.23,max=10.34,sum=20.45,count=7",
         [#"{__name__="name"} gauge \#(n) 1.23"#,
          #"{__name__="name"} summary \#(n) \#(20.45 / 7)"#,
          #"{__name__="name.count"} count \#(n) 1.23"#,
          #"{__name__="name:count"} summary \#(n) 7.0"#,
          #"{__name__="name:max"} summary \#(n) 10.34"#,
          #"{__name__="name:min"} summary \#(n) 1.23"#,
          #"{__name__="name:sum"} summary \#(n) 20.45"#],
         ["2: metric key 'name' changed to 'name.count'"]),
        ("7.1 #12 count with a timestamp in the window",
         "prefix.name count,delta=1 \(n - 123)",
         [#"{__name__="prefix.name.count"} count \#(n - 123) 1.0"#],
         ["1: metric key 'prefix.name' changed to 'prefix.name.count'"]),
        ("7.1 #13 Java and Go exponent forms",
         "v.big gauge,1.234567000000123E12\nv.small gauge,1.0e-16",
         [#"{__name__="v.big"} gauge \#(n) 1234567000000.123"#,
          #"{__name__="v.small"} gauge \#(n) 1e-16"#], []),
        ("7.1 #14 negative delta",
         "d.neg count,delta=-10.123",
         [#"{__name__="d.neg.count"} count \#(n) -10.123"#],
         ["1: metric key 'd.neg' changed to 'd.neg.count'"]),
        ("7.1 #15 empty summary: four statistics, no average",
         "g.zero gauge,min=0,max=0,sum=0,count=0",
         [#"{__name__="g.zero:count"} summary \#(n) 0.0"#,
          #"{__name__="g.zero:max"} summary \#(n) 0.0"#,
          #"{__name__="g.zero:min"} summary \#(n) 0.0"#,
          #"{__name__="g.zero:sum"} summary \#(n) 0.0"#], []),
        ("7.1 #18 trailing newline", "a.b gauge,1\n", [#"{__name__="a.b"} gauge \#(n) 1.0"#], []),
        ("7.1 #19 CRLF line ends", "a.b gauge,1\r\nc.d gauge,2\r\n",
         [#"{__name__="a.b"} gauge \#(n) 1.0"#, #"{__name__="c.d"} gauge \#(n) 2.0"#], []),
        ("7.2 #24 digit-leading later section (lenient, as the clients)",
         "system.load.average.1m 2.33154",
         [#"{__name__="system.load.average.1m"} gauge \#(n) 2.33154"#], []),
        ("7.3 #46 normalized metric keys",
         "_case gauge,1\ncase_ gauge,2\na.b gauge,3\na gauge,4\nm_tric gauge,5",
         [#"{__name__="_case"} gauge \#(n) 1.0"#, #"{__name__="a"} gauge \#(n) 4.0"#,
          #"{__name__="a.b"} gauge \#(n) 3.0"#, #"{__name__="case_"} gauge \#(n) 2.0"#,
          #"{__name__="m_tric"} gauge \#(n) 5.0"#], []),
        ("7.3 #47 a.0b.c passes unchanged", "a.0b.c gauge,1", [#"{__name__="a.0b.c"} gauge \#(n) 1.0"#], []),
        ("7.3 #48 normalized dimension keys",
         "m,dim=1,dim:dim=2,_dim=3,a_b=4,dim._dim=5 1",
         [#"{__name__="m", _dim="3", a_b="4", dim="1", dim._dim="5", dim:dim="2"} gauge \#(n) 1.0"#], []),
        ("7.3 #49 normalized dimension values",
         #"m,c=_a_,s=a\ b,q=key\=\"value\",e= 1"#,
         [#"{__name__="m", c="_a_", q="key=\"value\"", s="a b"} gauge \#(n) 1.0"#], []),
        ("7.3 #50 Go number formats",
         "g.a gauge,1.0e+10\ng.b gauge,0\ng.c gauge,300.123456789",
         [#"{__name__="g.a"} gauge \#(n) 10000000000.0"#, #"{__name__="g.b"} gauge \#(n) 0.0"#,
          #"{__name__="g.c"} gauge \#(n) 300.123456789"#], []),
        ("Python number formats (1e-05, %.8e, signs)",
         "p.a gauge,1e-05\np.b gauge,1.00000000e-16\np.c gauge,+2\np.d gauge,-2.5E+3",
         [#"{__name__="p.a"} gauge \#(n) 1e-05"#, #"{__name__="p.b"} gauge \#(n) 1e-16"#,
          #"{__name__="p.c"} gauge \#(n) 2.0"#, #"{__name__="p.d"} gauge \#(n) -2500.0"#], []),
        ("runs of blanks between the parts, tabs, blank lines in between",
         "a.b  gauge,1 \t \(n)\n\n   \nc.d\tgauge,2",
         [#"{__name__="a.b"} gauge \#(n) 1.0"#, #"{__name__="c.d"} gauge \#(n) 2.0"#], []),
    ]

    @Test("accepts each vector with the expected samples and warnings", arguments: accepted)
    func accepts(vector: String, body: String, samples: [String], warnings: [String]) throws {
        let (batch, result) = try parseLines(body).get()
        #expect(result.linesInvalid == 0, "\(vector): \(result.invalidLines)")
        #expect(DynatraceRendering.samples(batch) == samples, "\(vector)")
        #expect(result.warnings.map { "\($0.line): \($0.message)" } == warnings, "\(vector)")
        #expect(result.samplesAccepted == batch.sampleCount)
    }

    @Test("7.3 #46 a 250-character key and #48 a 100-character dimension key are accepted")
    func longestKeys() throws {
        let key = String(repeating: "a", count: 250), dimension = String(repeating: "a", count: 100)
        let (batch, result) = try parseLines("\(key),\(dimension)=v gauge,1").get()
        #expect(result.linesOk == 1)
        #expect(batch.series.first?.metricName == key)
        #expect(batch.series.first?[dimension] == "v")
    }

    @Test("7.3 #49 a value of 125 escaped '=' (250 characters as sent) is accepted")
    func escapedEquals() throws {
        let (batch, _) = try parseLines("m,k=\(String(repeating: #"\="#, count: 125)) 1").get()
        #expect(batch.series.first?["k"] == String(repeating: "=", count: 125))
    }

    @Test("7.1 #16 and 7.3 #51: metadata lines count as OK and carry unit, description and display name")
    func metadata() throws {
        let body = #"""
        #cpu.temperature gauge dt.meta.unit=count,dt.meta.description="The temperature of the CPU",dt.meta.displayname="CPU temperature"
        #my.metric gauge dt.meta.description="multiline\ndescription",dt.meta.displayName="escape display name"
        #requests count dt.meta.unit=Count
        #cpu.temperature gauge dt.meta.unit=ignored
        """#
        let (batch, result) = try parseLines(body).get()
        #expect(result.linesOk == 4)
        #expect(batch.isEmpty)
        #expect(result.metadata == [
            DynatraceMetricMetadata(metricName: "cpu.temperature", unit: "count", description: "The temperature of the CPU", displayName: "CPU temperature"),
            DynatraceMetricMetadata(metricName: "my.metric", description: "multiline\ndescription", displayName: "escape display name"),
            DynatraceMetricMetadata(metricName: "requests.count", unit: "Count"),
        ])
    }

    @Test("7.1 #17 a metadata line and a data line are two OK lines")
    func metadataThenData() throws {
        let (batch, result) = try parseLines("#prefix.name gauge dt.meta.unit=unit\nprefix.name gauge,3").get()
        #expect(result.linesOk == 2)
        #expect(batch.sampleCount == 1)
        #expect(result.metadata == [DynatraceMetricMetadata(metricName: "prefix.name", unit: "unit")])
    }

    @Test("7.1 #20 1001 lines in one body are all accepted")
    func thousandAndOneLines() throws {
        let body = (0..<1001).map { "many.lines,i=\($0) gauge,\($0)" }.joined(separator: "\n")
        let (batch, result) = try parseLines(body).get()
        #expect(result.linesOk == 1001)
        #expect(batch.sampleCount == 1001)
    }

    @Test("the window edges are inclusive")
    func windowEdges() throws {
        let body = "a.b 1 \(Self.n - 3_600_000)\na.b 2 \(Self.n + 600_000)"
        let (_, result) = try parseLines(body).get()
        #expect(result.linesOk == 2)
    }
}
