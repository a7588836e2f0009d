import BasinModel
import BasinWire
import Foundation

@testable import DialectSignalFx

/// Shared helpers of the SignalFx tests: hex, fixtures, a small protobuf encoder, renderings.
enum SignalFxTestSupport {
    /// A fixed receipt time, so decoded "now" timestamps are predictable.
    static let nowMillis: Int64 = 1_800_000_000_000

    /// Bytes of a hex string (spaces ignored).
    static func bytes(hex: String) -> [UInt8] {
        let digits = Array(hex.replacingOccurrences(of: " ", with: "").utf8)
        return stride(from: 0, to: digits.count, by: 2).map { i in
            UInt8(String(decoding: digits[i..<(i + 2)], as: UTF8.self), radix: 16)!
        }
    }

    // MARK: Decoding

    /// Decodes datapoints (JSON or protobuf) into a batch at ``nowMillis``.
    static func decodeDatapoints(_ body: [UInt8], protobuf: Bool, limits: SignalFxIntakeLimits = SignalFxIntakeLimits()) throws(WireError) -> SignalFxDatapointBatch {
        var batch = SignalFxDatapointBatch(limits: limits, nowMillis: nowMillis)
        let failure = body.withUnsafeBytes { raw -> WireError? in
            do throws(WireError) {
                if protobuf {
                    try SignalFxDatapointProtobufDecoder.decode(raw, into: &batch)
                } else {
                    try SignalFxDatapointJSONDecoder.decode(raw, into: &batch)
                }
                return nil
            } catch {
                return error
            }
        }
        if let failure { throw failure }
        return batch
    }

    static func decodeDatapoints(_ json: String) throws(WireError) -> SignalFxDatapointBatch {
        try decodeDatapoints(Array(json.utf8), protobuf: false)
    }

    /// Decodes events (JSON or protobuf).
    static func decodeEvents(_ body: [UInt8], protobuf: Bool) throws(WireError) -> SignalFxEventBatch {
        var batch = SignalFxEventBatch()
        let failure = body.withUnsafeBytes { raw -> WireError? in
            do throws(WireError) {
                if protobuf {
                    try SignalFxEventProtobufDecoder.decode(raw, into: &batch)
                } else {
                    try SignalFxEventJSONDecoder.decode(raw, into: &batch)
                }
                return nil
            } catch {
                return error
            }
        }
        if let failure { throw failure }
        return batch
    }

    /// One line per accepted point: `kind labels timestamp value`, in decode order.
    static func render(_ batch: MetricBatch) -> [String] {
        (0..<batch.sampleCount).map { i in
            let slot = Int(batch.seriesSlots[i])
            return render(kind: batch.kinds[slot], labels: batch.labels(at: slot), millis: batch.timestampsMillis[i], value: batch.values[i])
        }
    }

    static func render(kind: MetricKind, labels: Labels, millis: Int64, value: Double) -> String {
        "\(kind.name) \(labels) \(millis) \(value)"
    }

    static func render(kind: MetricKind, metric: String, _ dimensions: [(String, String)] = [], millis: Int64 = nowMillis, value: Double) -> String {
        render(kind: kind, labels: Labels(metricName: metric, dimensions.map { (name: $0.0, value: $0.1) }), millis: millis, value: value)
    }

    // MARK: Fixtures

    /// The captured client requests in `Tests/DialectSignalFxTests/Fixtures/NNN.json`.
    static let fixtureDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures")

    static let datapointFixtures = ["001", "002", "004", "005", "007", "008", "010", "011", "013", "014"]
    static let eventFixtures = ["003", "006", "009", "012"]

    /// A fixture's `request` object.
    static func fixture(_ name: String) throws -> [String: Any] {
        let data = try Data(contentsOf: fixtureDirectory.appendingPathComponent("\(name).json"))
        let root = try JSONSerialization.jsonObject(with: data) as! [String: Any]
        return root["request"] as! [String: Any]
    }

    /// A body object's bytes (`encoding` is `base64` or text).
    static func bodyBytes(_ body: [String: Any]) -> [UInt8] {
        let data = body["data"] as! String
        if (body["encoding"] as? String) == "base64" { return Array(Data(base64Encoded: data)!) }
        return Array(data.utf8)
    }

    /// The raw body as sent and the decompressed one.
    static func fixtureBodies(_ request: [String: Any]) -> (raw: [UInt8], plain: [UInt8]) {
        let raw = bodyBytes(request["body"] as! [String: Any])
        guard let decompressed = request["body_decompressed"] as? [String: Any] else { return (raw, raw) }
        return (raw, bodyBytes(decompressed))
    }

