// Decoding throughput of the Datadog v2 protobuf series intake (`POST /api/v2/series` with
// `Content-Type: application/x-protobuf`, the Agent's `MetricPayload`).
//
// Bodies: the `gen_payloads.py` Datadog v1 series JSON bodies (1000 series of one point each,
// 5–8 tags and a host), converted once in the setup hook (outside the measurement) into
// `MetricPayload` bytes by the small encoder below, the way the Agent writes them: field
// order of the schema, the host as a `Resource {type: "host"}`, `type` as the enum, points as
// `MetricPoint {value, timestamp}`. Directory from `BASIN_BENCH_PAYLOADS` (default
// /tmp/peers/payloads/datadog); the first `BASIN_BENCH_BODIES` bodies (default 20).
//
// One iteration decodes one body (cycling through the set) with
// `DatadogSeriesV2Decoder.decodeProtobuf(_:into:)`, the route's code path, into a reused
// `MetricBatch` emptied with `removeAll()` (capacity kept), so `mallocCountTotal` and
// `instructions` are per body and `throughput` is bodies/s. The custom metric `MB/s` is protobuf
// body bytes over the decode time of that iteration (1 MB = 10^6 bytes).

import Benchmark
import BenchmarkBodies
import BasinModel
import BasinWire
import DialectDatadog
import Foundation

/// Bodies and scratch state shared by the setup and the iterations.
final class DecodeFixture: @unchecked Sendable {
    var bodies: [[UInt8]] = []
    var batch = MetricBatch()
    var next = 0
    var failures = 0
}

/// Writes `MetricPayload` bytes (field numbers of `DatadogProtobufSchema`) from a v1 series
/// JSON body.
enum MetricPayloadEncoder {
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

    /// Converts one `{"series": [...]}` body.
    static func encode(json: [UInt8]) throws -> [UInt8] {
        guard let root = try JSONSerialization.jsonObject(with: Data(json)) as? [String: Any],
              let series = root["series"] as? [[String: Any]] else {
            throw BenchSetupError("unexpected v1 body shape")
        }
        var out: [UInt8] = []
        for s in series {
            var message: [UInt8] = []
            if let host = s["host"] as? String {                                            // resources
                var resource: [UInt8] = []
                lengthDelimited(1, Array("host".utf8), into: &resource)
                lengthDelimited(2, Array(host.utf8), into: &resource)
                lengthDelimited(1, resource, into: &message)
            }
            lengthDelimited(2, Array((s["metric"] as? String ?? "").utf8), into: &message)  // metric
            for case let tag as String in s["tags"] as? [Any] ?? [] {                       // tags
                lengthDelimited(3, Array(tag.utf8), into: &message)
            }
            for case let point as [Any] in s["points"] as? [Any] ?? [] {                    // points
                guard point.count == 2, let timestamp = point[0] as? NSNumber, let value = point[1] as? NSNumber else {
                    throw BenchSetupError("a point that is not [timestamp, value]")
                }
                var encoded: [UInt8] = []
                varint(1 << 3 | 1, into: &encoded)
                withUnsafeBytes(of: value.doubleValue.bitPattern.littleEndian) { encoded.append(contentsOf: $0) }
                varint(2 << 3, into: &encoded)
                varint(UInt64(bitPattern: timestamp.int64Value), into: &encoded)
                lengthDelimited(4, encoded, into: &message)
            }
            let type: UInt64 = switch s["type"] as? String {                                 // type
            case "count": 1
            case "rate": 2
            case "gauge": 3
            default: 0
            }
            if type != 0 {
                varint(5 << 3, into: &message)
                varint(type, into: &message)
            }
            if let interval = (s["interval"] as? NSNumber)?.int64Value, interval != 0 {      // interval
                varint(8 << 3, into: &message)
                varint(UInt64(bitPattern: interval), into: &message)
            }
            lengthDelimited(1, message, into: &out)                                        // series
        }
        return out
    }
}

