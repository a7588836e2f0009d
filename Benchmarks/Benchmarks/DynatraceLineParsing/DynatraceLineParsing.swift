// Dynatrace `/api/v2/metrics/ingest` line parsing: bytes of the ../shared/bench Dynatrace bodies
// (1000 `key,dims gauge,V TS_MS` lines each, 6–9 dimensions) into a MetricBatch, as the route
// does before storing. Bodies: `BASIN_BENCH_DYNATRACE_PAYLOADS` (default /tmp/peers/dt/dynatrace),
// the first `BASIN_BENCH_BODIES` (default 20); generate them with `python3
// ../shared/bench/gen_payloads.py --series 10000 --points-per-series 240 --batch 1000 --seed 42
// --formats dynatrace --out /tmp/peers/dt --now $(date +%s)`. The parser's clock is the
// manifest's `now`, so older bodies stay inside Dynatrace's one-hour window.
// One iteration parses one body: `throughput` × mean body bytes = bytes/s.

import Benchmark
import BasinModel
import DialectDynatrace
import Foundation

struct BenchSetupError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

final class ParseFixture: @unchecked Sendable {
    var bodies: [[UInt8]] = []
    var nowMillis: Int64 = 0
    var next = 0
}

enum ParseSettings {
    static var payloads: String {
        ProcessInfo.processInfo.environment["BASIN_BENCH_DYNATRACE_PAYLOADS"] ?? "/tmp/peers/dt/dynatrace"
    }

    static var bodyCount: Int {
        ProcessInfo.processInfo.environment["BASIN_BENCH_BODIES"].flatMap(Int.init) ?? 20
    }

    static func load(into fixture: ParseFixture) throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: payloads).filter { $0.hasPrefix("body-") }.sorted().prefix(bodyCount)
        guard !names.isEmpty else { throw BenchSetupError("no body-* files in \(payloads)") }
        fixture.bodies = try names.map { Array(try Data(contentsOf: URL(fileURLWithPath: payloads + "/" + $0))) }
        let manifest = try Data(contentsOf: URL(fileURLWithPath: payloads + "/../manifest.json"))
        let object = try JSONSerialization.jsonObject(with: manifest) as? [String: Any]
        let now = ((object?["params"] as? [String: Any])?["now"] as? NSNumber)?.int64Value ?? 0
        // The first bodies hold the oldest points, up to an hour and one interval before `now`.
        fixture.nowMillis = now * 1000 - 60_000
        let mean = fixture.bodies.map(\.count).reduce(0, +) / fixture.bodies.count
        print("DynatraceLineParsing: \(fixture.bodies.count) bodies, mean \(mean) bytes")
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