    /// The datapoints a fixture holds according to its own decoding (`body_json` or
    /// `body_protobuf.json_mapping`, produced by the client's generated descriptors), rendered.
    static func expectedDatapoints(_ request: [String: Any]) -> [String] {
        var lines: [String] = []
        func number(_ any: Any?) -> Double { (any as? NSNumber)?.doubleValue ?? Double(any as? String ?? "") ?? .nan }
        if let json = request["body_json"] as? [String: Any] {
            let kinds: [String: MetricKind] = ["gauge": .gauge, "counter": .count, "cumulative_counter": .counter]
            for (key, points) in json {
                for point in points as! [[String: Any]] {
                    let dimensions = (point["dimensions"] as? [String: String] ?? [:]).map { ($0.key, $0.value) }
                    let millis = (point["timestamp"] as? NSNumber)?.int64Value ?? nowMillis
                    lines.append(render(kind: kinds[key]!, metric: point["metric"] as! String, dimensions, millis: millis, value: number(point["value"])))
                }
            }
        } else {
            let mapping = (request["body_protobuf"] as! [String: Any])["json_mapping"] as! [String: Any]
            let kinds: [String: MetricKind] = ["GAUGE": .gauge, "COUNTER": .count, "CUMULATIVE_COUNTER": .counter]
            for point in mapping["datapoints"] as? [[String: Any]] ?? [] {
                let dimensions = (point["dimensions"] as? [[String: String]] ?? []).map { ($0["key"]!, $0["value"]!) }
                let millis = (point["timestamp"] as? String).flatMap { Int64($0) } ?? nowMillis
                let value = point["value"] as! [String: Any]
                let v = value["doubleValue"].map { number($0) } ?? number(value["intValue"])
                lines.append(render(kind: kinds[point["metricType"] as? String ?? "GAUGE"]!, metric: point["metric"] as! String, dimensions, millis: millis, value: v))
            }
        }
        return lines
    }
}

/// A minimal protobuf encoder for tests: builds `DataPointUploadMessage` and `EventUploadMessage`
/// bytes field by field, independently of the decoder.
struct TestProtobufEncoder {
    var bytes: [UInt8] = []

    static func varint(_ value: UInt64) -> [UInt8] {
        var v = value
        var out: [UInt8] = []
        while v >= 0x80 {
            out.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        out.append(UInt8(v))
        return out
    }

    mutating func varint(_ field: UInt64, _ value: UInt64) {
        bytes += Self.varint(field << 3 | 0) + Self.varint(value)
    }

    mutating func int64(_ field: UInt64, _ value: Int64) {
        varint(field, UInt64(bitPattern: value))
    }

    mutating func double(_ field: UInt64, _ value: Double) {
        bytes += Self.varint(field << 3 | 1)
        let bits = value.bitPattern
        for k in 0..<8 { bytes.append(UInt8(truncatingIfNeeded: bits >> (8 * UInt64(k)))) }
    }

    mutating func bytes(_ field: UInt64, _ payload: [UInt8]) {
        bytes += Self.varint(field << 3 | 2) + Self.varint(UInt64(payload.count)) + payload
    }

    mutating func string(_ field: UInt64, _ text: String) {
        bytes(field, Array(text.utf8))
    }

    /// A `Datum`/`PropertyValue` value.
    enum Value: Equatable {
        case int(Int64), double(Double), string(String), bool(Bool)
    }

    static func datum(_ value: Value) -> [UInt8] {
        var e = TestProtobufEncoder()
        switch value {
        case .string(let s): e.string(1, s)
        case .double(let d): e.double(2, d)
        case .int(let i): e.int64(3, i)
        case .bool(let b): e.varint(4, b ? 1 : 0)
        }
        return e.bytes
    }

    static func pair(_ key: String, _ value: String) -> [UInt8] {
        var e = TestProtobufEncoder()
        e.string(1, key)
        e.string(2, value)
        return e.bytes
    }

    /// One `DataPoint`; nil members are left out.
    static func datapoint(
        metric: String?, timestamp: Int64? = nil, value: Value?, type: Int64? = nil, dimensions: [(String, String)] = [], source: String? = nil
    ) -> [UInt8] {
        var e = TestProtobufEncoder()
        if let source { e.string(1, source) }
        if let metric { e.string(2, metric) }
        if let timestamp { e.int64(3, timestamp) }
        if let value { e.bytes(4, datum(value)) }
        if let type { e.int64(5, type) }
        for (key, value) in dimensions { e.bytes(6, pair(key, value)) }
        return e.bytes
    }

    /// A `DataPointUploadMessage` (or `EventUploadMessage`) of encoded items.
    static func upload(_ items: [[UInt8]]) -> [UInt8] {
        var e = TestProtobufEncoder()
        for item in items { e.bytes(1, item) }
        return e.bytes
    }

    /// One `Event`.
    static func event(
        eventType: String?, dimensions: [(String, String)] = [], properties: [(String, Value?)] = [], category: Int64? = nil, timestamp: Int64? = nil
    ) -> [UInt8] {
        var e = TestProtobufEncoder()
        if let eventType { e.string(1, eventType) }
        for (key, value) in dimensions { e.bytes(2, pair(key, value)) }
        for (key, value) in properties {
            var p = TestProtobufEncoder()
            p.string(1, key)
            if let value { p.bytes(2, datum(value)) }
            e.bytes(3, p.bytes)
        }
        if let category { e.int64(4, category) }
        if let timestamp { e.int64(5, timestamp) }
        return e.bytes
    }
}
