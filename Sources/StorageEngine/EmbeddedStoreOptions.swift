/// Tuning for ``EmbeddedMetricStore``; every field has a default that suits a single node.
public struct EmbeddedStoreOptions: Sendable {
    /// A write-ahead log segment is closed and a new one started once it would grow past this
    /// many bytes. Default 128 MiB. A single record larger than this gets a segment of its own.
    public var walSegmentSizeBytes: Int
    /// Replay logs an info line after each this many records (in addition to one line per
    /// segment and a final summary). Default 1,000,000.
    public var replayProgressEveryRecords: Int

    /// Test hook called by the syncer before each sync; returning true makes that sync fail as
    /// if `fdatasync` had failed (the failure path without a broken disk). It may also sleep, to
    /// let appends pile up behind one sync.
    package var beforeSync: (@Sendable () -> Bool)?

    /// Creates options; see each property for its default.
    public init(walSegmentSizeBytes: Int = 128 << 20, replayProgressEveryRecords: Int = 1_000_000) {
        self.walSegmentSizeBytes = walSegmentSizeBytes
        self.replayProgressEveryRecords = replayProgressEveryRecords
    }
}
