import BasinModel
import BasinWire
import Testing

@testable import DialectSignalFx

/// The JSON point decoder matches the usual keys in place and reads plain names and
/// timestamps directly; every other spelling of the same point must decode alike.
@Suite("SignalFx JSON point keys")
struct SignalFxDatapointJSONKeyTests {
    static let spellings: [String] = [
        #"{"metric":"cpu.user","dimensions":{"host":"h1","az":"a"},"value":2.5,"timestamp":1700000000000}"#,
        #"{"timestamp":1700000000000,"value":2.5,"dimensions":{"az":"a","host":"h1"},"metric":"cpu.user"}"#,
        #"{ "metric" : "cpu.user" , "dimensions" : { "host" : "h1" , "az" : "a" } , "value" : 2.5 , "timestamp" : 1700000000000 }"#,
        #"{"m\u0065tric":"cpu.user","dim\u0065nsions":{"ho\u0073t":"h1","az":"a"},"valu\u0065":2.5,"tim\u0065stamp":1700000000000}"#,
        #"{"metric":"cpu\u002euser","dimensions":{"host":"h\u0031","az":"a"},"value":"2.5","timestamp":1700000000000.9}"#,
        #"{"metric":"other","properties":{"x":1},"dimensions":{"host":"h1","az":"a"},"value":2.5,"timestamp":1.7e12,"metric":"cpu.user"}"#,
    ]

    @Test("every spelling of one point gives the same sample", arguments: spellings)
    func spellingsAgree(_ point: String) throws {
        let batch = try SignalFxTestSupport.decodeDatapoints(#"{"gauge":["# + point + "]}")
        #expect(SignalFxTestSupport.render(batch.metrics) == [
            SignalFxTestSupport.render(kind: .gauge, metric: "cpu.user", [("az", "a"), ("host", "h1")], millis: 1_700_000_000_000, value: 2.5),
        ])
        #expect(batch.metricNames == ["cpu.user"])
    }

    @Test("an escaped metric name survives the string reads after it")
    func escapedMetricThenStrings() throws {
        let body = #"{"gauge":[{"metric":"m\u0065m","dimensions":{"k\u0065y":"v\u0061lue","other":"x"},"value":"7"}]}"#
        let batch = try SignalFxTestSupport.decodeDatapoints(body)
        #expect(SignalFxTestSupport.render(batch.metrics) == [
            SignalFxTestSupport.render(kind: .gauge, metric: "mem", [("key", "value"), ("other", "x")], value: 7),
        ])
    }

    @Test("timestamps: plain integers directly, everything else the general way", arguments: [
        ("1700000000000", Int64(1_700_000_000_000)), ("-5", SignalFxTestSupport.nowMillis), ("0", SignalFxTestSupport.nowMillis),
        ("null", SignalFxTestSupport.nowMillis), ("1700000000000.5", 1_700_000_000_000), ("17e11", 1_700_000_000_000),
        ("9223372036854", 9_223_372_036_854),
    ])
    func timestamps(_ json: String, _ millis: Int64) throws {
        let batch = try SignalFxTestSupport.decodeDatapoints(#"{"gauge":[{"metric":"m","value":1,"timestamp":"# + json + "}]}")
        #expect(batch.metrics.timestampsMillis == [millis])
    }
}
