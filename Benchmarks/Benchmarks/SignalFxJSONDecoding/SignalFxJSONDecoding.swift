// SignalFx `/v2/datapoint` JSON decoding: bytes of the ../shared/bench SignalFx bodies
// (`{"gauge":[…]}`, 1000 points each with 6–9 dimensions, ≈233 KB) into a
// SignalFxDatapointBatch, as the route does before storing. Bodies: `BASIN_BENCH_SIGNALFX_PAYLOADS`
// (default /tmp/peers/sfx/signalfx), the first `BASIN_BENCH_BODIES` (default 20); generate them
// with `python3 ../shared/bench/gen_payloads.py --series 10000 --points-per-series 240
// --batch 1000 --seed 42 --formats signalfx --out /tmp/peers/sfx --now $(date +%s)`.
// One iteration decodes one body: `throughput` × mean body bytes = bytes/s.

import Benchmark
import BenchmarkBodies
import BasinWire
import DialectSignalFx
import Foundation

final class DecodeFixture: @unchecked Sendable {
    var bodies: [[UInt8]] = []
    var next = 0
}

enum DecodeSettings {
    static func load(into fixture: DecodeFixture) throws {
        fixture.bodies = try BenchmarkBodies.load(BenchmarkBodies.directory("BASIN_BENCH_SIGNALFX_PAYLOADS", default: "/tmp/peers/sfx/signalfx"))
        BenchmarkBodies.report("SignalFxJSONDecoding", fixture.bodies)
    }
}

let benchmarks: @Sendable () -> Void = {
    let configuration = Benchmark.Configuration(
        metrics: [.wallClock, .throughput, .mallocCountTotal],
        warmupIterations: 5,
        maxDuration: .seconds(5),
        maxIterations: 1_000_000,
        thresholds: [
            // Measured 2026-12-01 on the shared, contended 2-core VM (load ≈ 5), 238,262-byte
            // bodies: p50 370 bodies/s ≈ 88 MB/s, best 427 bodies/s ≈ 102 MB/s, 1,080 mallocs per
            // body (one Labels per point). Floor at about half the contended p50.
            // With the scanner fast paths and the reworked LabelsBuilder: 6.4 M instructions per
            // body under callgrind (was 12.9 M), p50 1,596 bodies/s ≈ 380 MB/s, best 1,835 ≈
            // 437 MB/s at load ≈ 7; 1,076 mallocs per body.
            .throughput: .init(absolute: [.p50: 180]),
        ]
    )
    let fixture = DecodeFixture()
    Benchmark("SignalFx JSON body (1000 points)", configuration: configuration) { benchmark in
        for _ in benchmark.scaledIterations {
            let body = fixture.bodies[fixture.next % fixture.bodies.count]
            fixture.next += 1
            var batch = SignalFxDatapointBatch(nowMillis: 1_800_000_000_000)
            do {
                try body.withUnsafeBytes { raw in try SignalFxDatapointJSONDecoder.decode(raw, into: &batch) }
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
