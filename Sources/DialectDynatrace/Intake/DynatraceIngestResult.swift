/// What one Dynatrace ingest body contributed: partial success as a value.
///
/// Every non-blank line is either OK (its samples are in the batch, or its metadata is in
/// ``metadata``) or invalid (listed, up to the limit, in ``invalidLines``). The HTTP layer turns
/// this into Dynatrace's `ValidationResponse`: `202` when no line is invalid, `400` otherwise,
/// and the valid lines are stored either way.
public struct DynatraceIngestResult: Sendable, Equatable {
    /// Lines accepted (data and metadata lines).
    public var linesOk: Int = 0
    /// Lines rejected.
    public var linesInvalid: Int = 0
    /// The first invalid lines, in body order (at most `maxReportedErrors`).
    public var invalidLines: [DynatraceLineIssue] = []
    /// The first warnings (metric key renames), in body order (at most `maxReportedWarnings`).
    public var warnings: [DynatraceLineIssue] = []
    /// All warnings, listed or not.
    public var warningCount: Int = 0
    /// Samples added to the batch (a summary line adds up to five).
    public var samplesAccepted: Int = 0
    /// Metadata from metadata lines; the first line for a metric name wins within one body.
    public var metadata: [DynatraceMetricMetadata] = []

    /// An empty result.
    public init() {}
}
