/// Limits a Dynatrace line parser enforces on every line.
///
/// Defaults are Dynatrace's documented limits, lenient where its sources disagree (metric key
/// 250 vs 255, dimension value 250 vs 255: Basin takes 255, what the Java utils send). The HTTP
/// layer lowers them to the server's `HTTPLimits` where those are stricter; `Intake/` does not
/// import BasinHTTP, so decoding stays free of Hummingbird.
public struct DynatraceIngestLimits: Sendable, Equatable {
    /// Longest line in characters (Unicode scalars), default 50,000.
    public var maxLineCharacters: Int = 50_000
    /// Most dimensions on one line, default 50.
    public var maxDimensions: Int = 50
    /// Longest metric key in bytes (keys are ASCII), default 255.
    public var maxMetricKeyBytes: Int = 255
    /// Longest dimension key in bytes (keys are ASCII), default 100.
    public var maxDimensionKeyBytes: Int = 100
    /// Longest dimension value in characters after unescaping, default 255.
    public var maxDimensionValueCharacters: Int = 255
    /// Longest dimension value in bytes after unescaping, default 4096 (the label value limit).
    public var maxDimensionValueBytes: Int = 4096
    /// Longest metadata property value in bytes, default 4096 (the store's metadata field limit).
    public var maxMetadataValueBytes: Int = 4096
    /// How many invalid lines a result lists (Dynatrace lists the first 10), default 10.
    public var maxReportedErrors: Int = 10
    /// How many warnings a result lists, default 100; later ones are only counted.
    public var maxReportedWarnings: Int = 100

    /// The defaults above.
    public init() {}
}

/// Per-request settings of a ``DynatraceLineParser``.
public struct DynatraceIngestOptions: Sendable, Equatable {
    /// Limits on lines, keys and values.
    public var limits: DynatraceIngestLimits
    /// The receive time in milliseconds since the epoch: the timestamp of lines that have none,
    /// and the anchor of the accepted window.
    public var nowMillis: Int64
    /// Lines older than `nowMillis - maxPastMillis` are invalid (Dynatrace: 1 hour).
    public var maxPastMillis: Int64
    /// Lines newer than `nowMillis + maxFutureMillis` are invalid (Dynatrace: 10 minutes).
    public var maxFutureMillis: Int64

    /// Creates options with Dynatrace's window unless told otherwise.
    public init(
        limits: DynatraceIngestLimits = DynatraceIngestLimits(), nowMillis: Int64,
        maxPastMillis: Int64 = 3_600_000, maxFutureMillis: Int64 = 600_000
    ) {
        self.limits = limits
        self.nowMillis = nowMillis
        self.maxPastMillis = maxPastMillis
        self.maxFutureMillis = maxFutureMillis
    }
}
