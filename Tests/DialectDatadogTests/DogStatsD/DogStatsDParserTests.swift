import BasinModel
import BasinTestKit
import DialectDatadog
import Testing

/// One datagram line and what it must decode to.
struct DogStatsDVector: Sendable, CustomTestStringConvertible {
    var line: String
    var expected: DogStatsDMessage
    var testDescription: String { line }
}

@Suite("DogStatsDParser")
struct DogStatsDParserTests {
    let parser = DogStatsDParser()

    static func metric(
        _ name: String, _ type: DogStatsDMetricType, _ values: [Double] = [], member: String? = nil, rate: Double = 1,
        tags: [String] = [], t: Int64? = nil
    ) -> DogStatsDMessage {
        .metric(DogStatsDMetric(name: name, type: type, values: values, setMember: member, sampleRate: rate, tags: tags, timestampSeconds: t))
    }

    /// Spec §5.2, §7 vectors 38, 39 (accepted ones), 42, and edge cases.
    static let metricVectors: [DogStatsDVector] = [
        .init(line: "daemon:666|g", expected: metric("daemon", .gauge, [666])),
        .init(line: "daemon:666:777|g", expected: metric("daemon", .gauge, [666, 777])),
        .init(line: "custom_counter:1|c|#protocol:http,bench", expected: metric("custom_counter", .count, [1], tags: ["protocol:http", "bench"])),
        .init(line: "daemon:666|g|@0.21", expected: metric("daemon", .gauge, [666], rate: 0.21)),
        .init(line: "daemon:abc:def|s", expected: metric("daemon", .set, member: "abc:def")),
        .init(line: "daemon:3.5:4.5|d", expected: metric("daemon", .distribution, [3.5, 4.5])),
        .init(line: "metric:1234|g|#onetag|T1657100430", expected: metric("metric", .gauge, [1234], tags: ["onetag"], t: 1_657_100_430)),
        .init(line: "daemon:666|g|m:test", expected: metric("daemon", .gauge, [666])),
        .init(line: "daemon:666|g|#", expected: metric("daemon", .gauge, [666])),
        .init(line: "daemon:666|h|#t|T1657100430|@0.21", expected: metric("daemon", .histogram, [666], rate: 0.21, tags: ["t"], t: 1_657_100_430)),
        .init(line: "gt.m:7|g|#svc:web|T1700000000", expected: metric("gt.m", .gauge, [7], tags: ["svc:web"], t: 1_700_000_000)),
        .init(line: "g.m:1.5|g|#a:b,svc:web", expected: metric("g.m", .gauge, [1.5], tags: ["a:b", "svc:web"])),
        .init(line: "t.m:12|ms", expected: metric("t.m", .timer, [12])),
        .init(line: "h.m:1::2|h", expected: metric("h.m", .histogram, [1, 2])),
        .init(line: "g:-5|g", expected: metric("g", .gauge, [-5])),
        .init(line: "g:+5|g", expected: metric("g", .gauge, [5])),
        .init(line: "c:1e3|c|@0.5", expected: metric("c", .count, [1000], rate: 0.5)),
        .init(line: "c:1|c|@0", expected: metric("c", .count, [1])),
        .init(line: "c:1|c|@2", expected: metric("c", .count, [1])),
        .init(line: "c:1|c|c:container-id|e:it-false,cn-x|card:high", expected: metric("c", .count, [1])),
        .init(line: "c:1|c|#a,,b,", expected: metric("c", .count, [1], tags: ["a", "b"])),
        .init(line: "ünï.cödé:1|c|#tåg:välue", expected: metric("ünï.cödé", .count, [1], tags: ["tåg:välue"])),
        .init(line: "url:1|c|#url:http://x", expected: metric("url", .count, [1], tags: ["url:http://x"])),
        .init(line: "datadog.dogstatsd.client.metrics:3|c|#client:py,client_version:0.56.0,client_transport:udp",
              expected: metric("datadog.dogstatsd.client.metrics", .count, [3], tags: ["client:py", "client_version:0.56.0", "client_transport:udp"])),
    ]

    /// Spec §5.3, §7 vectors 40, 42.
    static let eventVectors: [DogStatsDVector] = [
        .init(line: "_e{10,9}:test title|test text|t:warning|d:12345|p:low|h:some.host|k:aggKey|s:source test|#tag1,tag2:test",
              expected: .event(DatadogEvent(
                  title: "test title", text: "test text", dateHappenedSeconds: 12345, priority: "low", host: "some.host",
                  tags: ["tag1", "tag2:test"], alertType: "warning", aggregationKey: "aggKey", sourceTypeName: "source test"))),
        .init(line: "_e{10,24}:test|title|test\\line1\\nline2\\nline3",
              expected: .event(DatadogEvent(title: "test|title", text: "test\\line1\nline2\nline3", priority: "normal", alertType: "info"))),
        .init(line: "_e{5,4}:title|text|p:urgent",
              expected: .event(DatadogEvent(title: "title", text: "text", priority: "normal", alertType: "info"))),
        .init(line: "_e{8,12}:Title é|line1\\nline2|d:1700000000|h:h1|k:k|p:low|s:src|t:error|#e:1,svc:web",
              expected: .event(DatadogEvent(
                  title: "Title é", text: "line1\nline2", dateHappenedSeconds: 1_700_000_000, priority: "low", host: "h1",
                  tags: ["e:1", "svc:web"], alertType: "error", aggregationKey: "k", sourceTypeName: "src"))),
        .init(line: "_e{5,0}:title||t:bogus|d:notanumber|c:cid|card:low",
              expected: .event(DatadogEvent(title: "title", text: "", priority: "normal", alertType: "info"))),
    ]

