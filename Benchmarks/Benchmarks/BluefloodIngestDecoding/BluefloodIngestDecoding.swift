// Blueflood `/ingest` decoding: bytes of the ../shared/bench Blueflood bodies (1000 samples
// each, `env.region.host.metric` names) into a MetricBatch plus per-metric metadata, and the
// comparison of that metadata with what was last written, as the route does before storing.
// Steady state: the setup decodes every body once and remembers its metadata as written, so an
// iteration finds nothing to write (the route then skips the metadata update; until
// 2026-12-01 every iteration built a String and a MetricMetadata per name instead).
// Bodies: `BASIN_BENCH_BLUEFLOOD_PAYLOADS` (default /tmp/peers/bf/blueflood), the first
// `BASIN_BENCH_BODIES` (default 20); generate them with `python3 ../shared/bench/gen_payloads.py
// --series 10000 --points-per-series 240 --batch 1000 --seed 42 --formats blueflood
// --out /tmp/peers/bf --now $(date +%s)` (the decoder's clock is the manifest's `now`, so old
// bodies stay inside Blueflood's 3-day window).
// One iteration decodes one body: `throughput` × mean body bytes = bytes/s.

import Benchmark
import BenchmarkBodies
import BasinModel
import DialectBlueflood
import Foundation

final class DecodeFixture: @unchecked Sendable {
    var bodies: [[UInt8]] = []
    var nowMillis: Int64 = 0
    var next = 0
    /// The route's cache, holding every body's metadata as written.
    let metadata = BluefloodMetadataCache()
}

enum DecodeSettings {
    static func load(into fixture: DecodeFixture) throws {
        let payloads = BenchmarkBodies.directory("BASIN_BENCH_BLUEFLOOD_PAYLOADS", default: "/tmp/peers/bf/blueflood")
        fixture.bodies = try BenchmarkBodies.load(payloads)
        fixture.nowMillis = try BenchmarkBodies.manifestNowSeconds(payloads) * 1000
        BenchmarkBodies.report("BluefloodIngestDecoding", fixture.bodies)
        let decoder = BluefloodIngestDecoder(options: BluefloodIntakeOptions(nowMillis: fixture.nowMillis))
        for body in fixture.bodies {
            let result = body.withUnsafeBytes { decoder.decodeMetrics($0, pathTenant: "t1", multiTenant: false) }
            guard case .success(let intake) = result, let basic = intake.basicMetadata["t1"] else { continue }
            fixture.metadata.commit(fixture.metadata.changes(basic, org: DecodeSettings.org), org: DecodeSettings.org)
        }
    }

    static let org = OrgID("t1")
}

let benchmarks: @Sendable () -> Void = {
    let configuration = Benchmark.Configuration(
        metrics: [.wallClock, .throughput, .mallocCountTotal],
        warmupIterations: 5,
        maxDuration: .seconds(5),
        maxIterations: 1_000_000,
        thresholds: [
            // Measured 2026-12-01 on the shared, contended 2-core VM (load ≈ 5), 140,209-byte
            // bodies: p50 604 bodies/s ≈ 85 MB/s, best 1,144 bodies/s ≈ 160 MB/s, 2,111 mallocs
            // per body (one Labels and one metadata name String per new series). Floor at
            // about half the contended p50.
            // After the scanner fast paths (keys matched in place, plain strings and integers
            // inline, names kept as body slices, no String per unit): 5.6 M instructions per body
            // under callgrind (was 8.0 M), p25 1,213 bodies/s ≈ 170 MB/s, best 1,419 ≈ 199 MB/s
            // at load ≈ 7; 2,057 mallocs per body. Of what is left, the metadata dictionary (a
            // String and a SipHash per new name, and their release) is about a third.
            // Metadata kept as bytes and compared with what the route last wrote (steady state:
            // nothing to write): 3.80 M instructions per body (was 5.55 M), 1,056 mallocs (was 2,057).
            .throughput: .init(absolute: [.p50: 300]),
        ]
    )
    let fixture = DecodeFixture()
    Benchmark("Blueflood ingest body (1000 samples)", configuration: configuration) { benchmark in
        let decoder = BluefloodIngestDecoder(options: BluefloodIntakeOptions(nowMillis: fixture.nowMillis))
        for _ in benchmark.scaledIterations {
            let body = fixture.bodies[fixture.next % fixture.bodies.count]
            fixture.next += 1
            let result = body.withUnsafeBytes { decoder.decodeMetrics($0, pathTenant: "t1", multiTenant: false) }
            guard case .success(let intake) = result, intake.sampleCount == 1000, let basic = intake.basicMetadata["t1"] else {
                fatalError("body \(fixture.next) did not decode to 1000 samples: \(result)")
            }
            let changes = fixture.metadata.changes(basic, org: DecodeSettings.org)
            guard changes.isEmpty else { fatalError("body \(fixture.next): \(changes.updates.count) names not seen in the setup") }
            blackHole(intake)
        }
    } setup: {
        try DecodeSettings.load(into: fixture)
    }
}
