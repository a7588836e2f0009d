import BasinModel
import BasinWire
import Testing

@testable import DialectSignalFx

/// The parsing rules of spec §3.1 and the invalid-point policy of §3.5: per-point problems are
/// dropped and counted, the rest of the body kept.
@Suite struct SignalFxDatapointPolicyTests {
    typealias S = SignalFxTestSupport

    @Test("Type keys match case-insensitively")
    func typeKeysIgnoreCase() throws {
        let batch = try S.decodeDatapoints(#"{"GAUGE":[{"metric":"a","value":1}],"Cumulative_Counter":[{"metric":"b","value":2}]}"#)
        #expect(S.render(batch.metrics) == [S.render(kind: .gauge, metric: "a", value: 1), S.render(kind: .counter, metric: "b", value: 2)])
    }

    @Test("JSON values: numbers, numeric strings; other types drop the point", arguments: [
        (#""12.5""#, 12.5 as Double?), ("-3", -3), ("1e3", 1000), (#""abc""#, nil), ("true", nil), ("null", nil), (#"{"x":1}"#, nil), ("[1]", nil),
    ])
    func jsonValues(_ literal: String, _ expected: Double?) throws {
        let batch = try S.decodeDatapoints(#"{"gauge":[{"metric":"m","value":\#(literal)},{"metric":"ok","value":1}]}"#)
        var lines = [S.render(kind: .gauge, metric: "ok", value: 1)]
        if let expected { lines.insert(S.render(kind: .gauge, metric: "m", value: expected), at: 0) }
        #expect(S.render(batch.metrics) == lines)
        #expect(batch.droppedCount == (expected == nil ? 1 : 0))
    }

    @Test("JSON timestamps: integral floats accepted, fractions truncated, null/0/negative mean now", arguments: [
        ("1557225030000", 1_557_225_030_000 as Int64), ("1.557225030e12", 1_557_225_030_000), ("1557225030000.9", 1_557_225_030_000),
        ("null", S.nowMillis), ("0", S.nowMillis), ("-5", S.nowMillis),
    ])
    func jsonTimestamps(_ literal: String, _ expected: Int64) throws {
        let batch = try S.decodeDatapoints(#"{"gauge":[{"metric":"m","value":1,"timestamp":\#(literal)}]}"#)
        #expect(batch.metrics.timestampsMillis == [expected])
    }

    @Test("JSON dimensions: dots kept, numbers and booleans stringified, null and empty values left out")
    func jsonDimensions() throws {
        let batch = try S.decodeDatapoints(
            #"{"gauge":[{"dimensions":{"k8s.pod.name":"p-1","port":8080,"tls":true,"gone":null,"empty":""},"metric":"m","value":1}]}"#)
        #expect(S.render(batch.metrics) == [S.render(kind: .gauge, metric: "m", [("k8s.pod.name", "p-1"), ("port", "8080"), ("tls", "true")], value: 1)])
    }

    @Test("Escaped keys and values survive the scanner's scratch buffer")
    func escapedStrings() throws {
        let batch = try S.decodeDatapoints(#"{"gauge":[{"metric":"a\u002eb","dimensions":{"k\u0031":"v\"1","k2":"v\n2"},"value":1}]}"#)
        #expect(S.render(batch.metrics) == [S.render(kind: .gauge, metric: "a.b", [("k1", "v\"1"), ("k2", "v\n2")], value: 1)])
    }

    @Test("Points breaking a limit are dropped and counted by reason", arguments: [
        (#"{"metric":"","value":1}"#, SignalFxDropReason.invalidMetric),
        (#"{"value":1}"#, .missingMetric),
        (#"{"metric":5,"value":1}"#, .invalidMetric),
        (#"{"metric":"\#(String(repeating: "x", count: 257))","value":1}"#, .invalidMetric),
        (#"{"metric":"m"}"#, .missingValue),
        (#"{"metric":"m","value":1,"timestamp":"now"}"#, .invalidTimestamp),
        (#"{"metric":"m","value":1,"timestamp":9223372036854775807}"#, .invalidTimestamp),
        (#"{"metric":"m","value":1,"dimensions":{"k":"\#(String(repeating: "v", count: 257))"}}"#, .invalidDimension),
        (#"{"metric":"m","value":1,"dimensions":{"\#(String(repeating: "k", count: 129))":"v"}}"#, .invalidDimension),
        (#"{"metric":"m","value":1,"dimensions":{"__name__":"x"}}"#, .invalidDimension),
        (#"{"metric":"m","value":1,"dimensions":{"":"x"}}"#, .invalidDimension),
        (#"{"metric":"m","value":1,"dimensions":{"k":{"a":1}}}"#, .invalidDimension),
        (#"{"metric":"m","value":1,"dimensions":[]}"#, .invalidDimension),
        (#"{"metric":"m","value":1,"dimensions":{\#((0..<37).map { "\"d\($0)\":\"v\"" }.joined(separator: ","))}}"#, .tooManyDimensions),
    ])
    func invalidPointsDropped(_ point: String, _ reason: SignalFxDropReason) throws {
        let batch = try S.decodeDatapoints(#"{"gauge":[\#(point),{"metric":"ok","value":2}]}"#)
        #expect(S.render(batch.metrics) == [S.render(kind: .gauge, metric: "ok", value: 2)])
        #expect(batch.dropped == [reason: 1])
    }

    @Test("Thirty-six dimensions are allowed")
    func thirtySixDimensions() throws {
        let dims = (0..<36).map { "\"d\($0)\":\"v\"" }.joined(separator: ",")
        let batch = try S.decodeDatapoints(#"{"gauge":[{"metric":"m","value":1,"dimensions":{\#(dims)}}]}"#)
        #expect(batch.acceptedCount == 1)
        #expect(batch.metrics.series.first?.count == 37)
    }

    @Test("Server limits lower SignalFx's")
    func serverLimitsApply() throws {
        let limits = SignalFxIntakeLimits(serverMaxLabels: 3, serverMaxLabelNameBytes: 4, serverMaxLabelValueBytes: 5, serverMaxMetricNameBytes: 6)
        #expect(limits.maxDimensions == 2 && limits.maxDimensionKeyBytes == 4 && limits.maxDimensionValueBytes == 5 && limits.maxMetricNameBytes == 6)
        let body = #"{"gauge":[{"metric":"abcdefg","value":1},{"metric":"m","value":1,"dimensions":{"a":"1","b":"2","c":"3"}},{"metric":"m","value":1,"dimensions":{"a":"123456"}},{"metric":"m","value":1,"dimensions":{"a":"1","b":"2"}}]}"#
        let batch = try S.decodeDatapoints(Array(body.utf8), protobuf: false, limits: limits)
        #expect(batch.acceptedCount == 1)
        #expect(batch.dropped == [.invalidMetric: 1, .tooManyDimensions: 1, .invalidDimension: 1])
    }

    @Test("Protobuf: source becomes sf_source, NaN drops, unknown fields and wire-type mismatches are skipped")
    func protobufDetails() throws {
        var odd = TestProtobufEncoder()
        odd.string(2, "odd")
        odd.bytes(4, TestProtobufEncoder.datum(.int(9)))
        odd.varint(99, 1)  // unknown field
        odd.string(5, "x")  // metricType with the wrong wire type: skipped, so gauge
        odd.double(3, 1.0)  // timestamp with the wrong wire type: skipped, so now
        let body = TestProtobufEncoder.upload([
            TestProtobufEncoder.datapoint(metric: "s", value: .int(1), source: "web"),
            TestProtobufEncoder.datapoint(metric: "nan", value: .double(.nan)),
            TestProtobufEncoder.datapoint(metric: "str", value: .string("2.5"), type: 1),
            TestProtobufEncoder.datapoint(metric: "bad", value: .string("x")),
            TestProtobufEncoder.datapoint(metric: "t", value: .int(3), type: 7),
            TestProtobufEncoder.datapoint(metric: nil, value: .int(3)),
            odd.bytes,
        ])
        let batch = try S.decodeDatapoints(body, protobuf: true)
        #expect(S.render(batch.metrics) == [
            S.render(kind: .gauge, metric: "s", [("sf_source", "web")], value: 1),
            S.render(kind: .count, metric: "str", value: 2.5),
            S.render(kind: .gauge, metric: "odd", value: 9),
        ])
        #expect(batch.dropped == [.invalidValue: 2, .unsupportedType: 1, .missingMetric: 1])
    }

    @Test("Protobuf Datum precedence is double, then int, then string; repeated values merge")
    func datumPrecedence() throws {
        var point = TestProtobufEncoder()
        point.string(2, "m")
        point.bytes(4, TestProtobufEncoder.datum(.string("1")) + TestProtobufEncoder.datum(.int(2)))
        point.bytes(4, TestProtobufEncoder.datum(.double(3)))
        let batch = try S.decodeDatapoints(TestProtobufEncoder.upload([point.bytes]), protobuf: true)
        #expect(batch.metrics.values == [3])
    }

    @Test("Protobuf strings that are not UTF-8 drop their point")
    func invalidUTF8() throws {
        var point = TestProtobufEncoder()
        point.bytes(2, [0x6D, 0xFF])
        point.bytes(4, TestProtobufEncoder.datum(.int(1)))
        let batch = try S.decodeDatapoints(TestProtobufEncoder.upload([point.bytes]), protobuf: true)
        #expect(batch.acceptedCount == 0 && batch.dropped == [.invalidMetric: 1])
    }

    @Test("Accepted metric names are collected for metadata")
    func metricNames() throws {
        let batch = try S.decodeDatapoints(#"{"gauge":[{"metric":"a","value":1},{"metric":"a","value":2},{"metric":"b","value":1},{"metric":"c"}]}"#)
        #expect(batch.metricNames == ["a", "b"])
    }
}
