/// One series of a query result, on the query's grid, with the fields Datadog reports for it.
public struct DatadogSeries: Sendable, Equatable {
    /// The metric name, or the formula text for arithmetic.
    public var metric: String
    public var displayName: String
    /// `[agg:]metric{scope}` for a metric query, the formula for derived series.
    public var expression: String
    /// Filter tags and this group's tags, sorted and comma-joined; `*` when there are none.
    public var scope: String
    /// This group's `by` tags (`key:value`), in the order of the `by` clause.
    public var tagSet: [String]
    /// The explicit space aggregator, nil when the query had none.
    public var aggr: String?
    /// The metric whose stored unit the series reports (nil for formulas).
    public var unitMetric: String?
    /// One value per grid bucket; nil where the bucket has no value.
    public var values: [Double?]
    /// How `default_zero()` interpolates this series before filling zeros: linear for 300 s
    /// when the metric is interpolated (gauges) and the query has no `.fill()`; nil otherwise
    /// (`.as_count()`/`.as_rate()` of counts and rates, distributions, constants).
    var interpolation: DatadogInterpolation?

    public init(
        metric: String, displayName: String, expression: String, scope: String, tagSet: [String],
        aggr: String?, unitMetric: String?, values: [Double?]
    ) {
        self.metric = metric
        self.displayName = displayName
        self.expression = expression
        self.scope = scope
        self.tagSet = tagSet
        self.aggr = aggr
        self.unitMetric = unitMetric
        self.values = values
    }

    /// Whether a `by` tag of this group is missing from its sources (`key:N/A`).
    var hasMissingGroupTag: Bool { tagSet.contains { $0.hasSuffix(":" + DatadogSeries.missingTagValue) } }

    /// The group value of sources lacking a `by` key (spec §4.2).
    static let missingTagValue = "N/A"

    /// Whether no bucket has a value.
    public var isEmpty: Bool { !values.contains { $0 != nil } }
}

/// A fill method and its limit.
struct DatadogInterpolation: Sendable, Equatable {
    var method: DatadogFillMethod
    var limitSeconds: Int64
}

/// What an expression evaluates to: a constant or series on the grid.
enum DatadogValue: Sendable {
    case constant(Double)
    case series([DatadogSeries])
}

/// The result of one `/api/v1/query` request.
public struct DatadogQueryResult: Sendable {
    /// The grid every series of query index `i` is on.
    public var grids: [DatadogGrid]
    /// `(query_index, series)`, in output order.
    public var series: [(queryIndex: Int, series: DatadogSeries)]
    /// The `by` keys of all sub-queries, first appearance first.
    public var groupBy: [String]
}
