/// Limits a Datadog intake decoder enforces on one request.
///
/// The HTTP layer fills these from the server's `HTTPLimits`; `Intake/` does not import it so
/// decoding stays free of Hummingbird.
public struct DatadogIntakeLimits: Sendable, Equatable {
    /// Most labels per series, the metric name, `host` and `device` included (default 128).
    public var maxLabelsPerSeries: Int = 128
    /// Longest tag key in bytes (default 256).
    public var maxLabelNameBytes: Int = 256
    /// Longest tag value, host or device in bytes (default 4096).
    public var maxLabelValueBytes: Int = 4096
    /// Longest metric name in bytes (default 512).
    public var maxMetricNameBytes: Int = 512
    /// How many rejection messages a result keeps (default 10); later ones are only counted.
    public var maxErrorMessages: Int = 10
    /// Deepest JSON nesting accepted (default 64).
    public var maxJSONDepth: Int = 64

    /// The defaults above.
    public init() {}
}

/// Per-request settings of a Datadog intake decoder.
public struct DatadogIntakeOptions: Sendable, Equatable {
    /// Limits on labels and names.
    public var limits: DatadogIntakeLimits
    /// The receive time in milliseconds since the epoch: replaces timestamps ≤ 0 (the AWS Lambda
    /// extension sends zero timestamps; VictoriaMetrics substitutes "now" too) and anchors the window.
    public var nowMillis: Int64
    /// Points older than `nowMillis - maxPastMillis` are dropped; nil keeps everything (the default,
    /// so backfills work; Datadog itself drops points older than 1 hour).
    public var maxPastMillis: Int64?
    /// Points newer than `nowMillis + maxFutureMillis` are dropped; nil keeps everything
    /// (Datadog drops points more than 10 minutes in the future).
    public var maxFutureMillis: Int64?

    /// Creates options; the window is open unless given.
    public init(limits: DatadogIntakeLimits = DatadogIntakeLimits(), nowMillis: Int64, maxPastMillis: Int64? = nil, maxFutureMillis: Int64? = nil) {
        self.limits = limits
        self.nowMillis = nowMillis
        self.maxPastMillis = maxPastMillis
        self.maxFutureMillis = maxFutureMillis
    }
}
