import BasinModel
import BasinTestKit
import BasinWire
import NIOCore
import Testing

@testable import DialectDatadog

@Suite("DatadogIntakeExtras logs and Agent intake decoders")
struct DatadogIntakeExtrasLogTests {
    static let now: Int64 = 1_800_000_000_000

    func tags(_ record: Record) -> [String] {
        guard case .array(let values)? = record[field: "tags"] else { return [] }
        return values.compactMap { if case .string(let s) = $0 { s } else { nil } }
    }

    @Test("§7.33 a recorded v2 log gets tags from ddtags, source, host and service")
    func recordedLog() throws {
        let body = #"[{"ddsource":"nginx","ddtags":"env:staging,version:5.1","hostname":"i-012345678","message":"2019-11-19T14:37:58,995 INFO [process.name][20081] Hello World","service":"payment","status":"info"}]"#
        let records = try decoded(body) { (raw) throws(WireError) in try DatadogLogDecoder(nowMillis: Self.now).decodeJSON(raw) }.get()
        #expect(records.count == 1)
        #expect(Set(tags(records[0])) == ["env:staging", "version:5.1", "source:nginx", "host:i-012345678", "service:payment"])
        #expect(records[0][field: "status"] == .string("info"))
        #expect(records[0].timeNanos == Self.now * 1_000_000)
    }

