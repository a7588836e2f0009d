// SignalFx `/v2/datapoint` protobuf decoding: the ../shared/bench SignalFx JSON bodies (1000
// points each, 6–9 dimensions) converted in the setup into `DataPointUploadMessage` bytes
// (≈185 KB) by the small encoder below, then decoded into a SignalFxDatapointBatch as the route
// does before storing, so this and SignalFxJSONDecoding decode the same points. Bodies:
// `BASIN_BENCH_SIGNALFX_PAYLOADS` (default /tmp/peers/sfx/signalfx), the first
// `BASIN_BENCH_BODIES` (default 20); generate them with `python3 ../shared/bench/gen_payloads.py
// --series 10000 --points-per-series 240 --batch 1000 --seed 42 --formats signalfx
// --out /tmp/peers/sfx --now $(date +%s)`.
// One iteration decodes one body: `throughput` × mean protobuf body bytes = bytes/s.

import Benchmark
import BenchmarkBodies
import BasinWire
import DialectSignalFx
import Foundation

final class DecodeFixture: @unchecked Sendable {
    var bodies: [[UInt8]] = []
    var next = 0
}

/// Writes `DataPointUploadMessage` bytes (field numbers of `SignalFxProtobufSchema`), the way
/// signalfx-python does: integral values as `intValue`, others as `doubleValue`, type from the
/// JSON key, dimensions in key order.
struct UploadMessageEncoder {
    var out: [UInt8] = []

    static func varint(_ value: UInt64, into out: inout [UInt8]) {
        var v = value
        while v >= 0x80 {
            out.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        out.append(UInt8(v))
    }

    static func lengthDelimited(_ field: UInt64, _ payload: [UInt8], into out: inout [UInt8]) {
        varint(field << 3 | 2, into: &out)
        varint(UInt64(payload.count), into: &out)
        out.append(contentsOf: payload)
    }

    mutating func appendPoint(metric: String, type: UInt64, timestamp: Int64?, value: NSNumber, dimensions: [String: String]) {
        var point: [UInt8] = []
        Self.lengthDelimited(2, Array(metric.utf8), into: &point)                       // metric
        if let timestamp {
            Self.varint(3 << 3, into: &point)                                           // timestamp
            Self.varint(UInt64(bitPattern: timestamp), into: &point)
        }
        var datum: [UInt8] = []
        let double = value.doubleValue
        if double == double.rounded(), abs(double) < 9e15 {
            Self.varint(3 << 3, into: &datum)                                           // intValue
            Self.varint(UInt64(bitPattern: Int64(double)), into: &datum)
        } else {
            Self.varint(2 << 3 | 1, into: &datum)                                       // doubleValue
            withUnsafeBytes(of: double.bitPattern.littleEndian) { datum.append(contentsOf: $0) }
        }
        Self.lengthDelimited(4, datum, into: &point)                                    // value
        if type != 0 {
            Self.varint(5 << 3, into: &point)                                           // metricType
            Self.varint(type, into: &point)
        }
        for key in dimensions.keys.sorted() {
            var pair: [UInt8] = []
            Self.lengthDelimited(1, Array(key.utf8), into: &pair)
            Self.lengthDelimited(2, Array(dimensions[key]!.utf8), into: &pair)
            Self.lengthDelimited(6, pair, into: &point)                                 // dimensions
        }
        Self.lengthDelimited(1, point, into: &out)                                      // datapoints
    }

    /// Converts one `{"gauge":[…],"counter":[…],"cumulative_counter":[…]}` body.
    static func encode(json: Data) throws -> [UInt8] {
        guard let object = try JSONSerialization.jsonObject(with: json) as? [String: Any] else {
            throw BenchSetupError("a SignalFx body is not a JSON object")
        }
        var encoder = UploadMessageEncoder()
        for (key, type) in [("gauge", UInt64(0)), ("counter", 1), ("cumulative_counter", 3)] {
            for case let point as [String: Any] in object[key] as? [Any] ?? [] {
                guard let metric = point["metric"] as? String, let value = point["value"] as? NSNumber else {
                    throw BenchSetupError("a point without metric or numeric value")
                }
                var dimensions: [String: String] = [:]
                for (name, value) in point["dimensions"] as? [String: Any] ?? [:] {
                    dimensions[name] = value as? String ?? "\(value)"
                }
                encoder.appendPoint(
                    metric: metric, type: type, timestamp: (point["timestamp"] as? NSNumber)?.int64Value,
                    value: value, dimensions: dimensions)
            }
        }
        return encoder.out
    }
}

enum DecodeSettings {
    static func load(into fixture: DecodeFixture) throws {
        let json = try BenchmarkBodies.load(BenchmarkBodies.directory("BASIN_BENCH_SIGNALFX_PAYLOADS", default: "/tmp/peers/sfx/signalfx"))
        fixture.bodies = try json.map { try UploadMessageEncoder.encode(json: Data($0)) }
        BenchmarkBodies.report("SignalFxProtobufDecoding", fixture.bodies, unit: "protobuf bytes")
    }
}

let benchmarks: @Sendable () -> Void = {
    let configuration = Benchmark.Configuration(
        metrics: [.wallClock, .throughput, .mallocCountTotal],
        warmupIterations: 5,
        maxDuration: .seconds(5),
        maxIterations: 1_000_000,
        thresholds: [
            // Measured 2026-12-01 on the shared, contended 2-core VM (load ≈ 5), 185,213-byte
            // bodies: p50 624 bodies/s ≈ 116 MB/s, best 767 bodies/s ≈ 142 MB/s, 1,078 mallocs per
            // body (one Labels per point). After the inlined ProtobufReader, the pre-encoded
            // LabelsBuilder records and the usual-layout fast paths (load ≈ 4–7): p50 1,720
            // bodies/s ≈ 319 MB/s, best 2,115 ≈ 392 MB/s, 1,035 mallocs; callgrind 4.2 M
            // instructions per body (was 13.4 M). Floor at about half the old contended p50.
            .throughput: .init(absolute: [.p50: 300]),
        ]
    )
    let fixture = DecodeFixture()
    Benchmark("SignalFx protobuf body (1000 points)", configuration: configuration) { benchmark in
        for _ in benchmark.scaledIterations {
            let body = fixture.bodies[fixture.next % fixture.bodies.count]
            fixture.next += 1
            var batch = SignalFxDatapointBatch(nowMillis: 1_800_000_000_000)
            do {
                try body.withUnsafeBytes { raw in try SignalFxDatapointProtobufDecoder.decode(raw, into: &batch) }
            } catch {
                fatalError("body \(fixture.next) did not decode: \(error)")
            }
            guard batch.acceptedCount == 1000 else { fatalError("body \(fixture.next) decoded \(batch.acceptedCount) points") }
            blackHole(batch)
        }
    } setup: {
        try DecodeSettings.load(into: fixture)
    }
}