    /// Spec §5.4, §7 vector 41, datadogpy's escaping.
    static let serviceCheckVectors: [DogStatsDVector] = [
        .init(line: "_sc|agent.up|0|d:21|h:localhost|#tag1:test,tag2|m:this is fine",
              expected: .serviceCheck(DatadogServiceCheck(check: "agent.up", status: 0, hostName: "localhost", tags: ["tag1:test", "tag2"], timestampSeconds: 21, message: "this is fine"))),
        .init(line: "_sc|agent.up|0|u:unknown", expected: .serviceCheck(DatadogServiceCheck(check: "agent.up", status: 0))),
        .init(line: "_sc|agent.up|2|h:localhost|h:localhost2", expected: .serviceCheck(DatadogServiceCheck(check: "agent.up", status: 2, hostName: "localhost2"))),
        .init(line: "_sc|app.ok|1|m:bad\\nthing m\\:1", expected: .serviceCheck(DatadogServiceCheck(check: "app.ok", status: 1, message: "bad\nthing m:1"))),
        .init(line: "_sc|app.ok|3|#a:b|c:cid", expected: .serviceCheck(DatadogServiceCheck(check: "app.ok", status: 3, tags: ["a:b"]))),
    ]

    @Test("A valid metric line decodes to its name, type, values, rate, tags and timestamp", arguments: metricVectors)
    func metricLines(_ vector: DogStatsDVector) throws {
        #expect(try parser.parse(line: vector.line) == vector.expected)
    }

    @Test("A valid event line decodes to the same event the API would store", arguments: eventVectors)
    func eventLines(_ vector: DogStatsDVector) throws {
        #expect(try parser.parse(line: vector.line) == vector.expected)
    }

    @Test("A valid service check line decodes to the same check the API would store", arguments: serviceCheckVectors)
    func serviceCheckLines(_ vector: DogStatsDVector) throws {
        #expect(try parser.parse(line: vector.line) == vector.expected)
    }

    /// Spec §5.2–5.4, §7 vectors 39–41 (rejected ones), and edge cases.
    static let rejected: [String] = [
        "daemon:666", "daemon:666|", "daemon:|g", ":666|g", "abc666|g", "daemon:abc|g", "daemon:666|unknown",
        "daemon:666|g|@abc", "daemon:666|g|T0", "daemon:666|g|Tabc", "daemon:666|g|T-5", "daemon:NaN|g", "daemon:inf|g",
        "daemon:::|c", "daemon:1|", "daemon:1|G",
        "_e{0,9}:|test text", "_e{10,10}:title|text", "_e{5,4}:title", "_e{a,4}:title|text", "_e{5,4}title|text",
        "_e{5,4:title|text", "_e{99999999999999999999,1}:x|y", "_e{5,4}:titl|text|",
        "_sc|agent.up|OK", "_sc|agent.up|21", "_sc|agent.up", "_sc", "_sc||0", "_sc|agent.up|4", "_sc|agent.up|",
    ]

    @Test("A malformed line is rejected", arguments: rejected)
    func rejectedLines(_ line: String) {
        #expect(throws: DogStatsDParseError.self) { try parser.parse(line: line) }
    }

    @Test("A packet holds newline-separated lines; empty lines are skipped and bad ones reported in place")
    func multiLinePackets() {
        let results = parser.parsePacket(Array("b.one:1|g\nb.two:2|g\n\nbad\r\nc:1|c\r\n".utf8))
        #expect(results.count == 4)
        #expect((try? results[0].get()) == Self.metric("b.one", .gauge, [1]))
        #expect((try? results[1].get()) == Self.metric("b.two", .gauge, [2]))
        #expect((try? results[2].get()) == nil)
        #expect((try? results[3].get()) == Self.metric("c", .count, [1]))
    }

    @Test("Packets over the size limit are rejected whole; names, tags and values over their limits reject the line")
    func limits() {
        var limits = DogStatsDLimits()
        limits.maxPacketBytes = 16
        limits.maxNameBytes = 4
        limits.maxTags = 2
        limits.maxTagBytes = 3
        limits.maxValuesPerLine = 2
        let small = DogStatsDParser(limits: limits)
        #expect(small.parsePacket(Array("a:1|c\na:2|c\na:3|c".utf8)).count == 1)
        #expect(throws: DogStatsDParseError.self) { try small.parse(line: "abcde:1|c") }
        #expect(throws: DogStatsDParseError.self) { try small.parse(line: "a:1|c|#a,b,c") }
        #expect(throws: DogStatsDParseError.self) { try small.parse(line: "a:1|c|#abcd") }
        #expect(throws: DogStatsDParseError.self) { try small.parse(line: "a:1:2:3|h") }
        #expect((try? small.parse(line: "abcd:1:2|h|#a,bcd")) != nil)
    }

    @Test("Random datagrams never crash the parser")
    func randomBytesNeverTrap() {
        let seed = SeededGenerator.seed("DogStatsDParser random datagrams")
        var generator = SeededGenerator(seed: seed)
        let alphabet = Array("_e{}0123456789,:|#@.Tcgmshd\\n\n-+scabé".utf8)
        for _ in 0..<20_000 {
            let count = Int.random(in: 0...96, using: &generator)
            var bytes: [UInt8] = []
            for _ in 0..<count {
                bytes.append(Bool.random(using: &generator) ? alphabet.randomElement(using: &generator)! : UInt8.random(in: 0...255, using: &generator))
            }
            if Bool.random(using: &generator) { bytes.insert(contentsOf: Array("_e{".utf8), at: 0) }
            _ = parser.parsePacket(bytes)
        }
    }
}
