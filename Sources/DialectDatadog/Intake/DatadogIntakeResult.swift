/// What a Datadog intake request contributed: partial success as a value.
///
/// Structural problems (malformed JSON, wrong types, a series without `metric` or `points`) are
/// thrown as `WireError` and reject the whole request. Problems confined to one series (a limit
/// exceeded) reject that series only and are counted here; points Datadog itself discards
/// (a `null` or non-finite value, a timestamp outside the window) are dropped and counted.
public struct DatadogIntakeResult: Sendable, Equatable {
    /// Samples added to the batch.
    public var accepted: Int = 0
    /// Samples of series rejected for exceeding a limit.
    public var rejected: Int = 0
    /// Points skipped by rule: `null` or non-finite value, timestamp outside the window.
    public var dropped: Int = 0
    /// Series rejected for exceeding a limit.
    public var rejectedSeries: Int = 0
    /// Messages for the first rejected series (bounded by `DatadogIntakeLimits.maxErrorMessages`).
    public var errors: [String] = []
    /// The `interval` (seconds) sent with each series registered in the batch, in the batch's
    /// series order (only the series this request registered); 0 when absent. Kept for metric metadata (`.as_count()` needs it).
    public var intervalsSeconds: [Int64] = []
    /// The `unit` sent with each series registered in the batch (v2 JSON and protobuf), parallel
    /// to ``intervalsSeconds``; empty when absent. Recorded in metric metadata when it has none.
    public var units: [String] = []

    /// An empty result.
    public init() {}

    /// Whether the request should be refused as a whole: series were sent, and all were rejected.
    public var isTotalRejection: Bool { accepted == 0 && rejectedSeries > 0 }
}
