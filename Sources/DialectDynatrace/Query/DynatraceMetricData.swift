/// The evaluated answer of `GET /api/v2/metrics/query` (Dynatrace's `MetricData`, spec §4.2).
public struct DynatraceMetricData: Sendable, Equatable {
    /// The response's `resolution` (`1m`, `Inf`, …).
    public var resolution: String
    /// One entry per metric expression, in selector order.
    public var results: [DynatraceMetricSeriesCollection]

    /// `totalCount`: the series across all results.
    public var totalCount: Int { results.reduce(0) { $0 + $1.data.count } }
}

/// One expression's result (`MetricSeriesCollection`).
public struct DynatraceMetricSeriesCollection: Sendable, Equatable {
    /// The key and transformations as written, e.g. `builtin:host.cpu.idle:fold`.
    public var metricId: String
    /// Per-expression warnings (unknown dimension keys, an unapplied `:default`).
    public var warnings: [String]
    /// The series.
    public var data: [DynatraceMetricSeries]
}

/// One series (`MetricSeries`).
public struct DynatraceMetricSeries: Sendable, Equatable {
    /// The dimensions, sorted by key (`dimensions` lists their values in this order).
    public var dimensions: [(key: String, value: String)]
    /// Slot end times, milliseconds.
    public var timestampsMillis: [Int64]
    /// One value per timestamp; nil for a slot without data.
    public var values: [Double?]

    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.dimensions.map(\.key) == rhs.dimensions.map(\.key) && lhs.dimensions.map(\.value) == rhs.dimensions.map(\.value)
            && lhs.timestampsMillis == rhs.timestampsMillis && lhs.values == rhs.values
    }
}
