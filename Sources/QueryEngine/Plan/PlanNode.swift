import BasinModel
import StorageAPI

/// A metrics query as the evaluator runs it, independent of the language it was written in.
///
/// PromQL, the Datadog query syntax and the other metric read APIs lower to this tree. Every
/// node evaluates to one ``ValueType``; the lowering checks types, so the evaluator can trust
/// the shapes it receives (it still reports a ``QueryError`` instead of trapping when they are wrong).
public indirect enum PlanNode: Sendable {
    /// A constant scalar.
    case number(Double)
    /// A constant string (only as a top-level result).
    case string(String)
    /// The latest sample of each matching series at each step, looking back at most the lookback window.
    case instantSelect(SeriesSelector)
    /// The raw samples of each matching series in `(t - rangeMillis, t]` (a range vector).
    case rangeSelect(SeriesSelector, rangeMillis: Int64)
    /// A per-series rollup over the window `(t - rangeMillis, t]` at each step.
    ///
    /// `parameter` is the scalar some rollups take (the quantile of ``RollupFunction/quantile``).
    case rollup(RollupFunction, SeriesSelector, rangeMillis: Int64, parameter: PlanNode?)
    /// A cross-series aggregation, grouped by labels, at each step.
    case aggregate(AggregateOperator, grouping: Grouping, parameter: PlanNode?, input: PlanNode)
    /// Arithmetic, comparison or set operation between two operands.
    case binary(BinaryOperator, lhs: PlanNode, rhs: PlanNode, matching: VectorMatching, returnBool: Bool)
    /// An element-wise function of a vector; `arguments` are scalars.
    case math(MathFunction, input: PlanNode, arguments: [PlanNode])
    /// Unary minus (vector or scalar); drops the metric name of vector elements.
    case negate(PlanNode)
    /// The evaluation time of each step, in seconds.
    case time
    /// A scalar as a one-element vector without labels.
    case vectorOf(PlanNode)
    /// The value of a one-element vector as a scalar (NaN unless exactly one element).
    case scalarOf(PlanNode)
    /// The input unchanged; asks the renderer of an instant result to order it by value.
    case sort(PlanNode, descending: Bool)
    /// A one-element vector with value 1 and `labels` at steps where the input is empty.
    case absent(PlanNode, labels: Labels)
    /// The input with one label rewritten per series (metric name kept).
    case rewriteLabels(PlanNode, LabelRewrite)

    /// The type this node evaluates to.
    public var valueType: ValueType {
        switch self {
        case .number, .time, .scalarOf: .scalar
        case .string: .string
        case .rangeSelect: .matrix
        case .instantSelect, .rollup, .aggregate, .math, .vectorOf: .vector
        case .negate(let inner): inner.valueType
        case .sort, .absent, .rewriteLabels: .vector
        case .binary(_, let lhs, let rhs, _, _):
            lhs.valueType == .scalar && rhs.valueType == .scalar ? .scalar : .vector
        }
    }
}

/// What a plan node evaluates to.
public enum ValueType: String, Sendable, Hashable {
    case scalar
    case vector
    case matrix
    case string

    /// Prometheus' spelling in type errors (`instant vector`, `range vector`, `scalar`, `string`).
    public var promQLName: String {
        switch self {
        case .scalar: "scalar"
        case .vector: "instant vector"
        case .matrix: "range vector"
        case .string: "string"
        }
    }
}

/// Which series a selector reads, and when.
public struct SeriesSelector: Sendable {
    /// All must match; at least one must reject the empty value (the lowering checks that).
    public var matchers: [LabelMatcher]
    /// Shifts the evaluation time back by this many milliseconds (`offset`).
    public var offsetMillis: Int64
    /// Pins the evaluation time (`@`), or nil to follow each step.
    public var anchor: TimeAnchor?

    public init(matchers: [LabelMatcher], offsetMillis: Int64 = 0, anchor: TimeAnchor? = nil) {
        self.matchers = matchers
        self.offsetMillis = offsetMillis
        self.anchor = anchor
    }
}

/// A fixed evaluation time for a selector.
public enum TimeAnchor: Sendable, Hashable {
    /// An absolute time in milliseconds.
    case millis(Int64)
    /// The query's start.
    case start
    /// The query's end.
    case end
}

