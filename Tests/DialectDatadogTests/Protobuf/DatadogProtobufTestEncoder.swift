import Foundation

/// A minimal protobuf writer for building Agent payloads in tests (the decoder under test is
/// hand-written; this is the independent other half).
struct ProtobufTestWriter {
    var bytes: [UInt8] = []

    mutating func varint(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            bytes.append(UInt8(v & 0x7F) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    mutating func tag(_ field: UInt64, _ wireType: UInt64) { varint(field << 3 | wireType) }

    mutating func varintField(_ field: UInt64, _ value: UInt64) {
        tag(field, 0)
        varint(value)
    }

    mutating func int64Field(_ field: UInt64, _ value: Int64) { varintField(field, UInt64(bitPattern: value)) }

    mutating func doubleField(_ field: UInt64, _ value: Double) {
        tag(field, 1)
        let bits = value.bitPattern
        for k in 0..<8 { bytes.append(UInt8(truncatingIfNeeded: bits >> (8 * UInt64(k)))) }
    }

    mutating func bytesField(_ field: UInt64, _ value: [UInt8]) {
        tag(field, 2)
        varint(UInt64(value.count))
        bytes += value
    }

    mutating func stringField(_ field: UInt64, _ value: String) { bytesField(field, Array(value.utf8)) }

    static func zigZag(_ v: Int64) -> UInt64 { UInt64(bitPattern: (v << 1) ^ (v >> 63)) }
}

/// `MetricPayload.MetricSeries` as a test value.
struct TestMetricSeries: Equatable {
    var metric: String
    var points: [(timestamp: Int64, value: Double)] = []
    var type: UInt64? = nil
    var interval: Int64? = nil
    var resources: [(type: String, name: String)] = []
    var tags: [String] = []
    var unit: String? = nil
    var sourceTypeName: String? = nil

    static func == (a: TestMetricSeries, b: TestMetricSeries) -> Bool {
        a.metric == b.metric && a.points.map(\.timestamp) == b.points.map(\.timestamp)
            && a.points.map(\.value.bitPattern) == b.points.map(\.value.bitPattern) && a.type == b.type
            && a.interval == b.interval && a.resources.map(\.type) == b.resources.map(\.type)
            && a.resources.map(\.name) == b.resources.map(\.name) && a.tags == b.tags && a.unit == b.unit
    }

    /// Encoded in field order 1…9 unless `shuffled` (fields in reverse order), plus an unknown field when `unknown`.
    func encode(shuffled: Bool = false, unknown: Bool = false) -> [UInt8] {
        var parts: [[UInt8]] = []
        for r in resources {
            var inner = ProtobufTestWriter()
            inner.stringField(1, r.type)
            inner.stringField(2, r.name)
            var w = ProtobufTestWriter()
            w.bytesField(1, inner.bytes)
            parts.append(w.bytes)
        }
        var w = ProtobufTestWriter()
        w.stringField(2, metric)
        parts.append(w.bytes)
        for t in tags {
            var w = ProtobufTestWriter()
            w.stringField(3, t)
            parts.append(w.bytes)
        }
        for p in points {
            var inner = ProtobufTestWriter()
            inner.doubleField(1, p.value)
            inner.int64Field(2, p.timestamp)
            var w = ProtobufTestWriter()
            w.bytesField(4, inner.bytes)
            parts.append(w.bytes)
        }
        if let type {
            var w = ProtobufTestWriter()
            w.varintField(5, type)
            parts.append(w.bytes)
        }
        if let unit {
            var w = ProtobufTestWriter()
            w.stringField(6, unit)
            parts.append(w.bytes)
        }
        if let sourceTypeName {
            var w = ProtobufTestWriter()
            w.stringField(7, sourceTypeName)
            parts.append(w.bytes)
        }
        if let interval {
            var w = ProtobufTestWriter()
            w.int64Field(8, interval)
            parts.append(w.bytes)
        }
        if unknown {
            var w = ProtobufTestWriter()
            w.bytesField(9, [0x0A, 0x02, 0x20, 0x01])   // metadata.origin
            w.varintField(99, 7)
            w.doubleField(98, 1.5)
            w.tag(97, 5)
            w.bytes += [1, 2, 3, 4]
            parts.append(w.bytes)
        }
        if shuffled { parts.reverse() }
        return parts.flatMap { $0 }
    }
}

/// `MetricPayload`: one field-1 entry per series.
func encodeMetricPayload(_ series: [TestMetricSeries], shuffled: Bool = false, unknown: Bool = false) -> [UInt8] {
    var w = ProtobufTestWriter()
    for s in series { w.bytesField(1, s.encode(shuffled: shuffled, unknown: unknown)) }
    return w.bytes
}

/// `SketchPayload.Sketch.Dogsketch` as a test value.
struct TestDogsketch {
    var ts: Int64
    var cnt: Int64
    var min: Double
    var max: Double
    var sum: Double
    var avg: Double = 0
    var k: [Int32]
    var n: [UInt32]

    /// From raw values, binned with the Agent's mapping.
    static func from(_ values: [Double], ts: Int64) -> TestDogsketch {
        var bins: [Int32: UInt32] = [:]
        for v in values { bins[DatadogTestMapping.key(v), default: 0] += 1 }
        let keys = bins.keys.sorted()
        return TestDogsketch(
            ts: ts, cnt: Int64(values.count), min: values.min() ?? 0, max: values.max() ?? 0,
            sum: values.reduce(0, +), avg: values.isEmpty ? 0 : values.reduce(0, +) / Double(values.count),
            k: keys, n: keys.map { bins[$0] ?? 0 })
    }

    func encode(packed: Bool = true) -> [UInt8] {
        var w = ProtobufTestWriter()
        w.int64Field(1, ts)
        w.int64Field(2, cnt)
        w.doubleField(3, min)
        w.doubleField(4, max)
        w.doubleField(5, avg)
        w.doubleField(6, sum)
        if packed {
            var ks = ProtobufTestWriter()
            for key in k { ks.varint(ProtobufTestWriter.zigZag(Int64(key))) }
            w.bytesField(7, ks.bytes)
            var ns = ProtobufTestWriter()
            for c in n { ns.varint(UInt64(c)) }
            w.bytesField(8, ns.bytes)
        } else {
            for key in k { w.varintField(7, ProtobufTestWriter.zigZag(Int64(key))) }
            for c in n { w.varintField(8, UInt64(c)) }
        }
        return w.bytes
    }
}

/// `SketchPayload.Sketch` as a test value.
struct TestSketch {
    var metric: String
    var host: String = ""
    var tags: [String] = []
    var dogsketches: [TestDogsketch]

    func encode(packed: Bool = true) -> [UInt8] {
        var w = ProtobufTestWriter()
        w.stringField(1, metric)
        if !host.isEmpty { w.stringField(2, host) }
        for t in tags { w.stringField(4, t) }
        for d in dogsketches { w.bytesField(7, d.encode(packed: packed)) }
        w.bytesField(8, [0x0A, 0x00])   // metadata (ignored)
        return w.bytes
    }
}

func encodeSketchPayload(_ sketches: [TestSketch], packed: Bool = true) -> [UInt8] {
    var w = ProtobufTestWriter()
    for s in sketches { w.bytesField(1, s.encode(packed: packed)) }
    w.bytesField(2, [0x0A, 0x03, 0x37, 0x2E, 0x35])   // CommonMetadata.agent_version "7.5"
    return w.bytes
}

/// The Agent's bin mapping written independently of the code under test (spec §3.4).
enum DatadogTestMapping {
    static let gamma = 1.015625
    static func key(_ v: Double) -> Int32 {
        let m = abs(v)
        guard m >= 1e-9 else { return 0 }
        let k = Int32(min(max((Foundation.log(m) / Foundation.log(gamma)).rounded(.down) + 1338, 1), 32_766))
        return v < 0 ? -k : k
    }
}
