// Record append into the embedded records store, sync included, from decoded batches.
//
// Batches: the generated access-log NDJSON bodies (`BASIN_BENCH_LOG_PAYLOADS`, default
// /tmp/peers/logs2m/logs-ndjson; first `BASIN_BENCH_BODIES`, default 20), decoded once in the
// setup. One iteration appends one batch of 1000 records with `appendRecords` (log write,
// fsync, head) from one task: `throughput` × 1000 = records/s on one appender. A fresh store
// under /tmp/peers per run (set `BASIN_BENCH_DIR` to place it elsewhere); its head is large
// enough that no seal runs during the measurement.

import Benchmark
import BenchmarkBodies
import BasinModel
import BasinWire
import DialectAxiom
import Foundation
import Logging
import StorageAPI
import StorageEngine

final class AppendFixture: @unchecked Sendable {
    var batches: [[Record]] = []
    var next = 0
    var store: EmbeddedRecordStore?
    var directory = ""
}

enum AppendSettings {
    static var payloads: String {
        ProcessInfo.processInfo.environment["BASIN_BENCH_LOG_PAYLOADS"] ?? "/tmp/peers/logs2m/logs-ndjson"
    }

    static var bodyCount: Int {
        ProcessInfo.processInfo.environment["BASIN_BENCH_BODIES"].flatMap(Int.init) ?? 20
    }

    static var base: String {
        ProcessInfo.processInfo.environment["BASIN_BENCH_DIR"] ?? "/tmp/peers"
    }

    static func batches() throws -> [[Record]] {
        let names = try FileManager.default.contentsOfDirectory(atPath: payloads).filter { $0.hasPrefix("body-") }.sorted().prefix(bodyCount)
        guard !names.isEmpty else { throw BenchSetupError("no body-* files in \(payloads)") }
        let options = AxiomIngestOptions(nowNanos: 1_800_000_000_000_000_000)
        let decoder = AxiomIngestDecoder(options: options)
        return try names.map { name in
            let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: payloads + "/" + name)))
            return try bytes.withUnsafeBytes { raw in try decoder.decode(raw, format: AxiomIngestFormat.ndjson).records }
        }
    }
}

let benchmarks: @Sendable () -> Void = {
    let configuration = Benchmark.Configuration(
        metrics: [.wallClock, .throughput, .mallocCountTotal],
        warmupIterations: 3,
        maxDuration: .seconds(5),
        maxIterations: 2_000,
        thresholds: [
            .mallocCountTotal: .init(relative: [.p90: 2.0]),
            .wallClock: .init(relative: [:], absolute: [:]),
            .throughput: .init(relative: [:], absolute: [:]),
        ]
    )
    let fixture = AppendFixture()
    Benchmark("append_1000_records_synced", configuration: configuration) { benchmark in
        guard let store = fixture.store else { return }
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            let batch = fixture.batches[fixture.next]
            fixture.next = fixture.next + 1 == fixture.batches.count ? 0 : fixture.next + 1
            try await store.appendRecords(batch, org: OrgID("bench"), dataset: "logs")
        }
    } setup: {
        fixture.batches = try AppendSettings.batches()
        fixture.directory = AppendSettings.base + "/bench-records-append-\(UUID().uuidString)"
        var options = EmbeddedStoreOptions()
        options.recordsHeadMaxRecords = 50_000_000
        options.recordsHeadFlushIntervalMillis = 3_600_000
        let store = try await EmbeddedRecordStore.open(directory: fixture.directory, options: options, logger: Logger(label: "bench"))
        _ = try await store.createDataset(org: OrgID("bench"), DatasetSpec(name: "logs"))
        fixture.store = store
    } teardown: {
        try await fixture.store?.close()
        try? FileManager.default.removeItem(atPath: fixture.directory)
    }
}