    @Test("§7.34 a v1 input body decodes", arguments: [#"[{"ddtags":"host:X","message":"Test"}]"#, #"{"message":"Test","ddtags":"host:X"}"#])
    func legacyInput(_ body: String) throws {
        let records = try decoded(body) { (raw) throws(WireError) in try DatadogLogDecoder(nowMillis: Self.now).decodeJSON(raw) }.get()
        #expect(records.count == 1)
        #expect(tags(records[0]) == ["host:X"])
    }

    @Test("Timestamps: milliseconds, seconds, digit strings and RFC 3339", arguments: [
        (#"1700000000123"#, Int64(1_700_000_000_123_000_000)),
        (#"1700000000"#, 1_700_000_000_000_000_000),
        (#""1700000000123""#, 1_700_000_000_123_000_000),
        (#""2023-11-14T22:13:20.5Z""#, 1_700_000_000_500_000_000),
        (#""2023-11-14T23:13:20+01:00""#, 1_700_000_000_000_000_000),
    ])
    func timestamps(_ json: String, _ nanos: Int64) throws {
        let records = try decoded(#"{"message":"m","timestamp":\#(json)}"#) { (raw) throws(WireError) in
            try DatadogLogDecoder(nowMillis: Self.now).decodeJSON(raw)
        }.get()
        #expect(records.first?.timeNanos == nanos)
    }

    @Test("Text bodies give one log per line with the URL attributes")
    func textLines() throws {
        let decoder = DatadogLogDecoder(attributes: DatadogLogAttributes(ddtags: "env:prod", ddsource: "app", service: "api", hostname: "h"), nowMillis: Self.now)
        let records = try decoder.decodeText(ByteBuffer(string: "one\r\n\ntwo\n"))
        #expect(records.map { $0[field: "message"] } == [.string("one"), .string("two")])
        #expect(Set(tags(records[0])) == ["env:prod", "source:app", "host:h", "service:api"])
    }

    @Test("More than maxLogsPerRequest entries is refused naming the limit")
    func tooMany() {
        var limits = DatadogRecordLimits()
        limits.maxLogsPerRequest = 2
        let result = decoded(#"[{"message":"a"},{"message":"b"},{"message":"c"}]"#) { (raw) throws(WireError) in
            try DatadogLogDecoder(limits: limits, nowMillis: Self.now).decodeJSON(raw)
        }
        guard case .failure(let error) = result else { Issue.record("accepted"); return }
        #expect(error.message.contains("maxLogsPerRequest"))
    }

    @Test("A message over the per-log limit is truncated, not refused")
    func truncates() throws {
        var limits = DatadogRecordLimits()
        limits.maxLogMessageBytes = 4
        let records = try decoded(#"{"message":"abcdé"}"#) { (raw) throws(WireError) in
            try DatadogLogDecoder(limits: limits, nowMillis: Self.now).decodeJSON(raw)
        }.get()
        #expect(records.first?[field: "message"] == .string("abcd"))
    }

    @Test("Invalid log bodies are refused", arguments: ["", "[1]", "\"x\"", "[{\"message\":}]"])
    func refused(_ body: String) {
        if case .success = decoded(body, { (raw) throws(WireError) in try DatadogLogDecoder(nowMillis: Self.now).decodeJSON(raw) }) {
            Issue.record("accepted \(body)")
        }
    }

    @Test("Agent /intake/ events map msg_title, msg_text, timestamp and the source group")
    func agentIntake() throws {
        let body = #"{"apiKey":"k","internalHostname":"h","events":{"nagios":[{"msg_title":"T","msg_text":"x","timestamp":1700000000,"priority":"low","host":"h","tags":["a:b"],"alert_type":"error","aggregation_key":"k"}],"api":[{"msg_title":"","msg_text":"skipped"}]},"host-tags":{"system":["role:db"]},"gohai":"{}"}"#
        let events = try decoded(body) { (raw) throws(WireError) in try DatadogAgentIntakeDecoder().decodeEvents(raw) }.get()
        #expect(events == [DatadogEvent(title: "T", text: "x", dateHappenedSeconds: 1_700_000_000, priority: "low", host: "h", tags: ["a:b"],
                                        alertType: "error", aggregationKey: "k", sourceTypeName: "nagios")])
    }
}

@Suite("DatadogIntakeExtras decoders on random bytes")
struct DatadogIntakeExtrasPropertyTests {
    /// Random bytes and mutated valid bodies; the decoders must return or throw, never trap.
    static func inputs(seed: UInt64) -> [[UInt8]] {
        var generator = SeededGenerator(seed: seed)
        let seeds = [
            #"[{"check":"app.ok","host_name":"host","status":0,"tags":["test:x"]}]"#,
            #"{"title":"T","text":"x","tags":["a:b"],"date_happened":1700000000,"priority":"low"}"#,
            #"{"series":[{"metric":"d","points":[[1700000000,[1.0,2.0]]],"tags":["a:b"]}]}"#,
            #"[{"message":"m","ddtags":"a:b","timestamp":"2023-11-14T22:13:20Z","nested":{"a":[1,2.5,true,null]}}]"#,
            #"{"events":{"api":[{"msg_title":"T","msg_text":"x"}]}}"#,
        ].map { Array($0.utf8) }
        var out: [[UInt8]] = []
        for _ in 0..<300 {
            let count = Int.random(in: 0..<64, using: &generator)
            out.append((0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) })
            var mutated = seeds[Int.random(in: 0..<seeds.count, using: &generator)]
            for _ in 0..<Int.random(in: 1...4, using: &generator) where !mutated.isEmpty {
                let at = Int.random(in: 0..<mutated.count, using: &generator)
                switch Int.random(in: 0..<3, using: &generator) {
                case 0: mutated[at] = UInt8.random(in: 0...255, using: &generator)
                case 1: mutated.remove(at: at)
                default: mutated.removeSubrange(at...)
                }
            }
            out.append(mutated)
        }
        return out
    }

    @Test("Random and mutated bodies never crash any decoder", arguments: [UInt64(0xDD01), 0xDD02, 0xDD03])
    func neverCrashes(seed: UInt64) {
        print("DatadogIntakeExtrasPropertyTests seed \(seed)")
        for bytes in Self.inputs(seed: seed) {
            bytes.withUnsafeBytes { raw in
                _ = try? DatadogServiceCheckDecoder().decode(raw)
                _ = try? DatadogEventDecoder().decode(raw)
                var batch = MetricBatch()
                _ = try? DatadogDistributionDecoder(options: DatadogIntakeOptions(nowMillis: 1)).decode(raw, into: &batch)
                _ = try? DatadogLogDecoder(nowMillis: 1).decodeJSON(raw)
                _ = try? DatadogAgentIntakeDecoder().decodeEvents(raw)
            }
            _ = try? DatadogLogDecoder(nowMillis: 1).decodeText(ByteBuffer(bytes: bytes))
        }
    }
}
