#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Tuning for ``EmbeddedMetricStore``; every field has a default that suits a single node.
public struct EmbeddedStoreOptions: Sendable {
    /// A write-ahead log segment is closed and a new one started once it has reached this many
    /// bytes (it can exceed it by one record). Default 128 MiB.
    public var walSegmentSizeBytes: Int
    /// Replay logs an info line after each this many records (in addition to one line per
    /// segment and a final summary). Default 1,000,000.
    public var replayProgressEveryRecords: Int
    /// The width of the aligned time windows that blocks are cut into. Default 2 hours.
    public var blockRangeMillis: Int64
    /// Blocks whose newest sample is older than this are deleted. Default 30 days.
    public var retentionMillis: Int64
    /// The head is cut into blocks once it holds this many samples. Default 4,000,000
    /// (about 100 MB of head and a replay of a few seconds).
    public var headMaxSamples: Int
    /// The head is cut into blocks at least this often while it holds samples. Default 30 minutes.
    public var headFlushIntervalMillis: Int64
    /// How often the background task checks for a flush, compaction and retention. Default 30 s.
    public var compactionIntervalMillis: Int64
    /// Records: the head is sealed into partitions once it holds this many records. Default 500,000.
    public var recordsHeadMaxRecords: Int = 500_000
    /// Records: the head is sealed at least this often while it holds records. Default 10 minutes.
    public var recordsHeadFlushIntervalMillis: Int64 = 10 * 60_000
    /// Records: sealed partitions hold records of one aligned time window this wide. Default 1 hour.
    public var recordsPartitionWindowMillis: Int64 = 3_600_000

    /// Test hook called by the syncer before each sync; returning true makes that sync fail as
    /// if `fdatasync` had failed (the failure path without a broken disk). It may also sleep, to
    /// let appends pile up behind one sync.
    package var beforeSync: (@Sendable () -> Bool)?
    /// Test hook: the `errno` a sync failed by ``beforeSync`` reports. Default `EIO`, which
    /// marks the log failed; `ENOSPC` takes the disk-full path, which cuts the segment back and
    /// carries on in a new one.
    package var beforeSyncErrno: Int32 = EIO
    /// Test hook called before the write-ahead log writes a record or creates a segment, with
    /// the segment file's path; returning an `errno` makes that write fail with it, as if
    /// `pwrite` (or creating the segment) had failed, without touching the file.
    package var beforeWALWrite: (@Sendable (_ path: String) -> Int32?)?
    /// Test hook: after every append, cut the whole head into blocks and compact, before the
    /// append returns (so the conformance suite runs against blocks).
    package var maintenanceAfterEveryAppend = false
    /// Test hook: the wall clock, in milliseconds since the epoch (retention and sealing).
    package var nowMillis: @Sendable () -> Int64 = { EmbeddedStoreOptions.wallClockMillis() }

    /// Creates options; see each property for its default.
    public init(
        walSegmentSizeBytes: Int = 128 << 20, replayProgressEveryRecords: Int = 1_000_000,
        blockRangeMillis: Int64 = 2 * 3_600_000, retentionMillis: Int64 = 30 * 86_400_000,
        headMaxSamples: Int = 4_000_000, headFlushIntervalMillis: Int64 = 30 * 60_000,
        compactionIntervalMillis: Int64 = 30_000
    ) {
        self.walSegmentSizeBytes = walSegmentSizeBytes
        self.replayProgressEveryRecords = replayProgressEveryRecords
        self.blockRangeMillis = max(1, blockRangeMillis)
        self.retentionMillis = retentionMillis
        self.headMaxSamples = headMaxSamples
        self.headFlushIntervalMillis = headFlushIntervalMillis
        self.compactionIntervalMillis = max(1, compactionIntervalMillis)
    }

    /// Milliseconds since the Unix epoch.
    package static func wallClockMillis() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000
    }

    /// Compacted blocks cover this many block ranges (one day at the default range).
    var compactedRangeMillis: Int64 { blockRangeMillis * 12 }
}
