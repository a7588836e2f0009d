// Start-up time of the embedded store: `EmbeddedMetricStore.open` replaying a write-ahead log
// of 10,000 series × 1,000 samples (10 M samples) into the head.
//
// Label sets are shaped like a Datadog agent's: `__name__` and 7 tags (host, env, region,
// availability-zone, instance-type, service, version), 100 metrics on each of 100 hosts. The
// setup hook writes the log through `append` (100 hosts appending concurrently, so group commit
// shares the syncs) with `headMaxSamples` far above 10 M, so nothing is cut into blocks and open
// has to replay everything; the store lives in a fresh directory under `BASIN_BENCH_WAL_DIR`
// (default /tmp/peers/bench-wal) and is deleted in the teardown hook.
//
// - replay_10M_10_points_per_record: each record holds one host's 100 series × 10 points.
// - replay_10M_1_point_per_record: each record holds one host's 100 series × 1 point, the
//   agent's every-interval flush: a label set per sample, the expensive case.
//
// One iteration = one open (the replay) and close. The custom metric `samples/s` is the head's
// samples over the open's wall time.

import Benchmark
import BasinModel
import Foundation
import Logging
import StorageAPI
import StorageEngine

/// Nothing gated: a 10 M sample replay takes seconds, so only a handful of iterations run and
/// the figures are for reading, not for a threshold check (every measured metric needs an
/// entry: the static check treats a missing one as zero tolerance).
var reportedOnly: [BenchmarkMetric: BenchmarkThresholds] {
    [
        .mallocCountTotal: .init(relative: [:], absolute: [:]),
        .wallClock: .init(relative: [:], absolute: [:]),
        .instructions: .init(relative: [:], absolute: [:]),
        .peakMemoryResident: .init(relative: [:], absolute: [:]),
        samplesPerSecond: .init(relative: [:], absolute: [:]),
    ]
}

let samplesPerSecond = BenchmarkMetric.custom("samples/s", polarity: .prefersLarger, useScalingFactor: false)

let hosts = 100
let metricsPerHost = 100
let pointsPerSeries = 1_000

/// Options that never cut the head nor run maintenance during the benchmark.
let options = EmbeddedStoreOptions(
    headMaxSamples: 1 << 40, headFlushIntervalMillis: 1 << 50, compactionIntervalMillis: 1 << 50)

/// The label sets of one host's 100 series.
func makeSeries(host: Int) -> [Labels] {
    var builder = LabelsBuilder()
    return (0..<metricsPerHost).map { m in
        builder.reset()
        builder.add(name: "__name__", value: "app.metric.\(String(m))")
        builder.add(name: "host", value: "i-0abc\(String(host))def.ec2.internal")
        builder.add(name: "env", value: host % 3 == 0 ? "prod" : "staging")
        builder.add(name: "region", value: "eu-west-\(String(host % 3 + 1))")
        builder.add(name: "availability-zone", value: "eu-west-\(String(host % 3 + 1))b")
        builder.add(name: "instance-type", value: "c5.2xlarge")
        builder.add(name: "service", value: "svc-\(String(host % 7))")
        builder.add(name: "version", value: "1.\(String(host % 5)).0")
        return builder.build()
    }
}

/// A store directory holding 10 M samples in its log, written in records of `pointsPerRecord`.
final class LogFixture: @unchecked Sendable {
    let pointsPerRecord: Int
    var directory = ""
    var samples = 0

    init(pointsPerRecord: Int) { self.pointsPerRecord = pointsPerRecord }

    func setUp() async throws {
        let root = ProcessInfo.processInfo.environment["BASIN_BENCH_WAL_DIR"] ?? "/tmp/peers/bench-wal"
        directory = root + "/replay-\(pointsPerRecord)-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let logger = Logger(label: "basin.bench") { _ in SwiftLogNoOpLogHandler() }
        let store = try await EmbeddedMetricStore.open(directory: directory, options: options, logger: logger)
        let series = (0..<hosts).map { makeSeries(host: $0) }
        let startMillis: Int64 = 1_795_000_000_000
        for round in 0..<(pointsPerSeries / pointsPerRecord) {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for host in 0..<hosts {
                    var batch = MetricBatch()
                    for (m, labels) in series[host].enumerated() {
                        let slot = batch.beginSeries(labels, kind: .gauge)
                        for p in 0..<pointsPerRecord {
                            let point = round * pointsPerRecord + p
                            batch.append(
                                seriesSlot: slot, timestampMillis: startMillis + Int64(point) * 15_000,
                                value: Double((host * metricsPerHost + m) &* 31 &+ point) * 0.5)
                        }
                    }
                    group.addTask { [batch] in try await store.append(batch, org: .default) }
                }
                try await group.waitForAll()
            }
        }
        samples = hosts * metricsPerHost * pointsPerSeries
        try await store.close()
    }

    func tearDown() {
        if !directory.isEmpty { try? FileManager.default.removeItem(atPath: directory) }
    }
}

let benchmarks: @Sendable () -> Void = {
    let configuration = Benchmark.Configuration(
        metrics: [.instructions, .mallocCountTotal, .wallClock, .peakMemoryResident, samplesPerSecond],
        warmupIterations: 0,
        maxDuration: .seconds(60),
        maxIterations: 3,
        thresholds: reportedOnly
    )
    for pointsPerRecord in [10, 1] {
        let fixture = LogFixture(pointsPerRecord: pointsPerRecord)
        let name = "replay_10M_\(pointsPerRecord)_point\(pointsPerRecord == 1 ? "" : "s")_per_record"
        Benchmark(name, configuration: configuration) { benchmark in
            let logger = Logger(label: "basin.bench") { _ in SwiftLogNoOpLogHandler() }
            benchmark.startMeasurement()
            let start = ContinuousClock.now
            let store = try await EmbeddedMetricStore.open(directory: fixture.directory, options: options, logger: logger)
            let elapsed = ContinuousClock.now - start
            benchmark.stopMeasurement()
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            let stats = await store.stats()
            if stats.headSamples != fixture.samples {
                print("warning: replayed \(stats.headSamples) samples, expected \(fixture.samples)")
            }
            if seconds > 0 { benchmark.measurement(samplesPerSecond, Int((Double(stats.headSamples) / seconds).rounded())) }
            try await store.close()
        } setup: {
            try await fixture.setUp()
        } teardown: {
            fixture.tearDown()
        }
    }
}
