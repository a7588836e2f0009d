import BasinModel
import BasinWire
import Foundation
import Testing

@testable import DialectSignalFx

/// The event vectors of spec §8 (26–33), the captured client events and the record layout.
@Suite struct SignalFxEventDecoderTests {
    typealias S = SignalFxTestSupport

    struct Vector: Sendable, CustomStringConvertible {
        let number: Int
        let body: String
        let protobuf: Bool
        let expected: [SignalFxEvent]
        let dropped: Int
        var description: String { "vector \(number)" }
    }

    static let vectors: [Vector] = [
        Vector(number: 26, body: #"[{"eventType":"mwp.test2","dimensions":{"instance":"i4","host":"myhost-4","service":"myservice4"},"properties":{"version":"2015-11-23-4"}}]"#,
               protobuf: false, expected: [SignalFxEvent(
                eventType: "mwp.test2", dimensions: [("instance", "i4"), ("host", "myhost-4"), ("service", "myservice4")],
                properties: [RecordField("version", .string("2015-11-23-4"))])], dropped: 0),
        Vector(number: 27, body: #"[{"category":"ALERT","eventType":"mwp.test2","timestamp":12345}]"#, protobuf: false,
               expected: [SignalFxEvent(eventType: "mwp.test2", category: .alert, timestampMillis: 12345)], dropped: 0),
        Vector(number: 28, body: #"[{"eventType":"ET","category":"cat","timestamp":1800000000000}]"#, protobuf: false,
               expected: [SignalFxEvent(eventType: "ET", timestampMillis: 1_800_000_000_000)], dropped: 0),
        Vector(number: 29, body: #"[{"eventType":"deployments","category":null,"dimensions":{},"properties":{"version":"2015.04.29-01"},"timestamp":null}]"#,
               protobuf: false, expected: [SignalFxEvent(eventType: "deployments", properties: [RecordField("version", .string("2015.04.29-01"))])], dropped: 0),
        Vector(number: 31, body: "0a350a066465706c6f79120e0a077365727669636512036170691a100a0776657273696f6e12050a03312e3220c0843d28f0eae1c0a72d",
               protobuf: true, expected: [SignalFxEvent(
                eventType: "deploy", dimensions: [("service", "api")], properties: [RecordField("version", .string("1.2"))],
                timestampMillis: 1_556_793_030_000)], dropped: 0),
    ]

    @Test("Every event vector of spec §8 decodes to the events it names", arguments: vectors)
    func vectorDecodes(_ vector: Vector) throws {
        let body = vector.protobuf ? S.bytes(hex: vector.body) : Array(vector.body.utf8)
        let batch = try S.decodeEvents(body, protobuf: vector.protobuf)
        #expect(batch.events == vector.expected)
        #expect(batch.dropped == vector.dropped)
    }

    @Test("Vector 30 and 32: invalid JSON, and a protobuf event without eventType, fail the body", arguments: [
        ("INVALID_JSON", false), (#"{"eventType":"x"}"#, false), ("[1]", false), ("0a0420c0843d", true), ("0a03", true),
    ])
    func invalidBodiesFail(_ body: String, _ protobuf: Bool) {
        let bytes = protobuf ? S.bytes(hex: body) : Array(body.utf8)
        #expect(throws: WireError.self) { try S.decodeEvents(bytes, protobuf: protobuf) }
    }

    @Test("Vector 33: a protobuf event with a property without value is skipped, others kept")
    func propertyWithoutValue() throws {
        let body = TestProtobufEncoder.upload([
            TestProtobufEncoder.event(eventType: "bad", properties: [("p", nil)]),
            TestProtobufEncoder.event(eventType: "good", properties: [("b", .bool(true)), ("d", .double(2.5)), ("i", .int(-4))], category: 100_000),
        ])
        let batch = try S.decodeEvents(body, protobuf: true)
        #expect(batch.dropped == 1)
        #expect(batch.events == [SignalFxEvent(
            eventType: "good", category: .alert, properties: [RecordField("b", .bool(true)), RecordField("d", .float(2.5)), RecordField("i", .int(-4))])])
    }

    @Test("JSON events without a usable eventType are skipped and counted", arguments: [
        #"[{"eventType":""}]"#, #"[{"category":"ALERT"}]"#, #"[{"eventType":5}]"#, #"[{"eventType":"\#(String(repeating: "e", count: 257))"}]"#,
        #"[{"eventType":"x","timestamp":"soon"}]"#, #"[{"eventType":"x","dimensions":{"a":[1]}}]"#,
    ])
    func unusableEventsSkipped(_ body: String) throws {
        let batch = try S.decodeEvents(Array(body.utf8), protobuf: false)
        #expect(batch.events.isEmpty && batch.dropped == 1)
    }

    @Test("Captured signalfx-python events decode with their typed properties", arguments: S.eventFixtures)
    func fixtureDecodes(_ name: String) throws {
        let request = try S.fixture(name)
        let protobuf = (request["content_type"] as? String) == "application/x-protobuf"
        let batch = try S.decodeEvents(S.fixtureBodies(request).plain, protobuf: protobuf)
        #expect(batch.events == [SignalFxEvent(
            eventType: "capture.deploy", dimensions: [("service", "api"), ("env", "prod")],
            properties: [RecordField("version", .string("42")), RecordField("build", .int(42)),
                         RecordField("duration_s", .float(12.5)), RecordField("green", .bool(true))],
            timestampMillis: 1_795_350_971_000)])
    }

    @Test("Events become _events records in the documented layout")
    func recordLayout() {
        let event = SignalFxEvent(
            eventType: "deploy", category: .alert, dimensions: [("host", "web-1"), ("k8s.ns", "prod")],
            properties: [RecordField("version", .string("1.2"))], timestampMillis: 1_000)
        let record = event.record(nowMillis: 5)
        #expect(record.timeNanos == 1_000_000_000)
        #expect(record[field: "title"] == .string("deploy"))
        #expect(record[field: "tags"] == .array([.string("host:web-1"), .string("k8s.ns:prod")]))
        #expect(record[field: "host"] == .string("web-1"))
        #expect(record[field: "category"] == .string("ALERT"))
        #expect(record[field: "dimensions"] == .object([RecordField("host", .string("web-1")), RecordField("k8s.ns", .string("prod"))]))
        #expect(record[field: "properties"] == .object([RecordField("version", .string("1.2"))]))
        #expect(record[field: "dialect"] == .string("signalfx"))
        #expect(SignalFxEvent(eventType: "x").record(nowMillis: 7).timeNanos == 7_000_000)
        #expect(SignalFxEvent(eventType: "x").record(nowMillis: 7)[field: "tags"] == nil)
    }

    @Test("Category names and values map to the enum, unknown ones to USER_DEFINED")
    func categories() {
        #expect(SignalFxEventCategory(name: Array("collectd".utf8)) == .collectd)
        #expect(SignalFxEventCategory(name: Array("AGENT".utf8)) == .agent)
        #expect(SignalFxEventCategory(name: Array("COLLECTED".utf8)) == .userDefined)
        #expect(SignalFxEventCategory(protobufValue: 700_000) == .exception)
        #expect(SignalFxEventCategory(protobufValue: 3) == .userDefined)
    }
}
