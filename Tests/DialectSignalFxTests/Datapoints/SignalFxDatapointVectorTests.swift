import BasinModel
import BasinWire
import Testing

@testable import DialectSignalFx

/// The datapoint test vectors of spec §8, decoded without HTTP.
@Suite struct SignalFxDatapointVectorTests {
    typealias S = SignalFxTestSupport

    struct Vector: Sendable, CustomStringConvertible {
        let number: Int
        let body: String
        let protobuf: Bool
        let expected: [String]
        let dropped: Int
        var description: String { "vector \(number)" }
    }

    static let vectors: [Vector] = [
        Vector(number: 1, body: #"{"gauge":[{"metric":"memory.free","dimensions":{"host":"server1"},"value":42}]}"#, protobuf: false,
               expected: [S.render(kind: .gauge, metric: "memory.free", [("host", "server1")], value: 42)], dropped: 0),
        Vector(number: 2, body: #"{"gauge":[{"metric":"bob","value":3,"timestamp":1557225030000}]}"#, protobuf: false,
               expected: [S.render(kind: .gauge, metric: "bob", millis: 1_557_225_030_000, value: 3)], dropped: 0),
        Vector(number: 3, body: #"{"counter":[{"metric":"req","value":1.5}],"cumulative_counter":[{"metric":"bytes","value":1000}]}"#, protobuf: false,
               expected: [S.render(kind: .count, metric: "req", value: 1.5), S.render(kind: .counter, metric: "bytes", value: 1000)], dropped: 0),
        Vector(number: 4, body: #"{"gauge":[{"metric":"bob","value":3,"properties":{"a":1}}]}"#, protobuf: false,
               expected: [S.render(kind: .gauge, metric: "bob", value: 3)], dropped: 0),
        Vector(number: 5, body: #"{"gauge":[{"metric":"bob"}],"UNKNOWN":[{"metric":"bob"}]}"#, protobuf: false, expected: [], dropped: 2),
        Vector(number: 8, body: "0a2212086370752e69646c6518f082e18ea92d2202182a280032090a04686f7374120161", protobuf: true,
               expected: [S.render(kind: .gauge, metric: "cpu.idle", [("host", "a")], millis: 1_557_225_030_000, value: 42)], dropped: 0),
        Vector(number: 9, body: "0a1812097265712e636f756e74220911000000000000f83f2801", protobuf: true,
               expected: [S.render(kind: .count, metric: "req.count", value: 1.5)], dropped: 0),
        Vector(number: 10, body: "0a14120b62797465732e746f74616c220318e8072803", protobuf: true,
               expected: [S.render(kind: .counter, metric: "bytes.total", value: 1000)], dropped: 0),
        Vector(number: 11, body: "0a0b12076e6f76616c75652800", protobuf: true, expected: [], dropped: 1),
        Vector(number: 12, body: "0a1212036e6567220b18ffffffffffffffffff01", protobuf: true,
               expected: [S.render(kind: .gauge, metric: "neg", value: -1)], dropped: 0),
        Vector(number: 15, body: "", protobuf: true, expected: [], dropped: 0),
    ]

    @Test("Every datapoint vector of spec §8 decodes to the points it names", arguments: vectors)
    func vectorDecodes(_ vector: Vector) throws {
        let body = vector.protobuf ? S.bytes(hex: vector.body) : Array(vector.body.utf8)
        let batch = try S.decodeDatapoints(body, protobuf: vector.protobuf)
        #expect(S.render(batch.metrics) == vector.expected)
        #expect(batch.droppedCount == vector.dropped)
    }

    @Test("Vector 13: a protobuf point without metricType is a gauge")
    func absentTypeIsGauge() throws {
        let body = TestProtobufEncoder.upload([TestProtobufEncoder.datapoint(metric: "m", value: .int(7))])
        let batch = try S.decodeDatapoints(body, protobuf: true)
        #expect(S.render(batch.metrics) == [S.render(kind: .gauge, metric: "m", value: 7)])
    }

    @Test("Vector 14: a protobuf ENUM point is dropped and counted, the rest kept")
    func enumDropped() throws {
        let body = TestProtobufEncoder.upload([
            TestProtobufEncoder.datapoint(metric: "e", value: .string("up"), type: 2),
            TestProtobufEncoder.datapoint(metric: "g", value: .double(0.5), type: 0),
        ])
        let batch = try S.decodeDatapoints(body, protobuf: true)
        #expect(S.render(batch.metrics) == [S.render(kind: .gauge, metric: "g", value: 0.5)])
        #expect(batch.dropped == [.unsupportedType: 1])
    }

    @Test("Vector 6: a JSON body that is not JSON fails", arguments: ["INVALID_JSON", "{", "[]", #"{"gauge":5}"#, #"{"gauge":[1]}"#, #"{"gauge":[]} x"#])
    func invalidJSONFails(_ body: String) {
        #expect(throws: WireError.self) { try S.decodeDatapoints(body) }
    }

    @Test("Vector 7: a protobuf body that is not protobuf fails", arguments: ["INVALID_PROTOBUF", "0a05", "0aff", "0b", "08ffffffffffffffffffff01"])
    func invalidProtobufFails(_ body: String) {
        let bytes = body.hasPrefix("INVALID") ? Array(body.utf8) : S.bytes(hex: body)
        #expect(throws: WireError.self) { try S.decodeDatapoints(bytes, protobuf: true) }
    }

    @Test("Empty JSON uploads are fine", arguments: ["", "  ", "{}", #"{"gauge":[]}"#, #"{"gauge":null,"counter":[]}"#])
    func emptyJSONUploads(_ body: String) throws {
        let batch = try S.decodeDatapoints(body)
        #expect(batch.metrics.isEmpty && batch.droppedCount == 0)
    }
}
