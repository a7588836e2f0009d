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
/// Failures: a failed write is undone with `ftruncate` and fails only that append. What a
/// failed sync leaves in the page cache cannot be trusted (Linux marks the pages clean and
/// reports the error once), so every waiting append fails, none of them acknowledged, and
/// every segment written since its last good sync is cut back to it.
///
/// A full disk (`ENOSPC`, `EDQUOT`, `EFBIG`, from a write, a sync or creating a segment) is
/// temporary: the append fails with kind `unavailable`, "disk full: …; retry later" and a
/// ``StorageError/retryAfterSeconds``, and the log stays usable. After a sync failed for
/// space, the cut-back segment is abandoned and the next append starts a new segment, so no
/// later record lands behind bytes whose fate is unknown; the next successful sync also covers
/// the cut-back segments, so they are durable at their synced length before anything written
/// after them is acknowledged. Writing resumes by itself once space is freed.
///
/// Any other I/O error from a sync (or a cut-back or undo that fails) marks the log failed:
/// the waiting appends fail with `internalError`, later ones with `unavailable`, until a
/// restart. Either way, records of failed appends may survive on disk and replay after a
/// restart, which a client's retry makes harmless because a repeated (series, timestamp)
/// keeps the last value; an acknowledged append is always durable, a failed one never visible
/// in this process.
final class WriteAheadLog: Sendable {
    struct Waiter: Sendable {
        var endPosition: UInt64
        /// The segment the record went to (the store routes batches of frozen segments to the frozen head).
        var segmentIndex: Int
        var payload: WALPayload
        var org: OrgID
        var continuation: CheckedContinuation<Void, any Error>
    }

    /// A segment no longer written to whose tail (or cut-back) still needs a sync.
    struct RotatedSegment: Sendable {
        var file: PosixFile
        /// Bytes in the segment (header included).
        var bytes: Int
        /// Bytes known to be synced.
        var syncedBytes: Int
    }

    struct State: Sendable {
        var segment: PosixFile
        var segmentIndex: Int
        /// Bytes in the current segment (header included).
        var segmentBytes: Int
        /// Bytes of the current segment known to be synced.
        var segmentSyncedBytes: Int
        /// The current segment was cut back after a sync failed for space: the next write
        /// starts a new segment instead of writing behind bytes whose fate on disk is unknown.
        var segmentAbandoned = false
        /// Rotated segments written but not yet synced.
        var unsyncedRotated: [RotatedSegment] = []
        var directoryNeedsSync = false
        /// Total bytes ever written by this process (a position, not a size).
        var writtenPosition: UInt64 = 0
        var waiters: [Waiter] = []
        var syncScheduled = false
        var failure: StorageError?
        var closed = false
        var walBytes: Int
        var syncCount = 0
        /// Series defined in the current segment (records refer to them by number).
        var seriesTable = WALRecord.SeriesTable()
    }

    let directory: String
    let options: EmbeddedStoreOptions
    let logger: Logger
    let state: Mutex<State>
    private let syncQueue = DispatchQueue(label: "basin.wal.sync")
    /// Applies synced groups to the head, in log order, then resumes their appenders. Separate
    /// from `syncQueue` so the next fsync overlaps the head work of the group before it.
    private let applyQueue = DispatchQueue(label: "basin.wal.apply")
    private let apply: @Sendable (WALPayload, OrgID, Int) -> Void
    private let fsyncTimer = Timer(label: "basin_wal_fsync_seconds")
    private let bytesCounter = Counter(label: "basin_wal_bytes_written_total")
    private let syncCounter = Counter(label: "basin_wal_syncs_total")
    /// Appends rejected because the disk (or quota) was full.
    let diskFullCounter = Counter(label: "basin_storage_disk_full_rejections_total")

