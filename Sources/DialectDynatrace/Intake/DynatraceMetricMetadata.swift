/// What a metadata line (`#key gauge dt.meta.unit=…`) said about a metric.
public struct DynatraceMetricMetadata: Sendable, Equatable {
    /// The metric name the metadata applies to (after the `.count` / `.gauge` suffix rules).
    public var metricName: String
    /// `dt.meta.unit`, when given.
    public var unit: String?
    /// `dt.meta.description`, when given.
    public var description: String?
    /// `dt.meta.displayName` (any case), when given.
    public var displayName: String?

    public init(metricName: String, unit: String? = nil, description: String? = nil, displayName: String? = nil) {
        self.metricName = metricName
        self.unit = unit
        self.description = description
        self.displayName = displayName
    }
}
