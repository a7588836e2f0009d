import BasinModel
import Foundation
import Logging
import StorageAPI
@testable import StorageEngine
import Synchronization
import Testing

@Suite("Disk full: appends fail with a retryable error and writing resumes by itself")
struct DiskFullTests {
    static func oneSample(_ i: Int) -> MetricBatch {
        var batch = MetricBatch()
        batch.append(Labels(metricName: "disk.full", [("writer", String(i))]), kind: .gauge, timestampMillis: Int64(i), value: Double(i))
        return batch
    }

    /// The `writer` labels a store shows, sorted numerically.
    static func writers(_ store: EmbeddedMetricStore) async throws -> [Int] {
        let seen = try await store.series(org: .default, matcherSets: [], startMillis: .min, endMillis: .max)
        return seen.compactMap { $0["writer"].flatMap { Int($0) } }.sorted()
    }

    /// Checks `error` is the disk-full rejection: `unavailable`, naming a log path, with a retry delay.
    static func expectDiskFull(_ error: any Error, sourceLocation: SourceLocation = #_sourceLocation) {
        guard let error = error as? StorageError else {
            Issue.record("expected a StorageError, got \(error)", sourceLocation: sourceLocation)
            return
        }
        #expect(error.kind == .unavailable, sourceLocation: sourceLocation)
        #expect(error.message.hasPrefix("disk full: "), "\(error.message)", sourceLocation: sourceLocation)
        #expect(error.message.contains("/wal/"), "\(error.message)", sourceLocation: sourceLocation)
        #expect(error.message.hasSuffix("; retry later"), "\(error.message)", sourceLocation: sourceLocation)
        #expect(error.retryAfterSeconds == 5, sourceLocation: sourceLocation)
    }

    /// Opens a copy of the directory as a crash would leave it (no close, no final sync) and
    /// returns the writers it replays.
    static func writersAfterCrash(_ dir: TemporaryDirectory) async throws -> [Int] {
        let snapshot = try dir.copy()
        defer { snapshot.remove() }
        let store = try await EmbeddedMetricStore.open(directory: snapshot.path, logger: CapturedLogs().logger)
        let found = try await writers(store)
        try await store.close()
        return found
    }

    @Test("a sync failing with ENOSPC fails its append, hides it, and later appends go to a new segment and survive")
    func syncOutOfSpace() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let failNext = Atomic<Bool>(false)
        var options = EmbeddedStoreOptions()
        options.beforeSync = { failNext.exchange(false, ordering: .relaxed) }
        options.beforeSyncErrno = ENOSPC
        let logs = CapturedLogs()
        let store = try await EmbeddedMetricStore.open(directory: dir.path, options: options, logger: logs.logger)
        try await store.append(Self.oneSample(1), org: .default)
        let segmentsBefore = try dir.segments()
        let syncedSize = try SegmentFile.size(segmentsBefore.last ?? "")

        failNext.store(true, ordering: .relaxed)
        do {
            try await store.append(Self.oneSample(2), org: .default)
            Issue.record("append should have failed")
        } catch {
            Self.expectDiskFull(error)
        }
        #expect(try await Self.writers(store) == [1], "a failed append is never visible")
        #expect(try SegmentFile.size(segmentsBefore.last ?? "") == syncedSize, "the segment is cut back to its last sync")
        #expect(logs.contains(level: .warning, "lack of space"))

        // Space is back: no restart needed, and the log carries on in a new segment.
        try await store.append(Self.oneSample(3), org: .default)
        try await store.append(Self.oneSample(4), org: .default)
        #expect(try await Self.writers(store) == [1, 3, 4])
        #expect(try dir.segments().count == segmentsBefore.count + 1)
        #expect(try await Self.writersAfterCrash(dir) == [1, 3, 4])
        try await store.close()

