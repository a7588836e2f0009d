// A Blueflood MIN5 view over 30 days of one metric, warm: the "under 20 ms" figure.
//
// The store: the embedded engine in a fresh directory under `BASIN_BENCH_DIR` (default
// /tmp/peers), holding 30 days of `bench.metric` at one sample per 30 s (86,400 samples, integer
// and fractional values alternating by day) beside 1,000 other one-sample-a-minute series of
// the same tenant over the last day, all cut into blocks and compacted. One iteration is one
// `BluefloodViewReader.view` at MIN5 from now − 30 d to now (8,640 buckets of count, sum,
// variance and integrality computed by the engine's window aggregates), as `GET /views` runs
// it; wall clock per iteration is the view's latency.

import Benchmark
import BenchmarkBodies
import BasinModel
import DialectBlueflood
import Foundation
import Logging
import StorageAPI
import StorageEngine

final class ViewFixture: @unchecked Sendable {
    var store: EmbeddedMetricStore?
    var directory = ""
    var nowMillis: Int64 = 0
    var request: BluefloodPlotRequest?
}

enum ViewSettings {
    static let org = OrgID("836986")
    static let days: Int64 = 30

    static func fill(_ fixture: ViewFixture) async throws {
        let base = ProcessInfo.processInfo.environment["BASIN_BENCH_DIR"] ?? "/tmp/peers"
        fixture.directory = base + "/bf-view-\(getpid())"
        try? FileManager.default.removeItem(atPath: fixture.directory)
        let options = EmbeddedStoreOptions(retentionMillis: 90 * 86_400_000, headMaxSamples: 50_000_000)
        let store = try await EmbeddedMetricStore.open(directory: fixture.directory, options: options, logger: Logger(label: "bench"))
        let now = Int64(Date().timeIntervalSince1970 * 1000) / 30_000 * 30_000
        let start = now - days * 86_400_000
        for day in 0..<days {
            var batch = MetricBatch()
            let slot = batch.beginSeries(Labels(metricName: "bench.metric"), kind: .gauge)
            for i in 0..<Int64(2_880) {
                let t = start + day * 86_400_000 + i * 30_000
                batch.append(seriesSlot: slot, timestampMillis: t, value: day % 2 == 0 ? Double(i % 100) : Double(i % 100) + 0.25)
            }
            try await store.append(batch, org: org)
        }
        var others = MetricBatch()
        for s in 0..<1_000 {
            let slot = others.beginSeries(Labels(metricName: "other.metric.\(s)"), kind: .gauge)
            for i in 0..<Int64(1_440) { others.append(seriesSlot: slot, timestampMillis: now - 86_400_000 + i * 60_000, value: Double(i)) }
        }
        try await store.append(others, org: org)
        try await store.updateMetricMetadata(org: org, metricName: "bench.metric", MetricMetadata(unit: "ms", dialect: "blueflood", vendorType: "basic", ttlSeconds: 90 * 86_400))
        try await store.runMaintenance(forceFlush: true, compact: true)
        let stats = await store.stats()
        print("BluefloodRollupView: \(stats.blocks) blocks, \(stats.blockBytes) bytes, head samples \(stats.headSamples)")
        fixture.store = store
        fixture.nowMillis = now
        guard case .success(let request) = BluefloodPlotRequest.parse(
            [("from", String(start)), ("to", String(now)), ("resolution", "MIN5")], nowMillis: now) else {
            throw BenchSetupError("the view request did not parse")
        }
        fixture.request = request
    }
}

let benchmarks: @Sendable () -> Void = {
    let configuration = Benchmark.Configuration(
        metrics: [.wallClock, .throughput, .mallocCountTotal],
        warmupIterations: 3,
        maxDuration: .seconds(5),
        maxIterations: 10_000,
        thresholds: [
            // The bound: a warm MIN5 view over 30 days under 20 ms (p90 ≥ 50 views/s).
            .throughput: .init(absolute: [.p90: 50]),
        ]
    )
    let fixture = ViewFixture()
    Benchmark("Blueflood MIN5 view, 30 days, one metric", configuration: configuration) { benchmark in
        guard let store = fixture.store, let request = fixture.request else { fatalError("no store") }
        let reader = BluefloodViewReader(store: store, maxSeries: 100_000, maxSamples: 50_000_000)
        for _ in benchmark.scaledIterations {
            let view = try await reader.view(org: ViewSettings.org, metricName: "bench.metric", request: request, nowMillis: fixture.nowMillis)
            guard view.points.count >= 8_640 else { fatalError("view has \(view.points.count) points") }
            blackHole(view)
        }
    } setup: {
        try await ViewSettings.fill(fixture)
    } teardown: {
        try await fixture.store?.close()
        try? FileManager.default.removeItem(atPath: fixture.directory)
    }
}