    /// Starts a new segment after `lastSegmentIndex` and accepts appends.
    ///
    /// - Parameters:
    ///   - existingBytes: bytes already in older segments (for ``walBytes``).
    ///   - apply: called on the apply queue, in log order, with each payload once it is durable and
    ///     the index of the segment that holds it.
    init(
        directory: String, lastSegmentIndex: Int, existingBytes: Int, options: EmbeddedStoreOptions,
        logger: Logger, apply: @escaping @Sendable (WALPayload, OrgID, Int) -> Void
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
    ///
    /// The record is encoded under the log's lock: its series refer to definitions earlier in
    /// the current segment, so the encoding depends on what the segment already holds.
    func append(_ batch: MetricBatch, org: OrgID) async throws {
        var record: [UInt8] = []
        record.reserveCapacity(64 + batch.sampleCount * 14)
        try await enqueue(.metrics(batch), org: org, record: &record) { s, record throws(StorageError) in
            let defined = s.seriesTable.count
            do throws(StorageError) {
                try WALRecord.encodeBatch(batch, org: org, table: &s.seriesTable, into: &record)
                try write(record, &s)
            } catch {
                s.seriesTable.removeLast(from: defined)
                throw error
            }
        }
    }

    /// Durably appends records of one dataset; returns once they are synced and applied.
    ///
    /// The record is encoded before the lock is taken: it refers to nothing earlier in the log.
    func append(records entry: RecordLogEntry, org: OrgID) async throws {
        var record: [UInt8] = []
        try WALRecord.encodeRecords(entry, org: org, into: &record)
        try await enqueue(.records(entry), org: org, record: &record) { s, record throws(StorageError) in
            try write(record, &s)
        }
    }

    /// Writes the record under the lock (through `writeRecord`) and waits for the sync that covers it.
    private func enqueue(
        _ payload: WALPayload, org: OrgID, record: inout [UInt8],
        writeRecord: (inout State, inout [UInt8]) throws(StorageError) -> Void
    ) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            state.withLock { s in
                do throws(StorageError) {
                    try prepareSegment(&s)
                    try writeRecord(&s, &record)
                } catch {
                    // Only a full disk sets a retry delay on a write error.
                    if error.retryAfterSeconds != nil { diskFullCounter.increment() }
                    continuation.resume(throwing: error)
                    return
                }
                s.waiters.append(Waiter(
                    endPosition: s.writtenPosition, segmentIndex: s.segmentIndex, payload: payload, org: org,
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

    /// Refuses writes after a failure or close; starts a new segment when the current one is
    /// full (it reached `walSegmentSizeBytes`, so a segment may exceed it by one record) or was
    /// abandoned after a failed sync.
    private func prepareSegment(_ s: inout State) throws(StorageError) {
        if let failure = s.failure {
            throw StorageError(kind: .unavailable, message: "write-ahead log unusable after an earlier failure: \(failure.message)")
        }
        if s.closed {
            throw StorageError(kind: .unavailable, message: "store is closed")
        }
        guard s.segmentAbandoned || s.segmentBytes >= options.walSegmentSizeBytes else { return }
        do throws(FileIOError) {
            try rotate(&s)
        } catch {
            throw Self.classify(error, "write-ahead log write failed")
        }
    }

    /// Writes a framed record at the end of the current segment.
    private func write(_ record: [UInt8], _ s: inout State) throws(StorageError) {
        do throws(FileIOError) {
            try injectWriteFault(s.segment.path)
            try s.segment.write(record, at: s.segmentBytes)
        } catch {
            undoPartialWrite(&s, error: error)
            throw Self.classify(error, "write-ahead log write failed")
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
            for r in s.unsyncedRotated {
                try? r.file.sync()   // a segment cut back after a failed sync may not be synced yet
                r.file.close()
            }
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
                throw Self.classify(error, "cannot start a write-ahead log segment")
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
        let path = directory + "/" + WALSegment.name(s.segmentIndex + 1)
        let next: PosixFile
        do throws(FileIOError) {
            try injectWriteFault(path)
            next = try WALSegment.create(directory: directory, index: s.segmentIndex + 1)
        } catch {
            // A half-made segment (a full disk fails its header or sync) would hold space and,
            // after a crash, replay as a torn tail; the next attempt creates it afresh anyway.
            try? Directory.remove(path)
            throw error
        }
        s.unsyncedRotated.append(RotatedSegment(file: s.segment, bytes: s.segmentBytes, syncedBytes: s.segmentSyncedBytes))
        s.segment = next
        s.seriesTable = WALRecord.SeriesTable()
        s.segmentIndex += 1
        s.segmentBytes = WALSegment.headerSize
        s.segmentSyncedBytes = WALSegment.headerSize
        s.segmentAbandoned = false
        s.walBytes += WALSegment.headerSize
        s.directoryNeedsSync = true
        logger.debug("write-ahead log segment started", metadata: ["segment": "\(WALSegment.name(s.segmentIndex))"])
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
                    files: s.unsyncedRotated.map(\.file) + [s.segment], position: s.writtenPosition,
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
                    for w in ready { self.apply(w.payload, w.org, w.segmentIndex) }
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
            failure = FileIOError(
                operation: "fdatasync (injected)", path: target.files.last?.path ?? directory, errnoValue: options.beforeSyncErrno)
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
        s.unsyncedRotated.removeAll { r in complete.contains { $0 === r.file } }
        if let last = target.files.last {
            if s.segment === last {
                s.segmentSyncedBytes = target.segmentBytes
            } else if let i = s.unsyncedRotated.firstIndex(where: { $0.file === last }) {
                s.unsyncedRotated[i].syncedBytes = target.segmentBytes
            }
        }
        let covered = s.waiters.prefix { $0.endPosition <= target.position }
        s.waiters.removeFirst(covered.count)
        let again = !s.waiters.isEmpty
        if !again { s.syncScheduled = false }
        return (Array(covered), again)
    }
}