        let reopened = try await EmbeddedMetricStore.open(directory: dir.path, logger: CapturedLogs().logger)
        #expect(try await Self.writers(reopened) == [1, 3, 4])
        try await reopened.close()
    }

    @Test("a sync failing with EIO still marks the log failed")
    func syncIOErrorStillFails() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let failNext = Atomic<Bool>(false)
        var options = EmbeddedStoreOptions()
        options.beforeSync = { failNext.exchange(false, ordering: .relaxed) }
        let store = try await EmbeddedMetricStore.open(directory: dir.path, options: options, logger: CapturedLogs().logger)
        failNext.store(true, ordering: .relaxed)
        await #expect(throws: StorageError.self) { try await store.append(Self.oneSample(1), org: .default) }
        do {
            try await store.append(Self.oneSample(2), org: .default)
            Issue.record("append after an I/O error should be refused")
        } catch let error as StorageError {
            #expect(error.kind == .unavailable)
            #expect(error.retryAfterSeconds == nil)
        }
        try await store.close()
    }

    @Test("concurrent appends behind a sync that fails for space all fail, none is visible, and writing resumes")
    func concurrentAppendsBehindFailedSync() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let failing = Atomic<Bool>(false)
        var options = EmbeddedStoreOptions()
        options.beforeSync = {
            usleep(5_000)   // let appends pile up behind the sync
            return failing.load(ordering: .relaxed)
        }
        options.beforeSyncErrno = ENOSPC
        let store = try await EmbeddedMetricStore.open(directory: dir.path, options: options, logger: CapturedLogs().logger)
        try await store.append(Self.oneSample(0), org: .default)
        failing.store(true, ordering: .relaxed)
        let outcomes = try await withThrowingTaskGroup(of: (Int, (any Error)?).self) { group in
            for i in 1...30 {
                group.addTask {
                    do {
                        try await store.append(Self.oneSample(i), org: .default)
                        return (i, nil)
                    } catch {
                        return (i, error)
                    }
                }
            }
            return try await group.reduce(into: [(Int, (any Error)?)]()) { $0.append($1) }
        }
        #expect(outcomes.allSatisfy { $0.1 != nil }, "every sync fails while the disk is full")
        for (_, error) in outcomes { if let error { Self.expectDiskFull(error) } }
        #expect(try await Self.writers(store) == [0])

        failing.store(false, ordering: .relaxed)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for i in 31...60 { group.addTask { try await store.append(Self.oneSample(i), org: .default) } }
            try await group.waitForAll()
        }
        let expected = [0] + Array(31...60)
        #expect(try await Self.writers(store) == expected)
        #expect(try await Self.writersAfterCrash(dir) == expected, "acknowledged appends are durable, cut-back ones gone")
        try await store.close()
    }

    @Test("a record write failing with ENOSPC fails only that append and leaves no partial record")
    func writeOutOfSpace() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let full = Atomic<Bool>(false)
        var options = EmbeddedStoreOptions()
        options.beforeWALWrite = { _ in full.load(ordering: .relaxed) ? ENOSPC : nil }
        let store = try await EmbeddedMetricStore.open(directory: dir.path, options: options, logger: CapturedLogs().logger)
        try await store.append(Self.oneSample(1), org: .default)
        let segment = try #require(try dir.segments().last)
        let size = try SegmentFile.size(segment)
        full.store(true, ordering: .relaxed)
        for i in 2...4 {
            do {
                try await store.append(Self.oneSample(i), org: .default)
                Issue.record("append should have failed")
            } catch {
                Self.expectDiskFull(error)
            }
        }
        #expect(try SegmentFile.size(segment) == size)
        full.store(false, ordering: .relaxed)
        try await store.append(Self.oneSample(5), org: .default)
        #expect(try await Self.writers(store) == [1, 5])
        #expect(try await Self.writersAfterCrash(dir) == [1, 5])
        try await store.close()
    }

    @Test("a segment that cannot be created for lack of space fails the append and is retried by the next one")
    func rotationOutOfSpace() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let full = Atomic<Bool>(false)
        // Tiny segments: every append after the first in a segment starts a new one.
        var options = EmbeddedStoreOptions(walSegmentSizeBytes: 16)
        options.beforeWALWrite = { path in full.load(ordering: .relaxed) && path.hasSuffix("/wal/00000002") ? EDQUOT : nil }
        let store = try await EmbeddedMetricStore.open(directory: dir.path, options: options, logger: CapturedLogs().logger)
        try await store.append(Self.oneSample(1), org: .default)   // into segment 1
        full.store(true, ordering: .relaxed)
        do {
            try await store.append(Self.oneSample(2), org: .default)
            Issue.record("append should have failed")
        } catch {
            Self.expectDiskFull(error)
        }
        #expect(try dir.segments().map { ($0 as NSString).lastPathComponent } == ["00000001"], "no half-made segment is left")
        full.store(false, ordering: .relaxed)
        try await store.append(Self.oneSample(3), org: .default)
        try await store.append(Self.oneSample(4), org: .default)
        #expect(try await Self.writers(store) == [1, 3, 4])
        #expect(try await Self.writersAfterCrash(dir) == [1, 3, 4])
        try await store.close()
    }

    @Test("a head cut after a sync failed for space keeps every acknowledged sample")
    func flushAfterOutOfSpace() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let failNext = Atomic<Bool>(false)
        var options = EmbeddedStoreOptions(retentionMillis: .max / 4, compactionIntervalMillis: 3_600_000)
        options.nowMillis = { 0 }
        options.beforeSync = { failNext.exchange(false, ordering: .relaxed) }
        options.beforeSyncErrno = ENOSPC
        let store = try await EmbeddedMetricStore.open(directory: dir.path, options: options, logger: CapturedLogs().logger)
        try await store.append(Self.oneSample(1), org: .default)
        failNext.store(true, ordering: .relaxed)
        await #expect(throws: StorageError.self) { try await store.append(Self.oneSample(2), org: .default) }
        // The cut rotates the abandoned segment away itself; the next append needs no new one.
        try await store.runMaintenance(forceFlush: true, compact: false)
        try await store.append(Self.oneSample(3), org: .default)
        #expect(try await Self.writers(store) == [1, 3])
        #expect(await store.stats().blockSamples == 1)
        #expect(try await Self.writersAfterCrash(dir) == [1, 3])
        try await store.close()
    }

    @Test("a block that cannot be published leaves no temporary file behind")
    func failedBlockLeavesNoTemporaryFile() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        // A non-empty directory where the block should go makes the final rename fail.
        let blocked = dir.path + "/" + BlockFormat.fileName(seq: 7)
        try FileManager.default.createDirectory(atPath: blocked, withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: blocked + "/occupied", contents: Data([1]))
        var writer = try BlockWriter(directory: dir.path, seq: 7)
        let timestamps: [Int64] = [1, 2, 3]
        let values: [Double] = [1, 2, 3]
        try timestamps.withUnsafeBufferPointer { tp in
            try values.withUnsafeBufferPointer { vp in
                try writer.add(org: .default, labels: Labels(metricName: "m", []), kind: .gauge, timestampsMillis: tp, values: vp)
            }
        }
        #expect(throws: FileIOError.self) { try writer.finish(windowStartMillis: 0, windowEndMillis: 10, sources: []) }
        let names = try FileManager.default.contentsOfDirectory(atPath: dir.path)
        #expect(!names.contains { $0.hasSuffix(BlockFormat.temporarySuffix) }, "\(names)")
    }
}
