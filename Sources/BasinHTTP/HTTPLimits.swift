/// Limits that keep a hostile or broken client from hurting the server.
///
/// Every dialect reads these from its ``DialectEnvironment``; the server fills them from flags,
/// `BASIN_*` environment variables or the config file. Going over a limit answers the vendor's
/// status code with a message that names the limit.
public struct HTTPLimits: Sendable, Equatable {
    /// Most bytes of a request body as sent (compressed or not).
    public var maxBodyBytes: Int = 5 << 20
    /// Most bytes of a request body after undoing `Content-Encoding`.
    public var maxDecompressedBytes: Int = 64 << 20
    /// Most labels on one series, metric name included.
    public var maxLabelsPerSeries: Int = 128
    /// Most bytes in one label name.
    public var maxLabelNameBytes: Int = 256
    /// Most bytes in one label value.
    public var maxLabelValueBytes: Int = 4096
    /// Most bytes in one metric name.
    public var maxMetricNameBytes: Int = 512
    /// Most series one query may read.
    public var maxQuerySeries: Int = 100_000
    /// Most samples one query may read.
    public var maxQuerySamples: Int = 50_000_000
    /// Most points per series one range query may produce (Prometheus' 11,000).
    public var maxQueryPoints: Int = 11_000
    /// Longest a query may run, in seconds.
    public var queryTimeoutSeconds: Double = 60
    /// Most bytes of a Dynatrace metric ingest body as sent (Dynatrace's documented 1 MB payload
    /// limit, 1,048,576 bytes, the size its JMeter plugin splits at); over it the request gets `413`.
    public var maxDynatraceBodyBytes: Int = 1 << 20

    /// The defaults above.
    public init() {}
}
