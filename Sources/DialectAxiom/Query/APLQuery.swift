import BasinModel
import StorageAPI

/// An APL query lowered to the records IR, with the metadata Axiom's response shapes need.
public struct APLQuery: Sendable {
    /// The dataset the query reads (from `['ds']`, `ds` or `search in (ds)`).
    public var dataset: String
    /// The pipes, in order, for ``RecordQuery/stages``.
    public var stages: [RecordStage]
    /// One entry per aggregate column of the last `summarize` (or `count`), in output order:
    /// the tabular `fields[i].agg` and the legacy `aggregations[].op`.
    public var aggregations: [APLAggregationInfo]
    /// The time bin when the last summarize's first key is `bin(_time, size)` or
    /// `bin_auto(_time)`: tabular `buckets` and the `_totals` table depend on it.
    public var timeBin: APLTimeBin?
    /// The key column names of the last summarize, in order; empty when none.
    public var groupBy: [String]

    public init(
        dataset: String, stages: [RecordStage], aggregations: [APLAggregationInfo] = [], timeBin: APLTimeBin? = nil,
        groupBy: [String] = []
    ) {
        self.dataset = dataset
        self.stages = stages
        self.aggregations = aggregations
        self.timeBin = timeBin
        self.groupBy = groupBy
    }
}

/// What one aggregate column is, in Axiom's terms (`{"name", "fields", "args"}` of a tabular
/// field's `agg`).
public struct APLAggregationInfo: Sendable, Hashable {
    /// The output column.
    public var column: String
    /// Axiom's aggregation name, one axiom-go knows: `count`, `countif`, `distinct` (for
    /// `dcount`), `sum`, `sumif`, `avg`, `min`, `max`, `percentiles` (for `percentile(s)`), `topk`,
    /// `makelist`, `makeset`.
    public var name: String
    /// The aggregated field: its name when the argument is a column, else the argument's text.
    public var fields: [String]
    /// Constant arguments: `k` of `topk`, `p` of `percentile`.
    public var args: [FieldValue]

    public init(column: String, name: String, fields: [String] = [], args: [FieldValue] = []) {
        self.column = column
        self.name = name
        self.fields = fields
        self.args = args
    }
}

/// A summarize's time bucketing: the key column and its width.
public struct APLTimeBin: Sendable, Hashable {
    public var column: String
    public var sizeNanos: Int64

    public init(column: String, sizeNanos: Int64) {
        self.column = column
        self.sizeNanos = sizeNanos
    }
}
