// Append throughput of the embedded store (write-ahead log + head) with a real fdatasync.
//
// Each append is one `MetricBatch` of 1000 samples: 100 series × 10 points, label sets shaped
// like the bench data (`__name__`, `host` and 5 tags). The store lives in a fresh directory
// under `BASIN_BENCH_WAL_DIR` (default /tmp/peers/bench-wal, a journaled ext4 image on the
// bench machine; the fsync cost depends entirely on this file system), created in the setup
// hook and closed and deleted in the teardown hook.
//
// - sequential: one appender; every append waits for its own sync. One iteration = one append.
// - 8 concurrent: 8 tasks each append one batch at the same time, so group commit can share
//   syncs. One iteration = 8 appends (8000 samples).
//
// `throughput` counts iterations; the custom metric `samples/s` is the samples of the
// iteration over its wall time.

import Benchmark
import BasinModel
import Foundation
import Logging
import StorageAPI
import StorageEngine

/// Tolerances for `swift package benchmark thresholds check`: only mallocs per iteration are
/// gated (a few percent, since group commit varies how many waiters one sync wakes);
/// instructions, wall clock and samples/s depend on the file system's sync latency and on
/// scheduling, so they are reported but not gated (every measured metric needs an entry: the
/// static check treats a missing one as zero tolerance).
var gatedTolerances: [BenchmarkMetric: BenchmarkThresholds] {
    [
        .mallocCountTotal: .init(relative: [.p90: 10.0], absolute: [.p90: 20]),
        .wallClock: .init(relative: [:], absolute: [:]),
        .throughput: .init(relative: [:], absolute: [:]),
        .instructions: .init(relative: [:], absolute: [:]),
        samplesPerSecond: .init(relative: [:], absolute: [:]),
    ]
}

let samplesPerSecond = BenchmarkMetric.custom("samples/s", polarity: .prefersLarger, useScalingFactor: false)

let metricNames = [
    "system.cpu.user", "system.cpu.system", "system.mem.used", "system.load.1", "system.disk.used",
    "system.net.bytes_rcvd", "http.requests", "http.request.duration.p99", "jvm.heap.used", "app.queue.depth",
]

/// 100 label sets (10 metric names × 10 hosts) for appender `appender`.
func makeSeries(appender: Int) -> [Labels] {
    var builder = LabelsBuilder()
    var series: [Labels] = []
    series.reserveCapacity(100)
    for h in 0..<10 {
        let host = appender * 10 + h
        for name in metricNames {
            builder.reset()
            builder.add(name: "__name__", value: name)
            builder.add(name: "host", value: "host-\(String(host))")
            builder.add(name: "env", value: host % 3 == 0 ? "prod" : "staging")
            builder.add(name: "region", value: "eu-west-\(String(host % 3 + 1))")
            builder.add(name: "az", value: "eu-west-\(String(host % 3 + 1))b")
            builder.add(name: "instance_type", value: "c5.2xlarge")
            builder.add(name: "service", value: "svc-\(String(host % 7))")
            series.append(builder.build())
        }
    }
    return series
}

/// A batch of 10 points (15 s apart, starting at `startMillis`) for each series.
func makeBatch(_ series: [Labels], startMillis: Int64, into batch: inout MetricBatch) {
    batch.removeAll()
    for (i, labels) in series.enumerated() {
        let slot = batch.beginSeries(labels, kind: .gauge)
        for p in 0..<10 {
            batch.append(seriesSlot: slot, timestampMillis: startMillis + Int64(p) * 15_000, value: Double(i * 10 + p) * 0.25)
        }
    }
}

/// The store, its directory and the appenders' state, shared by setup, iterations and teardown.
final class StoreFixture: @unchecked Sendable {
    let appenders: Int
    var directory = ""
    var store: EmbeddedMetricStore?
    var series: [[Labels]] = []
    var batches: [MetricBatch] = []
    var nextStartMillis: Int64 = 1_795_000_000_000
    var failures = 0

    init(appenders: Int) { self.appenders = appenders }

    func setUp() async throws {
        let root = ProcessInfo.processInfo.environment["BASIN_BENCH_WAL_DIR"] ?? "/tmp/peers/bench-wal"
        directory = root + "/append-\(appenders)-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let logger = Logger(label: "basin.bench") { _ in SwiftLogNoOpLogHandler() }
        store = try await EmbeddedMetricStore.open(directory: directory, logger: logger)
        series = (0..<appenders).map { makeSeries(appender: $0) }
        batches = Array(repeating: MetricBatch(), count: appenders)
    }

    func tearDown() async throws {
        if let store { try await store.close() }
        store = nil
        if !directory.isEmpty { try? FileManager.default.removeItem(atPath: directory) }
        if failures > 0 { print("warning: \(failures) appends failed") }
    }

    /// Fills every appender's batch with the next 10 points of its series.
    func prepareBatches() {
        for a in 0..<appenders {
            makeBatch(series[a], startMillis: nextStartMillis, into: &batches[a])
        }
        nextStartMillis += 10 * 15_000
    }
}

func recordRate(_ benchmark: Benchmark, samples: Int, since start: ContinuousClock.Instant) {
    let elapsed = ContinuousClock.now - start
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    if seconds > 0 { benchmark.measurement(samplesPerSecond, Int((Double(samples) / seconds).rounded())) }
}

let benchmarks: @Sendable () -> Void = {
    let configuration = Benchmark.Configuration(
        metrics: [.instructions, .mallocCountTotal, .wallClock, .throughput, samplesPerSecond],
        warmupIterations: 3,
        maxDuration: .seconds(5),
        maxIterations: 2_000,
        thresholds: gatedTolerances
    )

    let sequential = StoreFixture(appenders: 1)
    Benchmark("sequential_1_appender", configuration: configuration) { benchmark in
        sequential.prepareBatches()
        guard let store = sequential.store else { return }
        let batch = sequential.batches[0]
        benchmark.startMeasurement()
        let start = ContinuousClock.now
        do {
            try await store.append(batch, org: .default)
        } catch {
            sequential.failures += 1
        }
        recordRate(benchmark, samples: batch.sampleCount, since: start)
    } setup: {
        try await sequential.setUp()
    } teardown: {
        try await sequential.tearDown()
    }

    let concurrent = StoreFixture(appenders: 8)
    Benchmark("concurrent_8_appenders", configuration: configuration) { benchmark in
        concurrent.prepareBatches()
        guard let store = concurrent.store else { return }
        let batches = concurrent.batches
        benchmark.startMeasurement()
        let start = ContinuousClock.now
        let failed = await withTaskGroup(of: Int.self) { group in
            for batch in batches {
                group.addTask {
                    do {
                        try await store.append(batch, org: .default)
                        return 0
                    } catch {
                        return 1
                    }
                }
            }
            return await group.reduce(0, +)
        }
        recordRate(benchmark, samples: batches.reduce(0) { $0 + $1.sampleCount }, since: start)
        concurrent.failures += failed
    } setup: {
        try await concurrent.setUp()
    } teardown: {
        try await concurrent.tearDown()
    }
}
