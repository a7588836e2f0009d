import BasinModel
import StorageAPI

/// One metric as `GET /api/v2/metrics` describes it (Dynatrace's `MetricDescriptor`, the subset
/// that applies to ingested metrics, spec §5).
public struct DynatraceMetricDescriptor: Sendable, Equatable {
    public var metricId: String
    public var kind: MetricKind
    public var metadata: MetricMetadata
    /// Dimension keys seen on the metric, sorted; nil when not looked up.
    public var dimensionKeys: [String]?

    /// `displayName`: the metadata's, else the key (as Dynatrace shows an ingested metric).
    public var displayName: String { metadata.displayName ?? metricId }
    /// `description`: the metadata's, else empty.
    public var description: String { metadata.description ?? "" }
    /// `unit`: the metadata's, else Dynatrace's `Unspecified`.
    public var unit: String { metadata.unit ?? "Unspecified" }
    /// `aggregationTypes` (spec §5: gauges and summaries `auto avg count max min sum`, counts
    /// `auto value` plus what Basin also evaluates).
    public var aggregationTypes: [String] {
        kind == .count ? ["auto", "avg", "count", "max", "min", "sum", "value"]
            : kind == .summary ? ["auto", "avg", "count", "max", "min", "sum"]
            : ["auto", "avg", "count", "max", "median", "min", "percentile", "sum"]
    }
    /// `defaultAggregation.type`: `value` for counts, `avg` otherwise.
    public var defaultAggregation: String { kind == .count ? "value" : "avg" }

    /// The transformations Basin evaluates (`transformations`).
    public static let transformations = [
        "filter", "fold", "limit", "last", "names", "rate", "sort", "splitBy", "default", "delta", "smooth",
    ]
}
