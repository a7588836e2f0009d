import BasinModel
import BasinTestKit
import StorageAPI
import StorageEngine
import Synchronization
import Testing

@Suite("Embedded store conformance")
struct ConformanceTests {
    /// The checks write samples of 1970: a retention that keeps them, whenever maintenance runs.
    static let options = EmbeddedStoreOptions(retentionMillis: Int64.max / 4)

    /// Remembers the store the factory opened so the test can close it.
    final class Opened: Sendable {
        let store = Mutex<EmbeddedMetricStore?>(nil)
    }

    @Test("the embedded store passes the shared storage check", arguments: MetricStoreConformance.checkNames)
    func conformance(check: String) async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let opened = Opened()
        let logs = CapturedLogs()
        try await MetricStoreConformance.run(check) {
            let store = try await EmbeddedMetricStore.open(directory: dir.path, options: Self.options, logger: logs.logger)
            opened.store.withLock { $0 = store }
            return store
        }
        let store = opened.store.withLock { $0 }
        try await store?.close()
    }

    @Test("every conformance check still passes after a close and reopen", arguments: MetricStoreConformance.checkNames)
    func conformanceAcrossReopen(check: String) async throws {
        // Replaying what each check wrote rebuilds the same head.
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let opened = Opened()
        let logs = CapturedLogs()
        try await MetricStoreConformance.run(check) {
            let store = try await EmbeddedMetricStore.open(directory: dir.path, options: Self.options, logger: logs.logger)
            opened.store.withLock { $0 = store }
            return store
        }
        guard let store = opened.store.withLock({ $0 }) else { return }
        let before = await store.stats()
        try await store.close()
        let reopened = try await EmbeddedMetricStore.open(directory: dir.path, options: Self.options, logger: logs.logger)
        let after = await reopened.stats()
        #expect(after.headSeries == before.headSeries)
        #expect(after.headSamples == before.headSamples)
        let metadataBefore = try await store.metricMetadata(org: .default, metricName: nil)
        let metadataAfter = try await reopened.metricMetadata(org: .default, metricName: nil)
        #expect(metadataAfter == metadataBefore)
        try await reopened.close()
    }
}

@Suite("Embedded store conformance, served from blocks")
struct BlockConformanceTests {
    @Test("every check passes when each append is cut into blocks and compacted at once", arguments: MetricStoreConformance.checkNames)
    func conformanceFromBlocks(check: String) async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let opened = ConformanceTests.Opened()
        var options = EmbeddedStoreOptions(retentionMillis: .max / 4)
        options.maintenanceAfterEveryAppend = true
        try await MetricStoreConformance.run(check) { [options] in
            let store = try await EmbeddedMetricStore.open(directory: dir.path, options: options, logger: CapturedLogs().logger)
            opened.store.withLock { $0 = store }
            return store
        }
        guard let store = opened.store.withLock({ $0 }) else { return }
        let stats = await store.stats()
        #expect(stats.headSamples == 0, "the head was cut into blocks after every append")
        try await store.close()
    }
}