/// Per-series functions over a window of raw samples.
public enum RollupFunction: String, Sendable, Hashable, CaseIterable {
    /// Per-second increase with Prometheus' extrapolation and counter-reset handling.
    case rate
    /// Increase with Prometheus' extrapolation and counter-reset handling.
    case increase
    /// Difference between last and first, extrapolated (gauges).
    case delta
    /// Per-second increase between the last two samples.
    case irate
    /// Difference between the last two samples.
    case idelta
    case avg, sum, min, max, count, last
    /// The φ-quantile of the window's values; φ is the node's parameter.
    case quantile
    /// Population standard deviation and variance of the window's values.
    case stddev, stdvar
    /// 1 for any window with a sample.
    case present
    /// How often the value changed / decreased within the window.
    case changes, resets
    /// Per-second slope of a least-squares line through the window.
    case deriv
    /// The least-squares line's value the parameter's seconds after the window's end.
    case predictLinear

    /// Whether the result keeps the series' metric name (only `last` does, like `last_over_time`).
    public var keepsMetricName: Bool { self == .last }
}

/// Cross-series aggregations.
public enum AggregateOperator: String, Sendable, Hashable, CaseIterable {
    case sum, avg, min, max, count
    /// The k largest elements per group, labels unchanged; k is the parameter.
    case topk
    /// The k smallest elements per group, labels unchanged; k is the parameter.
    case bottomk
    /// The φ-quantile per group; φ is the parameter.
    case quantile
    /// Population standard deviation and variance per group.
    case stddev, stdvar
    /// 1 for every group (`group` in PromQL).
    case group
}

/// How an aggregation groups series.
public enum Grouping: Sendable, Hashable {
    /// Group by exactly these labels.
    case by([String])
    /// Group by all labels except these and the metric name.
    case without([String])
}

/// Binary operators.
public enum BinaryOperator: String, Sendable, Hashable, CaseIterable {
    case add = "+", subtract = "-", multiply = "*", divide = "/", modulo = "%", power = "^"
    case equal = "==", notEqual = "!=", greater = ">", less = "<", greaterOrEqual = ">=", lessOrEqual = "<="
    case and, or, unless

    /// Whether this is a comparison (filters unless `bool` is given).
    public var isComparison: Bool {
        switch self {
        case .equal, .notEqual, .greater, .less, .greaterOrEqual, .lessOrEqual: true
        default: false
        }
    }

    /// Whether this is a set operation (`and`, `or`, `unless`), defined only between vectors.
    public var isSetOperation: Bool { self == .and || self == .or || self == .unless }
}

/// How two vectors' elements are paired by a binary operation.
public struct VectorMatching: Sendable, Hashable {
    /// Which side may have several elements per match group.
    public enum Cardinality: Sendable, Hashable {
        /// Each group has at most one element on each side.
        case oneToOne
        /// The left side may have many elements per group, the right at most one (`group_left`).
        case manyToOne
        /// The right side may have many elements per group, the left at most one (`group_right`).
        case oneToMany
    }

    /// True: match on exactly ``labels``; false: match on all labels except ``labels`` and the metric name.
    public var on: Bool
    public var labels: [String]
    public var cardinality: Cardinality
    /// Labels copied from the "one" side onto each result (many-to-one and one-to-many only).
    public var include: [String]

    public init(on: Bool = false, labels: [String] = [], cardinality: Cardinality = .oneToOne, include: [String] = []) {
        self.on = on
        self.labels = labels
        self.cardinality = cardinality
        self.include = include
    }

    /// Matching on all labels but the metric name.
    public static let `default` = VectorMatching()
}

/// Element-wise functions; all drop the metric name.
public enum MathFunction: String, Sendable, Hashable, CaseIterable {
    case abs, ceil, floor
    /// Rounds to the nearest multiple of the optional argument (1 by default), halves up.
    case round
    /// `max(value, argument)`.
    case clampMin
    /// `min(value, argument)`.
    case clampMax
    /// `min(max(value, first argument), second argument)`; no value when the bounds cross.
    case clamp
    case sqrt, exp, ln, log2, log10
    /// -1, 0 or 1 by sign.
    case sgn
}

/// A per-series label rewrite.
public enum LabelRewrite: Sendable, Hashable {
    /// When `regex` (fully anchored) matches the value of `source`, sets `destination` to
    /// `replacement` with `$1`, `${1}`, `$name`, `${name}` expanded (an empty result removes it).
    case replace(destination: String, replacement: String, source: String, regex: String)
    /// Sets `destination` to the values of `sources` joined by `separator` (empty removes it).
    case join(destination: String, separator: String, sources: [String])
}
