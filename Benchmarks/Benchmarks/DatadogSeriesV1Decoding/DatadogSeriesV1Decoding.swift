// Decoding throughput of the Datadog series intake decoders on the generated bench bodies.
//
// Bodies: `gen_payloads.py` output (`datadog/`, v1 series JSON, 1000 samples per body,
// ≈225 KB). Directory from `BASIN_BENCH_PAYLOADS` (default /tmp/peers/payloads/datadog); the
// first `BASIN_BENCH_BODIES` bodies (default 20) are read into memory in the setup hook,
// before anything is measured. One iteration decodes one body (cycling through the set) into
// a reused `MetricBatch`, emptied with `removeAll()` (capacity kept) before each body, so
// `mallocCountTotal` and `instructions` are per body and `throughput` is bodies/s
// (samples/s = throughput × 1000). The custom metric `MB/s` is body bytes over the decode
// time of that iteration (1 MB = 10^6 bytes).
//
// The v2 benchmark decodes the same samples rewritten as v2 JSON (`points` as
// `{"timestamp","value"}` objects, `type` 3, host as a `resources` entry), converted once in
// its setup hook with Foundation (outside the measurement).

import Benchmark
import BenchmarkBodies
import BasinModel
import BasinWire
import DialectDatadog
import Foundation

/// Bodies and scratch state shared by one benchmark's setup and iterations.
final class DecodeFixture: @unchecked Sendable {
    var bodies: [[UInt8]] = []
    var batch = MetricBatch()
    var next = 0
    var failures = 0

    var totalBytes: Int { bodies.reduce(0) { $0 + $1.count } }
}

enum DecodeSettings {
    /// Reads the first `BASIN_BENCH_BODIES` `body-*.json` files of the payload directory.
    static func loadV1Bodies() throws -> [[UInt8]] {
        try BenchmarkBodies.load(
            BenchmarkBodies.directory("BASIN_BENCH_PAYLOADS", default: "/tmp/peers/payloads/datadog"), suffix: ".json",
            hint: " (set BASIN_BENCH_PAYLOADS; generate with bench/gen_payloads.py)")
    }

    /// Rewrites a v1 series body as a v2 JSON body with the same samples.
    static func convertToV2(_ v1: [UInt8]) throws -> [UInt8] {
        guard let root = try JSONSerialization.jsonObject(with: Data(v1)) as? [String: Any],
              let series = root["series"] as? [[String: Any]] else {
            throw BenchSetupError("unexpected v1 body shape")
        }
        let converted: [[String: Any]] = series.map { s in
            var out: [String: Any] = ["metric": s["metric"] ?? "", "type": 3]
            let points = (s["points"] as? [[Any]]) ?? []
            out["points"] = points.map { p -> [String: Any] in
                ["timestamp": p.first ?? 0, "value": p.count > 1 ? p[1] : NSNull()]
            }
            if let host = s["host"] as? String {
                out["resources"] = [["type": "host", "name": host]]
            }
            if let tags = s["tags"] { out["tags"] = tags }
            return out
        }
        return Array(try JSONSerialization.data(withJSONObject: ["series": converted]))
    }

    /// No time window: the bench bodies carry fixed timestamps from the day they were generated.
    static var options: DatadogIntakeOptions {
        DatadogIntakeOptions(nowMillis: Int64(Date().timeIntervalSince1970 * 1000))
    }
}

/// Tolerances for `swift package benchmark thresholds check` (static p90 values in
/// `Thresholds/`). Only the deterministic metrics are gated: mallocs per body and instructions
/// (counted where the machine exposes a PMU). Time-based metrics (wall clock, throughput, MB/s)
/// are reported but not gated, since the machines this runs on are shared. Every measured
/// metric needs an entry: the static check treats a missing one as zero tolerance.
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

/// One iteration: decode the next body; records its MB/s.
@inline(__always)
func decodeNext(
    _ fixture: DecodeFixture, _ benchmark: Benchmark,
    _ decode: (UnsafeRawBufferPointer, inout MetricBatch) throws(WireError) -> DatadogIntakeResult
) {
    let index = fixture.next
    fixture.next = index + 1 == fixture.bodies.count ? 0 : index + 1
    fixture.batch.removeAll()
    let start = ContinuousClock.now
    fixture.bodies[index].withUnsafeBytes { raw in
        do throws(WireError) {
            let result = try decode(raw, &fixture.batch)
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

let benchmarks: @Sendable () -> Void = {
    let configuration = Benchmark.Configuration(
        metrics: [.instructions, .mallocCountTotal, .wallClock, .throughput, megabytesPerSecond],
        warmupIterations: 5,
        maxDuration: .seconds(3),
        maxIterations: 2_000,
        thresholds: gatedTolerances
    )

    let v1 = DecodeFixture()
    Benchmark("v1_json_body", configuration: configuration) { benchmark in
        let decoder = DatadogSeriesV1Decoder(options: DecodeSettings.options)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            decodeNext(v1, benchmark) { (raw, batch) throws(WireError) in try decoder.decode(raw, into: &batch) }
        }
    } setup: {
        v1.bodies = try DecodeSettings.loadV1Bodies()
        v1.batch.removeAll()
        v1.next = 0
        // Decode once so the batch has its capacity before anything is measured.
        let decoder = DatadogSeriesV1Decoder(options: DecodeSettings.options)
        for body in v1.bodies {
            v1.batch.removeAll()
            _ = try body.withUnsafeBytes { raw throws(WireError) in try decoder.decode(raw, into: &v1.batch) }
        }
    } teardown: {
        if v1.failures > 0 { print("warning: \(v1.failures) v1 decodes did not accept 1000 samples") }
        v1.bodies = []
    }

    let v2 = DecodeFixture()
    Benchmark("v2_json_body", configuration: configuration) { benchmark in
        let decoder = DatadogSeriesV2Decoder(options: DecodeSettings.options)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            decodeNext(v2, benchmark) { (raw, batch) throws(WireError) in try decoder.decode(raw, into: &batch) }
        }
    } setup: {
        v2.bodies = try DecodeSettings.loadV1Bodies().map(DecodeSettings.convertToV2)
        v2.batch.removeAll()
        v2.next = 0
        let decoder = DatadogSeriesV2Decoder(options: DecodeSettings.options)
        for body in v2.bodies {
            v2.batch.removeAll()
            _ = try body.withUnsafeBytes { raw throws(WireError) in try decoder.decode(raw, into: &v2.batch) }
        }
    } teardown: {
        if v2.failures > 0 { print("warning: \(v2.failures) v2 decodes did not accept 1000 samples") }
        v2.bodies = []
    }
}
