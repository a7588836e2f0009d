// Dynatrace `/api/v2/metrics/ingest` line parsing: bytes of the ../shared/bench Dynatrace bodies
// (1000 `key,dims gauge,V TS_MS` lines each, 6–9 dimensions) into a MetricBatch, as the route
// does before storing. Bodies: `BASIN_BENCH_DYNATRACE_PAYLOADS` (default /tmp/peers/dt/dynatrace),
// the first `BASIN_BENCH_BODIES` (default 20); generate them with `python3
// ../shared/bench/gen_payloads.py --series 10000 --points-per-series 240 --batch 1000 --seed 42
// --formats dynatrace --out /tmp/peers/dt --now $(date +%s)`. The parser's clock is the
// manifest's `now`, so older bodies stay inside Dynatrace's one-hour window.
// One iteration parses one body: `throughput` × mean body bytes = bytes/s.

import Benchmark
import BenchmarkBodies
import BasinModel
import DialectDynatrace
import Foundation

final class ParseFixture: @unchecked Sendable {
    var bodies: [[UInt8]] = []
    var nowMillis: Int64 = 0
    var next = 0
}

enum ParseSettings {
    static func load(into fixture: ParseFixture) throws {
        let payloads = BenchmarkBodies.directory("BASIN_BENCH_DYNATRACE_PAYLOADS", default: "/tmp/peers/dt/dynatrace")
        fixture.bodies = try BenchmarkBodies.load(payloads)
        // The first bodies hold the oldest points, up to an hour and one interval before `now`.
        fixture.nowMillis = try BenchmarkBodies.manifestNowSeconds(payloads) * 1000 - 60_000
        BenchmarkBodies.report("DynatraceLineParsing", fixture.bodies)
    }
}

let benchmarks: @Sendable () -> Void = {
    let configuration = Benchmark.Configuration(
        metrics: [.wallClock, .throughput, .mallocCountTotal],
        warmupIterations: 5,
        maxDuration: .seconds(5),
        maxIterations: 1_000_000
    )
    let fixture = ParseFixture()
    Benchmark("Dynatrace ingest body (1000 lines)", configuration: configuration) { benchmark in
        let parser = DynatraceLineParser(options: DynatraceIngestOptions(nowMillis: fixture.nowMillis))
        var batch = MetricBatch()
        for _ in benchmark.scaledIterations {
            let body = fixture.bodies[fixture.next % fixture.bodies.count]
            fixture.next += 1
            batch.removeAll()
            let result = body.withUnsafeBytes { raw in Result { () throws(DynatraceLineError) in try parser.parse(raw, into: &batch) } }
            guard case .success(let outcome) = result, outcome.linesOk == 1000, outcome.linesInvalid == 0 else {
                fatalError("body \(fixture.next) did not parse to 1000 good lines: \(result)")
            }
            blackHole(batch)
        }
    } setup: {
        try ParseSettings.load(into: fixture)
    }
}
