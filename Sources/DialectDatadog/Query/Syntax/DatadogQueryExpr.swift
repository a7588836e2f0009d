/// A parsed Datadog metrics query (`/api/v1/query`), one per comma-separated sub-query.
///
/// Grammar: spec §4.1. Every node keeps the byte range of its source text, so responses can
/// quote it back (`expression`) and errors can point at it.
public indirect enum DatadogQueryExpr: Sendable, Equatable {
    /// A constant.
    case number(Double)
    /// `[agg:]metric{scope} [by {keys}] {.modifier()}`.
    case metric(DatadogMetricQuery)
    /// `lhs op rhs` with `op` one of `+ - * /`.
    case binary(DatadogArithmetic, DatadogQueryExpr, DatadogQueryExpr)
    /// `-expr`.
    case negate(DatadogQueryExpr)
    /// `(expr)`; kept so rendered expressions keep their parentheses.
    case parenthesized(DatadogQueryExpr)
    /// `name(expr, arg, …)`.
    case function(DatadogFunctionCall)
}

/// The four arithmetic operators.
public enum DatadogArithmetic: String, Sendable, Equatable {
    case add = "+", subtract = "-", multiply = "*", divide = "/"
}

/// A function call: its name, the query it applies to and its further constant arguments.
public struct DatadogFunctionCall: Sendable, Equatable {
    public var name: String
    public var input: DatadogQueryExpr
    public var arguments: [DatadogArgument]
    /// Byte offset of the name in the query text.
    public var position: Int
}

/// A constant function argument (`10`, `'mean'`, `desc`).
public enum DatadogArgument: Sendable, Equatable {
    case number(Double)
    case text(String)
}

/// One metric query.
public struct DatadogMetricQuery: Sendable, Equatable {
    /// `avg`, `sum`, `min`, `max` (nil when the query has no `agg:` prefix).
    public var spaceAggregator: String?
    public var metricName: String
    public var scope: DatadogScope
    /// `by {…}` keys in order.
    public var groupBy: [String]
    public var modifiers: [DatadogModifier]
    /// Byte offset of the query in the text.
    public var position: Int
}

/// What `{…}` selects.
public enum DatadogScope: Sendable, Equatable {
    /// `{*}`.
    case all
    /// A tag filter, with the text of its items for the response's `scope` (comma form: one
    /// item per filter; boolean form: the whole text).
    case filter(DatadogTagFilter, items: [String])
}

/// A boolean tag filter.
public indirect enum DatadogTagFilter: Sendable, Equatable {
    /// `key` (has the tag) or `key:pattern` (`*` is a wildcard).
    case tag(key: String, pattern: String?)
    /// `key IN (v1, v2)`.
    case oneOf(key: String, values: [String])
    case not(DatadogTagFilter)
    case and([DatadogTagFilter])
    case or([DatadogTagFilter])
}

/// A `.modifier(…)` after a metric query.
public enum DatadogModifier: Sendable, Equatable {
    /// `.rollup([method][, seconds])`.
    case rollup(method: DatadogRollupMethod?, seconds: Int64?)
    case asCount
    case asRate
    /// `.fill(method[, limit seconds])`.
    case fill(DatadogFillMethod, limitSeconds: Int64?)
    /// `.weighted()` (accepted, no effect).
    case weighted
}

/// Time aggregation methods of `.rollup()`.
public enum DatadogRollupMethod: String, Sendable, Equatable, CaseIterable {
    case avg, sum, min, max, count
}

/// `.fill()` methods.
public enum DatadogFillMethod: String, Sendable, Equatable, CaseIterable {
    case null, zero, linear, last
}
