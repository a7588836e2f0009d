/// Settings of ``BluefloodIngestDecoder``: the clock, the time window and the limits that guard
/// every string, list and nesting level read from a request body.
///
/// Each limit, when crossed, is an error entry of the offending item (never a trap, never a
/// silent truncation) whose message names the limit, for example
/// `metricName is 600 bytes, over the limit of 512`.
public struct BluefloodIntakeOptions: Sendable {
    /// The server clock in milliseconds since the Unix epoch, against which the window is checked.
    public var nowMillis: Int64
    /// How far back `collectionTime`, `timestamp` and `when` may lie, in milliseconds (§3.1).
    public var maxPastMillis: Int64 = Blueflood.maxPastMillis
    /// How far ahead they may lie, in milliseconds (§3.1).
    public var maxFutureMillis: Int64 = Blueflood.maxFutureMillis
    /// Longest metric name (basic metric, gauge, counter, timer or set), in UTF-8 bytes.
    public var maxMetricNameBytes: Int = 512
    /// Longest `unit`, in UTF-8 bytes.
    public var maxUnitBytes: Int = 4096
    /// Most strings in one set item's `values`.
    public var maxSetValues: Int = 10_000
    /// Longest string of a set, in UTF-8 bytes.
    public var maxSetValueBytes: Int = 4096
    /// Longest tenant id taken from a body (or the path, for `/ingest` and `/events`), in UTF-8 bytes.
    public var maxTenantBytes: Int = 64
    /// Deepest nesting of a value the dialect does not interpret (an object `metricValue`, a
    /// `histogram`, an unknown aggregated member), counting the value's own container as 1.
    public var maxValueDepth: Int = 32
    /// Most entries in one timer's `percentiles`.
    public var maxPercentiles: Int = 100
    /// Longest percentile key (`50`, `99_9`), in UTF-8 bytes; it becomes part of a series name.
    public var maxPercentileKeyBytes: Int = 64
    /// Longest `what`, `tags` or `data` of an event, in UTF-8 bytes.
    public var maxEventTextBytes: Int = 65_536

    /// Options with the Blueflood defaults and the given clock.
    public init(nowMillis: Int64) {
        self.nowMillis = nowMillis
    }

    /// Whether a time in milliseconds lies inside `now − maxPast … now + maxFuture` (both inclusive).
    func isInWindow(_ millis: Int64) -> Bool {
        let (low, lowOverflow) = nowMillis.subtractingReportingOverflow(maxPastMillis)
        let (high, highOverflow) = nowMillis.addingReportingOverflow(maxFutureMillis)
        return (lowOverflow || millis >= low) && (highOverflow || millis <= high)
    }

    /// The out-of-bounds message with the configured window.
    var outOfBoundsMessage: String {
        Blueflood.outOfBoundsMessage(maxPastMillis: maxPastMillis, maxFutureMillis: maxFutureMillis)
    }

    /// `<field> is <n> bytes, over the limit of <limit>`.
    static func overLimit(_ field: String, bytes: Int, limit: Int) -> String {
        "\(field) is \(bytes) bytes, over the limit of \(limit)"
    }
}
