import BasinModel
import Foundation
import Logging
import StorageAPI
import StorageEngine
import Synchronization
import Testing

@Suite("Group commit")
struct GroupCommitTests {
    static func oneSample(_ i: Int) -> MetricBatch {
        var batch = MetricBatch()
        batch.append(Labels(metricName: "concurrent", [("writer", String(i))]), kind: .gauge, timestampMillis: Int64(i), value: Double(i))
        return batch
    }

    @Test("50 concurrent appends are all acknowledged and share syncs")
    func concurrentAppendsShareSyncs() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        var options = EmbeddedStoreOptions()
        // Hold each sync a little so appends pile up behind it, as they do on a real disk.
        options.beforeSync = {
            usleep(20_000)
            return false
        }
        let store = try await EmbeddedMetricStore.open(directory: dir.path, options: options, logger: CapturedLogs().logger)
        let syncsBefore = store.walSyncCount
        try await withThrowingTaskGroup(of: Void.self) { group in
            for i in 0..<50 {
                group.addTask {
                    try await store.append(Self.oneSample(i), org: .default)
                    // Acknowledged means visible.
                    let seen = try await store.series(
                        org: .default, matcherSets: [[.equal("writer", String(i))]], startMillis: .min, endMillis: .max)
                    #expect(seen.count == 1)
                }
            }
            try await group.waitForAll()
        }
        let syncs = store.walSyncCount - syncsBefore
        #expect(syncs < 50)
        #expect(syncs >= 1)
        let got = try await store.series(org: .default, matcherSets: [], startMillis: .min, endMillis: .max)
        #expect(got.count == 50)
        try await store.close()
        let reopened = try await EmbeddedMetricStore.open(directory: dir.path, logger: CapturedLogs().logger)
        #expect(await reopened.stats().headSamples == 50)
        try await reopened.close()
    }

    @Test("a failed sync fails the waiting append, hides its data and refuses later appends")
    func failedSync() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let failNext = Atomic<Bool>(false)
        var options = EmbeddedStoreOptions()
        options.beforeSync = { failNext.load(ordering: .relaxed) }
        let logs = CapturedLogs()
        let store = try await EmbeddedMetricStore.open(directory: dir.path, options: options, logger: logs.logger)
        try await store.append(Self.oneSample(1), org: .default)
        failNext.store(true, ordering: .relaxed)
        do {
            try await store.append(Self.oneSample(2), org: .default)
            Issue.record("append should have failed")
        } catch let error as StorageError {
            #expect(error.kind == .internalError)
        }
        do {
            try await store.append(Self.oneSample(3), org: .default)
            Issue.record("append after a failed sync should be refused")
        } catch let error as StorageError {
            #expect(error.kind == .unavailable)
        }
        let visible = try await store.series(org: .default, matcherSets: [], startMillis: .min, endMillis: .max)
        #expect(visible.map { $0["writer"] } == ["1"])
        #expect(logs.contains(level: .error, "sync failed"))
        try await store.close()
    }

    @Test("appends after close fail with unavailable")
    func appendAfterClose() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let store = try await EmbeddedMetricStore.open(directory: dir.path, logger: CapturedLogs().logger)
        try await store.close()
        await #expect(throws: StorageError.self) { try await store.append(Self.oneSample(1), org: .default) }
    }
}
