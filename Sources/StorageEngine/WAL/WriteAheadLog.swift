import BasinModel
import Dispatch
import Logging
import Metrics
import StorageAPI
import Synchronization

/// The write side of the write-ahead log: appends records and makes them durable with group commit.
///
/// An append encodes its record outside any lock, then, under the log's lock, writes it at the
/// end of the current segment and queues a waiter holding the record's end position. One serial
/// syncer (a dispatch queue, so a blocking `fdatasync` never occupies a Swift concurrency
/// thread) syncs everything written so far and wakes every waiter it covered; appends that
/// arrive during a sync are covered by the next one, so N concurrent appends cost far fewer
/// than N syncs, and none costs a sync of its own while another is pending.
///
/// Visibility: a record's batch is applied to the head on a serial apply queue, after the sync that
/// covered it succeeded and in log order, and only then is its append resumed. So an
/// acknowledged batch is visible and durable, a failed one is never visible in this process,
/// and the head agrees with what a replay of the log would build.
///
/// Failures: a failed write is undone with `ftruncate` and fails only that append (when the
/// undo fails too, the log is marked failed). A failed sync fails every waiting append with
/// kind `internalError` and marks the log failed: after an `fdatasync` error the page cache
/// can no longer be trusted, so later appends fail with `unavailable` until a restart. The
/// current segment is cut back to the last synced offset on a best-effort basis; records of
/// failed appends may still survive on disk and replay after a restart, which a client's retry
/// makes harmless because a repeated (series, timestamp) keeps the last value.
final class WriteAheadLog: Sendable {
    private struct Waiter: Sendable {
        var endPosition: UInt64
        /// The segment the record went to (the store routes batches of frozen segments to the frozen head).
        var segmentIndex: Int
        var batch: MetricBatch
        var org: OrgID
        var continuation: CheckedContinuation<Void, any Error>
    }

    private struct State: Sendable {
        var segment: PosixFile
        var segmentIndex: Int
        /// Bytes in the current segment (header included).
        var segmentBytes: Int
        /// Bytes of the current segment known to be synced.
        var segmentSyncedBytes: Int
        /// Rotated segments written but not yet synced.
        var unsyncedRotated: [PosixFile] = []
        var directoryNeedsSync = false
        /// Total bytes ever written by this process (a position, not a size).
        var writtenPosition: UInt64 = 0
        var waiters: [Waiter] = []
        var syncScheduled = false
        var failure: StorageError?
        var closed = false
        var walBytes: Int
        var syncCount = 0
    }

    let directory: String
    private let options: EmbeddedStoreOptions
    private let logger: Logger
    private let state: Mutex<State>
    private let syncQueue = DispatchQueue(label: "basin.wal.sync")
    /// Applies synced groups to the head, in log order, then resumes their appenders. Separate
    /// from `syncQueue` so the next fsync overlaps the head work of the group before it.
    private let applyQueue = DispatchQueue(label: "basin.wal.apply")
    private let apply: @Sendable (MetricBatch, OrgID, Int) -> Void
    private let fsyncTimer = Timer(label: "basin_wal_fsync_seconds")
    private let bytesCounter = Counter(label: "basin_wal_bytes_written_total")
    private let syncCounter = Counter(label: "basin_wal_syncs_total")

    /// Starts a new segment after `lastSegmentIndex` and accepts appends.
    ///
    /// - Parameters:
    ///   - existingBytes: bytes already in older segments (for ``walBytes``).
    ///   - apply: called on the apply queue, in log order, with each batch once it is durable and
    ///     the index of the segment that holds it.
    init(
        directory: String, lastSegmentIndex: Int, existingBytes: Int, options: EmbeddedStoreOptions,
        logger: Logger, apply: @escaping @Sendable (MetricBatch, OrgID, Int) -> Void
    ) throws(FileIOError) {
        self.directory = directory
        self.options = options
        self.logger = logger
        self.apply = apply
        let index = lastSegmentIndex + 1
        let file = try WALSegment.create(directory: directory, index: index)
        try Directory.sync(directory)
        state = Mutex(State(
            segment: file, segmentIndex: index, segmentBytes: WALSegment.headerSize,
            segmentSyncedBytes: WALSegment.headerSize, walBytes: existingBytes + WALSegment.headerSize))
    }

    /// Bytes in all segments on disk.
    var walBytes: Int { state.withLock { $0.walBytes } }

