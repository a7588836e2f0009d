import BasinModel
import BasinTestKit
import BasinWire
import Foundation
import Testing

@testable import DialectDatadog

/// The protobuf series decoder copies nothing and rewrites nothing for the usual Agent strings
/// (plain ASCII tags, names and hosts within the limits): these tests hold it to the shared
/// field code, which the v2 JSON decoder runs on the same content, for strings that take the
/// fast paths and strings that must leave them.
@Suite("Datadog protobuf fast paths")
struct DatadogProtobufFastPathTests {
    static let alphabet: [String] = ["a", "z", "0", "9", "_", "-", ".", "/", ":", "A", "Z", "!", " ", "é", "\u{7F}", "@", "`", "{", ",", "[", "^"]

    static func text(_ g: inout SeededGenerator, maxLength: Int) -> String {
        let length = Int.random(in: 0...maxLength, using: &g)
        // Mostly plain characters, so both paths are exercised.
        let plain = Bool.random(using: &g)
        return String((0..<length).map { _ in
            plain ? Array("abcxyz019_-./:")[Int.random(in: 0..<14, using: &g)] : Character(alphabet[Int.random(in: 0..<alphabet.count, using: &g)])
        })
    }

    static func series(_ g: inout SeededGenerator, index: Int) -> TestMetricSeries {
        var metric = text(&g, maxLength: 40)
        if metric.isEmpty { metric = "m\(index)" }
        var s = TestMetricSeries(metric: metric, points: [(timestamp: 1_700_000_000 + Int64(index), value: Double(index))])
        s.type = UInt64.random(in: 0...3, using: &g)
        s.tags = (0..<Int.random(in: 0...8, using: &g)).map { _ in text(&g, maxLength: 30) }
        if Bool.random(using: &g) { s.resources.append((type: "host", name: text(&g, maxLength: 24))) }
        if Bool.random(using: &g) { s.resources.append((type: "device", name: text(&g, maxLength: 12))) }
        return s
    }

    /// The v2 JSON body of `series` with its members in the protobuf field order (resources,
    /// metric, tags, points, type), so the first limit a series breaks is the same in both.
    static func json(_ series: [TestMetricSeries]) -> [UInt8] {
        func quote(_ s: String) -> String {
            let data = try! JSONSerialization.data(withJSONObject: [s])
            return String(String(decoding: data, as: UTF8.self).dropFirst().dropLast())
        }
        let items = series.map { s -> String in
            var members: [String] = []
            if !s.resources.isEmpty {
                members.append("\"resources\":[" + s.resources.map { "{\"type\":\(quote($0.type)),\"name\":\(quote($0.name))}" }.joined(separator: ",") + "]")
            }
            members.append("\"metric\":\(quote(s.metric))")
            if !s.tags.isEmpty { members.append("\"tags\":[" + s.tags.map(quote).joined(separator: ",") + "]") }
            members.append("\"points\":[" + s.points.map { "{\"timestamp\":\($0.timestamp),\"value\":\($0.value)}" }.joined(separator: ",") + "]")
            if let type = s.type { members.append("\"type\":\(type)") }
            return "{" + members.joined(separator: ",") + "}"
        }
        return Array(("{\"series\":[" + items.joined(separator: ",") + "]}").utf8)
    }

    static func assertSame(_ protobuf: Result<(MetricBatch, DatadogIntakeResult), WireError>, _ json: Result<(MetricBatch, DatadogIntakeResult), WireError>) {
        switch (protobuf, json) {
        case let (.success((pb, pr)), .success((jb, jr))):
            #expect(pb.series.map(\.bytes) == jb.series.map(\.bytes))
            #expect(pb.kinds == jb.kinds)
            #expect(pb.values == jb.values)
            #expect(pb.timestampsMillis == jb.timestampsMillis)
            #expect(pr == jr)
        case let (.failure(p), .failure(j)):
            #expect(p.code == j.code)
        default:
            Issue.record("protobuf \(protobuf) but JSON \(json)")
        }
    }

    @Test("Random series decode to the same labels and results as their v2 JSON form", arguments: [UInt64(1), 2, 3, 4])
    func randomSeriesMatchJSON(seed: UInt64) {
        var g = SeededGenerator(seed: seed)
        print("seed \(seed)")
        var limits = DatadogIntakeLimits()
        // Small limits so names, tag keys, tag values and hosts cross them.
        limits.maxMetricNameBytes = 30
        limits.maxLabelNameBytes = 8
        limits.maxLabelValueBytes = 16
        limits.maxLabelsPerSeries = 7
        limits.maxErrorMessages = 1_000
        let options = DatadogIntakeOptions(limits: limits, nowMillis: 1_800_000_000_000)
        for round in 0..<40 {
            let series = (0..<20).map { Self.series(&g, index: round * 20 + $0) }
            let protobuf = decodeProtobuf(encodeMetricPayload(series), options: options)
            let json = decodeV2(Self.json(series), options: options)
            Self.assertSame(protobuf, json)
        }
    }

    @Test("Agent-style series keep the host, the name and the tags as sent")
    func agentSeries() throws {
        var s = TestMetricSeries(metric: "system.cpu.user", points: [(timestamp: 1_700_000_000, value: 2.5)])
        s.type = 3
        s.resources = [(type: "host", name: "host-00042")]
        s.tags = ["env:prod", "region:eu-west-1", "instance_type:c5.2xlarge", "device:/dev/nvme0n1p1", "role"]
        let (batch, result) = try decodeProtobuf(encodeMetricPayload([s])).get()
        #expect(result.accepted == 1)
        #expect(batch.series.map(\.description) == [
            "system.cpu.user{device=\"/dev/nvme0n1p1\", env=\"prod\", host=\"host-00042\", instance_type=\"c5.2xlarge\", region=\"eu-west-1\", role=\"\"}",
        ])
    }

    @Test("An invalid UTF-8 tag still refuses the request and names the tag")
    func invalidTag() {
        var w = ProtobufTestWriter()
        w.stringField(2, "m")
        w.stringField(3, "env:prod")
        w.bytesField(3, [0x61, 0x3A, 0xC3])
        w.bytesField(4, [0x09, 0, 0, 0, 0, 0, 0, 0xF0, 0x3F, 0x10, 0x01])
        var payload = ProtobufTestWriter()
        payload.bytesField(1, w.bytes)
        guard case .failure(let error) = decodeProtobuf(payload.bytes) else {
            Issue.record("decoded")
            return
        }
        #expect(error.code == .invalidString)
        #expect(error.message.contains("tags[1]: invalid UTF-8"))
    }
}