enum DecodeSettings {
    /// Reads the first `BASIN_BENCH_BODIES` `body-*.json` files of the payload directory and converts them.
    static func loadBodies() throws -> [[UInt8]] {
        let json = try BenchmarkBodies.load(
            BenchmarkBodies.directory("BASIN_BENCH_PAYLOADS", default: "/tmp/peers/payloads/datadog"), suffix: ".json",
            hint: " (set BASIN_BENCH_PAYLOADS; generate with bench/gen_payloads.py)")
        let bodies = try json.map(MetricPayloadEncoder.encode(json:))
        BenchmarkBodies.report("DatadogSeriesV2ProtobufDecoding", bodies, unit: "protobuf bytes")
        return bodies
    }

    /// No time window: the bench bodies carry fixed timestamps from the day they were generated.
    static var options: DatadogIntakeOptions {
        DatadogIntakeOptions(nowMillis: Int64(Date().timeIntervalSince1970 * 1000))
    }
}

/// Only the deterministic metrics are gated (mallocs per body, instructions where the machine
/// exposes a PMU); time-based ones are reported, not gated, on these shared machines. Every
/// measured metric needs an entry: the static check treats a missing one as zero tolerance.
var gatedTolerances: [BenchmarkMetric: BenchmarkThresholds] {
    [
        .mallocCountTotal: .init(relative: [.p90: 2.0], absolute: [.p90: 4]),
        .instructions: .init(relative: [.p90: 5.0]),
        .wallClock: .init(relative: [:], absolute: [:]),
        .throughput: .init(relative: [:], absolute: [:]),
        megabytesPerSecond: .init(relative: [:], absolute: [:]),
    ]
}

let megabytesPerSecond = BenchmarkMetric.custom("MB/s", polarity: .prefersLarger, useScalingFactor: false)

let benchmarks: @Sendable () -> Void = {
    let configuration = Benchmark.Configuration(
        metrics: [.instructions, .mallocCountTotal, .wallClock, .throughput, megabytesPerSecond],
        warmupIterations: 5,
        maxDuration: .seconds(5),
        maxIterations: 1_000_000,
        thresholds: gatedTolerances
    )

    let fixture = DecodeFixture()
    Benchmark("v2_protobuf_body", configuration: configuration) { benchmark in
        let decoder = DatadogSeriesV2Decoder(options: DecodeSettings.options)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            let index = fixture.next
            fixture.next = index + 1 == fixture.bodies.count ? 0 : index + 1
            fixture.batch.removeAll()
            let start = ContinuousClock.now
            fixture.bodies[index].withUnsafeBytes { raw in
                do throws(WireError) {
                    let result = try decoder.decodeProtobuf(raw, into: &fixture.batch)
                    if result.accepted != 1000 { fixture.failures += 1 }
                    blackHole(result.accepted)
                } catch {
                    fixture.failures += 1
                }
            }
            let elapsed = ContinuousClock.now - start
            let nanoseconds = Double(elapsed.components.seconds) * 1e9 + Double(elapsed.components.attoseconds) / 1e9
            if nanoseconds > 0 {
                benchmark.measurement(megabytesPerSecond, Int((Double(fixture.bodies[index].count) / nanoseconds * 1000).rounded()))
            }
        }
    } setup: {
        fixture.bodies = try DecodeSettings.loadBodies()
        fixture.next = 0
        // Decode each body once, checking it, so the batch has its capacity before anything is measured.
        let decoder = DatadogSeriesV2Decoder(options: DecodeSettings.options)
        for body in fixture.bodies {
            fixture.batch.removeAll()
            let result = try body.withUnsafeBytes { raw throws(WireError) in try decoder.decodeProtobuf(raw, into: &fixture.batch) }
            guard result.accepted == 1000 else { throw BenchSetupError("a body decoded \(result.accepted) samples, not 1000") }
        }
    } teardown: {
        if fixture.failures > 0 { print("warning: \(fixture.failures) decodes did not accept 1000 samples") }
        fixture.bodies = []
    }
}