    /// Syncs performed so far (successful or not).
    var syncCount: Int { state.withLock { $0.syncCount } }

    /// Durably appends one batch; returns once it is synced and applied to the head.
    func append(_ batch: MetricBatch, org: OrgID) async throws {
        var record: [UInt8] = []
        try WALRecord.encodeBatch(batch, org: org, into: &record)
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            state.withLock { s in
                do throws(StorageError) {
                    try write(record, &s)
                } catch {
                    continuation.resume(throwing: error)
                    return
                }
                s.waiters.append(Waiter(
                    endPosition: s.writtenPosition, segmentIndex: s.segmentIndex, batch: batch, org: org,
                    continuation: continuation))
                if !s.syncScheduled {
                    s.syncScheduled = true
                    // Enqueued under the lock so `close()`'s barrier is ordered after it.
                    syncQueue.async { self.runSyncLoop() }
                }
            }
        }
        bytesCounter.increment(by: Int64(record.count))
    }

    /// Writes a framed record at the end of the log (rotating first when the segment is full).
    private func write(_ record: [UInt8], _ s: inout State) throws(StorageError) {
        if let failure = s.failure {
            throw StorageError(kind: .unavailable, message: "write-ahead log unusable after an earlier failure: \(failure.message)")
        }
        if s.closed {
            throw StorageError(kind: .unavailable, message: "store is closed")
        }
        do throws(FileIOError) {
            if s.segmentBytes > WALSegment.headerSize, s.segmentBytes + record.count > options.walSegmentSizeBytes {
                try rotate(&s)
            }
            try s.segment.write(record, at: s.segmentBytes)
        } catch {
            undoPartialWrite(&s, error: error)
            throw StorageError(kind: .internalError, message: "write-ahead log write failed: \(error)")
        }
        s.segmentBytes += record.count
        s.walBytes += record.count
        s.writtenPosition += UInt64(record.count)
    }

    /// Waits for pending syncs, then closes the segment; later appends fail with `unavailable`.
    func close() async {
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            state.withLock { s in
                s.closed = true
                // After the sync loop drains, wait for the groups it handed to the apply queue.
                syncQueue.async { self.applyQueue.async { done.resume() } }
            }
        }
        state.withLock { s in
            for f in s.unsyncedRotated { f.close() }
            s.unsyncedRotated = []
            try? s.segment.sync()
            s.segment.close()
        }
    }

    /// Starts a new segment now and calls `body` with its index while no append can write.
    ///
    /// The store freezes its head inside `body`: every record in an earlier segment then
    /// belongs to the frozen head, every later one to the new head.
    /// - Returns: the new segment's index.
    func rotate(_ body: (Int) -> Void) throws(StorageError) -> Int {
        try state.withLock { s throws(StorageError) in
            if let failure = s.failure {
                throw StorageError(kind: .unavailable, message: "write-ahead log unusable after an earlier failure: \(failure.message)")
            }
            if s.closed { throw StorageError(kind: .unavailable, message: "store is closed") }
            do throws(FileIOError) {
                try rotate(&s)
            } catch {
                throw StorageError(kind: .internalError, message: "cannot start a write-ahead log segment: \(error)")
            }
            body(s.segmentIndex)
            return s.segmentIndex
        }
    }

    /// Returns once every append written before the call was synced and applied (or failed).
    func drain() async {
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            // The sync loop runs until no waiter is left, and hands each group to the apply
            // queue before it returns; a barrier behind both sees every earlier append done.
            syncQueue.async { self.applyQueue.async { done.resume() } }
        }
    }

    /// Deletes every segment numbered below `index` (their records are in blocks now).
    ///
    /// - Returns: the bytes removed.
    func removeSegments(below index: Int) throws(FileIOError) -> Int {
        let names = try Directory.list(directory)
        var removed = 0
        for name in names {
            guard let i = WALSegment.index(ofName: name), i < index else { continue }
            let path = directory + "/" + name
            let size = (try? PosixFile.openReadWrite(path, create: false).size()) ?? 0
            try Directory.remove(path)
            removed += size
        }
        if removed > 0 {
            try Directory.sync(directory)
            state.withLock { $0.walBytes = max(0, $0.walBytes - removed) }
        }
        return removed
    }

    private func rotate(_ s: inout State) throws(FileIOError) {
        let next = try WALSegment.create(directory: directory, index: s.segmentIndex + 1)
        s.unsyncedRotated.append(s.segment)
        s.segment = next
        s.segmentIndex += 1
        s.segmentBytes = WALSegment.headerSize
        s.segmentSyncedBytes = WALSegment.headerSize
        s.walBytes += WALSegment.headerSize
        s.directoryNeedsSync = true
        logger.debug("write-ahead log segment started", metadata: ["segment": "\(WALSegment.name(s.segmentIndex))"])
    }

    private func undoPartialWrite(_ s: inout State, error: FileIOError) {
        do throws(FileIOError) {
            try s.segment.truncate(to: s.segmentBytes)
        } catch {
            s.failure = StorageError(kind: .internalError, message: "write-ahead log write failed and could not be undone: \(error)")
            logger.error("write-ahead log disabled", metadata: ["error": "\(error)"])
        }
    }

    /// What one sync covers, taken under the lock.
    private struct SyncTarget {
        /// Rotated segments first, the current segment last.
        var files: [PosixFile]
        var position: UInt64
        var segmentBytes: Int
        var syncDirectory: Bool
    }

    /// Runs on `syncQueue`: syncs until no waiter is left.
    private func runSyncLoop() {
        while true {
            let target = state.withLock { s in
                defer { s.directoryNeedsSync = false }
                return SyncTarget(
                    files: s.unsyncedRotated + [s.segment], position: s.writtenPosition,
                    segmentBytes: s.segmentBytes, syncDirectory: s.directoryNeedsSync)
            }
            if let failure = sync(target) {
                fail(with: failure)
                return
            }
            let (ready, again) = state.withLock { s in complete(target, &s) }
            if !ready.isEmpty {
                // Groups are enqueued in sync order and the queue is serial: the head sees
                // batches in log order, exactly as a replay would.
                applyQueue.async {
                    for w in ready { self.apply(w.batch, w.org, w.segmentIndex) }
                    for w in ready { w.continuation.resume() }
                }
            }
            if !again { return }
        }
    }

    /// Syncs the target's files (and the directory after a rotation), timing and counting it.
    private func sync(_ target: SyncTarget) -> FileIOError? {
        var failure: FileIOError?
        let start = DispatchTime.now().uptimeNanoseconds
        if let hook = options.beforeSync, hook() {
            failure = FileIOError(operation: "fdatasync (injected)", path: target.files.last?.path ?? directory, errnoValue: 5)
        } else {
            do throws(FileIOError) {
                for f in target.files { try f.sync() }
                if target.syncDirectory { try Directory.sync(directory) }
            } catch {
                failure = error
            }
        }
        fsyncTimer.recordNanoseconds(Int64(DispatchTime.now().uptimeNanoseconds - start))
        syncCounter.increment()
        state.withLock { $0.syncCount += 1 }
        return failure
    }

    /// After a successful sync: releases complete segments and takes the covered waiters.
    private func complete(_ target: SyncTarget, _ s: inout State) -> (ready: [Waiter], again: Bool) {
        // Only segments already rotated at the snapshot are complete; the segment that was
        // current then may have been rotated since, with writes the sync did not cover.
        let complete = target.files.dropLast()
        for f in complete { f.close() }
        s.unsyncedRotated.removeAll { f in complete.contains { $0 === f } }
        if s.segment === target.files.last { s.segmentSyncedBytes = target.segmentBytes }
        let covered = s.waiters.prefix { $0.endPosition <= target.position }
        s.waiters.removeFirst(covered.count)
        let again = !s.waiters.isEmpty
        if !again { s.syncScheduled = false }
        return (Array(covered), again)
    }

    /// After a failed sync: marks the log failed and fails every waiting append.
    private func fail(with failure: FileIOError) {
        let error = StorageError(kind: .internalError, message: "write-ahead log sync failed: \(failure)")
        let failed = state.withLock { s in
            s.failure = error
            // Best effort: drop the unsynced tail of the current segment (see the type's docs).
            try? s.segment.truncate(to: s.segmentSyncedBytes)
            defer { s.waiters = [] }
            s.syncScheduled = false
            return s.waiters
        }
        logger.error("write-ahead log sync failed; refusing writes until restart", metadata: ["error": "\(failure)"])
        for w in failed { w.continuation.resume(throwing: error) }
    }
}
