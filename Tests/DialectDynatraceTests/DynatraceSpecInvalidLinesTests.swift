import BasinModel
import DialectDynatrace
import Testing

/// Spec §7.2 (invalid lines), one row per vector, and partial success (#30, #31).
@Suite("Dynatrace lines: spec vectors that are rejected")
struct DynatraceSpecInvalidLinesTests {
    static let n = testNowMillis

    /// (spec vector, line, the start of the reported error).
    static let rejected: [(vector: String, line: String, error: String)] = [
        ("7.2 #25 upper-case dimension key",
         "cache.size,cache=myCache2,cacheManager=cacheManager,name=x 1",
         "invalid dimension key in message 'cache.size,cache=myCache2,cacheM'; error at 'M'  (index 31)"),
        ("7.2 #26 unescaped spaces end the dimensions",
         "jvm.memory.max,area=nonheap,id=Compressed Class Space 1073741824",
         "invalid metric type in message 'jvm.memory.max,area=nonheap,id=Compressed Class Space 1073741824'"),
        ("7.2 #27 a 401-character dimension value",
         "m,k=\(String(repeating: "v", count: 401)) 1",
         "dimension value length exceeded: 401 > 255"),
        ("7.2 #28 average outside [min, max]",
         "x.y gauge,min=35.689672,max=35.689672,sum=35.669104,count=1",
         "inconsistent gauge fields: min <= avg <= max doesn't hold: min: 35.689672, max: 35.689672, sum: 35.669104, count: 1, avg: 35.669104, tolerance: 0.000001"),
        ("7.2 #29 count 0 with a non-zero field",
         "x.y gauge,min=0,max=1642,sum=0,count=0",
         "inconsistent gauge fields: count == 0 => min, max, sum == 0: min: 0.000000, max: 1642.000000, sum: 0.000000, count: 0"),
        ("7.2 #32 reserved dt. prefix", "dt.custom.metric gauge,1",
         "invalid metric key 'dt.custom.metric': keys starting with 'dt.' are reserved"),
        ("7.2 #33 51 dimensions",
         "m," + (0..<51).map { "d\($0)=v" }.joined(separator: ",") + " 1",
         "too many dimensions: more than 50"),
        ("7.2 #34 a line of 50,001 characters",
         "m,k=\(String(repeating: "v", count: 49_995)) 1",
         "line length exceeded: 50001 > 50000"),
        ("7.2 #35 two hours in the past", "a.b gauge,1 \(n - 7_200_000)", "timestamp out of range: \(n - 7_200_000)"),
        ("7.2 #36 thirty minutes ahead", "a.b gauge,1 \(n + 1_800_000)", "timestamp out of range: \(n + 1_800_000)"),
        ("7.2 #37 seconds instead of milliseconds", "a.b gauge,1 1616580000", "timestamp out of range: 1616580000"),
        ("7.2 #38 absolute count without delta=", "a.b count,500",
         "invalid count payload in message 'a.b count,500': expected count,delta=<number>"),
        ("7.2 #39 summary without count", "a.b gauge,min=1,max=2,sum=3",
         "a summary needs all of min, max, sum and count"),
        ("7.2 #40 NaN", "a.b gauge,NaN", "invalid number 'NaN'"),
        ("7.2 #40 Infinity", "a.b gauge,Infinity", "invalid number 'Infinity'"),
        ("7.2 #40 an overflowing number", "a.b gauge,1e999", "invalid number '1e999'"),
        ("7.2 #41 key starting with '-'", "-a.b 1", "invalid metric key"),
        ("7.2 #41 key starting with a digit", "1a.b 1", "invalid metric key"),
        ("empty key section", "a..b 1", "invalid metric key"),
        ("section starting with '-'", "a.-b 1", "invalid metric key"),
        ("trailing dot", "a. 1", "invalid metric key"),
        ("a 256-byte key", String(repeating: "k", count: 256) + " 1", "invalid metric key: length exceeded: 256 > 255"),
        ("a 101-byte dimension key", "m,\(String(repeating: "d", count: 101))=v 1", "dimension key length exceeded: 101 > 100"),
        ("no payload", "a.b", "invalid metric type in message 'a.b'"),
        ("unknown payload word", "a.b histogram,1", "invalid metric type in message 'a.b histogram,1'"),
        ("text after the timestamp", "a.b 1 \(n) extra", "unexpected text after the timestamp"),
        ("fractional timestamp", "a.b 1 \(n).5", "invalid timestamp '\(n).5'"),
        ("dimension without '='", "a.b,foo 1", "invalid dimension key in message 'a.b,foo '; error at ' '  (index 7)"),
        ("unterminated quote", #"a.b,k="open 1"#, "invalid dimension value in message 'a.b,k=\"open 1': missing closing quote"),
        ("dangling backslash", #"a.b,k=v\"#, "invalid dimension value in message 'a.b,k=v\\': dangling backslash at the end"),
        ("text right after a quoted value", #"a.b,k="v"x 1"#, "invalid dimension value in message"),
        ("dimension named __name__", "a.b,__name__=x 1", "invalid dimension key '__name__'"),
        ("repeated summary field", "a.b gauge,min=1,min=1,max=1,sum=1,count=1", "repeated summary field 'min=1'"),
        ("unknown summary field", "a.b gauge,min=1,max=1,sum=1,cnt=1", "invalid summary field 'cnt=1'"),
        ("fractional summary count", "a.b gauge,min=1,max=1,sum=1.5,count=1.5", "summary count must be a non-negative integer"),
        ("max below min", "a.b gauge,min=2,max=1,sum=3,count=2", "inconsistent gauge fields: min <= avg <= max doesn't hold"),
        ("metadata without a type", "#a.b dt.meta.unit=x", "invalid metadata line '#a.b dt.meta.unit=x': expected gauge or count"),
        ("metadata without properties", "#a.b gauge", "invalid metadata line '#a.b gauge': expected dt.meta.<property>=<value>"),
        ("metadata with a foreign property", "#a.b gauge unit=x", "invalid metadata line '#a.b gauge unit=x': expected dt.meta."),
        ("a comment is not a metadata line", "# just a comment", "invalid metric key"),
    ]

    @Test("rejects each vector with its message and stores nothing", arguments: rejected)
    func rejects(vector: String, line: String, error: String) throws {
        let (batch, result) = try parseLines(line).get()
        #expect(result.linesOk == 0, "\(vector)")
        #expect(result.linesInvalid == 1, "\(vector)")
        #expect(result.invalidLines.first?.line == 1)
        let message = result.invalidLines.first?.message ?? ""
        #expect(message.hasPrefix(error), "\(vector): \(message)")
        #expect(batch.isEmpty)
    }

    @Test("7.2 #23 an empty body, or one with only blank lines, is an empty request", arguments: ["", "\n", "\r\n \n\t\n"])
    func emptyRequest(body: String) {
        switch parseLines(body) {
        case .success: Issue.record("expected emptyRequest")
        case .failure(let error):
            #expect(error == .emptyRequest)
            #expect(error.message == "empty request")
        }
    }

    @Test("7.2 #30 one invalid line among 116: 115 stored, line 19 reported")
    func oneInvalidAmongMany() throws {
        var lines = (1...116).map { "ok.line,i=\($0) gauge,\($0)" }
        lines[18] = "x.y gauge,min=35.689672,max=35.689672,sum=35.669104,count=1"
        let (batch, result) = try parseLines(lines.joined(separator: "\n")).get()
        #expect(result.linesOk == 115)
        #expect(result.linesInvalid == 1)
        #expect(result.invalidLines.map(\.line) == [19])
        #expect(batch.sampleCount == 115)
    }

    @Test("7.2 #31 29 invalid among 192: all counted, the first 10 listed in order")
    func manyInvalid() throws {
        var lines = (1...192).map { "ok.line,i=\($0) gauge,\($0)" }
        let bad = Array(stride(from: 2, through: 192, by: 6).prefix(29))
        for index in bad { lines[index - 1] = "Bad,Key=1 1" }
        let (batch, result) = try parseLines(lines.joined(separator: "\n")).get()
        #expect(result.linesOk == 163)
        #expect(result.linesInvalid == 29)
        #expect(result.invalidLines.map(\.line) == Array(bad.prefix(10)))
        #expect(batch.sampleCount == 163)
    }

    @Test("line numbers count blank lines, as an editor shows them")
    func lineNumbersCountBlankLines() throws {
        let (_, result) = try parseLines("a.b 1\n\n\nBAD 1 x\n").get()
        #expect(result.invalidLines.map(\.line) == [4])
    }

    @Test("lower limits from the options apply")
    func customLimits() throws {
        var limits = DynatraceIngestLimits()
        limits.maxDimensions = 2
        limits.maxDimensionValueCharacters = 3
        let options = DynatraceIngestOptions(limits: limits, nowMillis: Self.n)
        let (_, result) = try parseLines("a,x=1,y=2,z=3 1\nb,k=abcd 1\nc,k=äöü 1", options: options).get()
        #expect(result.invalidLines.map(\.message) == ["too many dimensions: more than 2", "dimension value length exceeded: 4 > 3"])
        #expect(result.linesOk == 1)
    }

    @Test("invalid UTF-8 in a value rejects the line")
    func invalidUTF8() throws {
        var batch = MetricBatch()
        let body: [UInt8] = Array("m,k=".utf8) + [0xC3, 0x28] + Array(" 1\nok 1".utf8)
        let result = try DynatraceLineParser(options: DynatraceIngestOptions(nowMillis: Self.n)).parse(body, into: &batch)
        #expect(result.invalidLines.map(\.message) == ["dimension value is not valid UTF-8"])
        #expect(result.linesOk == 1)
    }
}
