/// Limits the record-shaped Datadog intakes (events, service checks, logs, distribution points)
/// enforce on one request, on top of the server's body-size limits.
///
/// A value over a limit rejects the request with `400` and a message naming the limit
/// (`… exceeds the limit of 4096 bytes (maxFieldBytes)`); a body over a size limit is `413`.
/// Two limits truncate instead, because Datadog does: an event `text` longer than
/// ``maxEventTextCharacters`` (datadog-api-client rejects longer texts in responses) and a log
/// longer than ``maxLogMessageBytes`` (Datadog's logs intake truncates at 1 MB and still answers 202).
public struct DatadogRecordLimits: Sendable, Equatable {
    /// Most tags on one event, service check or log (default 128, the server's label limit).
    public var maxTags: Int = 128
    /// Longest tag in bytes, `key:value` together (default 4353: 256 + 1 + 4096).
    public var maxTagBytes: Int = 4353
    /// Longest event title in bytes (default 4000). Datadog accepts titles over 100 characters.
    public var maxTitleBytes: Int = 4000
    /// Event texts are cut to this many Unicode scalars (Datadog's documented 4000).
    public var maxEventTextCharacters: Int = 4000
    /// Longest other string member (host, aggregation key, source type, check name, …) in bytes.
    public var maxFieldBytes: Int = 4096
    /// Longest service-check message in bytes (default 65 536).
    public var maxMessageBytes: Int = 65_536
    /// Most service checks in one `check_run` request (default 10 000).
    public var maxChecksPerRequest: Int = 10_000
    /// Most events in one Agent `/intake/` payload (default 10 000).
    public var maxEventsPerRequest: Int = 10_000
    /// Most log entries in one request (Datadog's documented 1000 per array).
    public var maxLogsPerRequest: Int = 1000
    /// Log messages are cut to this many bytes (Datadog's 1 MB per log).
    public var maxLogMessageBytes: Int = 1 << 20
    /// Largest decompressed logs body in bytes (Datadog's 5 MB); over it: `413`.
    public var maxLogsBodyBytes: Int = 5 << 20
    /// Most raw values in one distribution point `[ts, [v…]]` (default 100 000).
    public var maxValuesPerPoint: Int = 100_000
    /// Most attributes (all nesting levels) in one log entry (default 1000).
    public var maxLogAttributes: Int = 1000
    /// Deepest JSON nesting accepted (default 64).
    public var maxJSONDepth: Int = 64

    /// The defaults above.
    public init() {}
}
