import BasinModel
import Logging
import Metrics
import StorageAPI
import Synchronization

/// Failure handling of the write-ahead log: classifying errors, undoing a failed write,
/// cutting segments back after a failed sync (see the type's documentation).
extension WriteAheadLog {
    /// Fails with the errno ``EmbeddedStoreOptions/beforeWALWrite`` returns for `path`, if any.
    func injectWriteFault(_ path: String) throws(FileIOError) {
        if let hook = options.beforeWALWrite, let errnoValue = hook(path) {
            throw FileIOError(operation: "write (injected)", path: path, errnoValue: errnoValue)
        }
    }

    /// A full disk is `unavailable` with a retry delay (it clears by itself); anything else is `internalError`.
    static func classify(_ error: FileIOError, _ context: String) -> StorageError {
        error.isOutOfSpace ? .diskFull(error) : StorageError(kind: .internalError, message: "\(context): \(error)")
    }

    /// Cuts a failed write (or whatever part of it landed) off the current segment; when that
    /// fails too, the log is marked failed.
    func undoPartialWrite(_ s: inout State, error: FileIOError) {
        do throws(FileIOError) {
            try s.segment.truncate(to: s.segmentBytes)
        } catch {
            s.failure = StorageError(kind: .internalError, message: "write-ahead log write failed and could not be undone: \(error)")
            logger.error("write-ahead log disabled", metadata: ["error": "\(error)"])
        }
    }

    /// After a failed sync: fails every waiting append and cuts every unsynced segment back.
    ///
    /// For a full disk the log stays usable (a new segment takes later appends); for any other
    /// error, or when the cut-back itself fails, the log is marked failed.
    func fail(with failure: FileIOError) {
        let outOfSpace = failure.isOutOfSpace
        let error = outOfSpace
            ? StorageError.diskFull(failure)
            : StorageError(kind: .internalError, message: "write-ahead log sync failed: \(failure)")
        let (failed, cutFiles, cutError) = state.withLock { s in
            defer { s.waiters = [] }
            s.syncScheduled = false
            // The failed sync may have covered a rotation; its directory entry still needs one.
            s.directoryNeedsSync = true
            var cutError: FileIOError?
            do throws(FileIOError) { try cutBack(&s) } catch { cutError = error }
            if !outOfSpace || cutError != nil {
                s.failure = cutError.map {
                    StorageError(kind: .internalError, message: "write-ahead log sync failed and could not be undone: \($0)")
                } ?? error
            } else {
                s.segmentAbandoned = true
            }
            return (s.waiters, s.unsyncedRotated.map(\.file) + [s.segment], cutError)
        }
        if outOfSpace, cutError == nil {
            // Best effort, outside the lock: make the cut-backs durable now rather than with
            // the next group's sync (which covers them again before acknowledging anything).
            for f in cutFiles { try? f.sync() }
            diskFullCounter.increment(by: Int64(failed.count))
            logger.warning("write-ahead log sync failed for lack of space; appends fail until space is freed", metadata: [
                "error": "\(failure)", "failed-appends": "\(failed.count)",
            ])
        } else {
            logger.error("write-ahead log sync failed; refusing writes until restart", metadata: [
                "error": "\(failure)", "undo-error": "\(cutError.map { "\($0)" } ?? "none")",
            ])
        }
        for w in failed { w.continuation.resume(throwing: error) }
    }

    /// Truncates every segment with unsynced bytes back to its last synced length.
    func cutBack(_ s: inout State) throws(FileIOError) {
        for i in s.unsyncedRotated.indices where s.unsyncedRotated[i].bytes > s.unsyncedRotated[i].syncedBytes {
            let r = s.unsyncedRotated[i]
            try r.file.truncate(to: r.syncedBytes)
            s.walBytes -= r.bytes - r.syncedBytes
            s.unsyncedRotated[i].bytes = r.syncedBytes
        }
        if s.segmentBytes > s.segmentSyncedBytes {
            try s.segment.truncate(to: s.segmentSyncedBytes)
            s.walBytes -= s.segmentBytes - s.segmentSyncedBytes
            s.segmentBytes = s.segmentSyncedBytes
        }
    }
}
