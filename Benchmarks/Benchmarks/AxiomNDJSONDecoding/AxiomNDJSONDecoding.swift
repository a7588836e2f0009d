// Decoding throughput of the Axiom NDJSON intake on the generated access-log bodies.
//
// Bodies: `gen_payloads.py` output (`logs-ndjson/`, 1000 15-field events per body, ≈445 KB).
// Directory from `BASIN_BENCH_LOG_PAYLOADS` (default /tmp/peers/logs2m/logs-ndjson); the first
// `BASIN_BENCH_BODIES` bodies (default 20) are read in the setup, before anything is measured.
// One iteration decodes one body into records; `throughput` is bodies/s (events/s = × 1000)
// and the custom metric `MB/s` is body bytes over that iteration's decode time.

import Benchmark
import BenchmarkBodies
import BasinModel
import BasinWire
import DialectAxiom
import Foundation

final class NDJSONFixture: @unchecked Sendable {
    var bodies: [[UInt8]] = []
    var next = 0
    var failures = 0
}

enum NDJSONSettings {
    static var directory: String {
        ProcessInfo.processInfo.environment["BASIN_BENCH_LOG_PAYLOADS"] ?? "/tmp/peers/logs2m/logs-ndjson"
    }

    static var bodyCount: Int {
        ProcessInfo.processInfo.environment["BASIN_BENCH_BODIES"].flatMap(Int.init) ?? 20
    }

    static func load() throws -> [[UInt8]] {
        let names = try FileManager.default.contentsOfDirectory(atPath: directory)
            .filter { $0.hasPrefix("body-") }
            .sorted()
            .prefix(bodyCount)
        guard !names.isEmpty else {
            throw BenchSetupError("no body-* files in \(directory) (set BASIN_BENCH_LOG_PAYLOADS; generate with bench/gen_payloads.py --log-events)")
        }
        return try names.map { Array(try Data(contentsOf: URL(fileURLWithPath: directory + "/" + $0))) }
    }
}

let megabytesPerSecond = BenchmarkMetric.custom("MB/s", polarity: .prefersLarger, useScalingFactor: false)

let benchmarks: @Sendable () -> Void = {
    let configuration = Benchmark.Configuration(
        metrics: [.instructions, .mallocCountTotal, .wallClock, .throughput, megabytesPerSecond],
        warmupIterations: 5,
        maxDuration: .seconds(3),
        maxIterations: 2_000,
        thresholds: [
            .mallocCountTotal: .init(relative: [.p90: 2.0]),
            .instructions: .init(relative: [.p90: 5.0]),
            .wallClock: .init(relative: [:], absolute: [:]),
            .throughput: .init(relative: [:], absolute: [:]),
            megabytesPerSecond: .init(relative: [:], absolute: [:]),
        ]
    )
    let fixture = NDJSONFixture()
    Benchmark("ndjson_body_1000_events", configuration: configuration) { benchmark in
        let options = AxiomIngestOptions(nowNanos: 1_800_000_000_000_000_000)
        let decoder = AxiomIngestDecoder(options: options)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            let index = fixture.next
            fixture.next = index + 1 == fixture.bodies.count ? 0 : index + 1
            let start = ContinuousClock.now
            fixture.bodies[index].withUnsafeBytes { raw in
                do throws(WireError) {
                    let batch = try decoder.decode(raw, format: .ndjson)
                    if batch.records.count != 1000 { fixture.failures += 1 }
                    blackHole(batch)
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
        fixture.bodies = try NDJSONSettings.load()
    } teardown: {
        if fixture.failures > 0 { print("AxiomNDJSONDecoding: \(fixture.failures) bodies did not decode to 1000 events") }
    }
}
