/// A parsed Dynatrace metric selector (spec §6): one or more metric expressions, each a metric
/// key followed by transformations applied left to right.
///
/// `builtin:host.cpu.(idle,usage):fold` is two expressions, one per key of the parent grouping,
/// sharing the transformations.
public struct DynatraceSelector: Sendable, Equatable {
    /// The expressions, in selector order (a parent grouping expands in the order written).
    public var expressions: [DynatraceMetricExpression]
}

/// One metric key with its transformation chain.
public struct DynatraceMetricExpression: Sendable, Equatable {
    /// The metric key, unquoted; may contain `*` wildcards (only the descriptor list accepts them).
    public var key: String
    /// The transformations in the order written.
    public var transformations: [DynatraceTransformation]
    /// The transformation chain as written (`:filter(…):fold`), for the response's `metricId`.
    public var transformationText: String

    /// The response's `metricId`: the key followed by the transformations as written.
    public var metricId: String { key + transformationText }
    /// Whether the key contains a `*` wildcard.
    public var hasWildcard: Bool { key.contains("*") }
}

/// A time (or fold) aggregation: `:avg`, `:percentile(90)`, ….
public enum DynatraceAggregation: Sendable, Equatable {
    case auto, avg, sum, min, max, count, value, median
    case percentile(Double)

    /// The selector spelling.
    public var name: String {
        switch self {
        case .auto: "auto"
        case .avg: "avg"
        case .sum: "sum"
        case .min: "min"
        case .max: "max"
        case .count: "count"
        case .value: "value"
        case .median: "median"
        case .percentile: "percentile"
        }
    }
}

/// One transformation of the chain.
public enum DynatraceTransformation: Sendable, Equatable {
    /// `:avg`, `:sum`, `:min`, `:max`, `:count`, `:value`, `:median`, `:auto`, `:percentile(n)`.
    case aggregation(DynatraceAggregation)
    /// `:filter(<condition>, …)`: several conditions are combined with `and`.
    case filter(DynatraceFilterCondition)
    /// `:splitBy("<dim>", …)`; an empty list merges every series into one.
    case splitBy([String])
    /// `:fold` or `:fold(<aggregation>)`.
    case fold(DynatraceAggregation?)
    /// `:last` or `:last(<aggregation>)`.
    case last(DynatraceAggregation?)
    /// `:limit(n)`.
    case limit(Int)
    /// `:sort(value(<agg>,<dir>), dimension("<dim>",<dir>), …)`.
    case sort([DynatraceSortKey])
    /// `:names` (entity display names; Basin has no entities, so it changes nothing).
    case names
    /// `:rate(<n><unit>)`, default per minute; the span in milliseconds.
    case rate(Int64)
    /// `:delta`.
    case delta
    /// `:smooth(skipfirst)`.
    case smoothSkipFirst
    /// `:default(<number>[,always])`.
    case defaultValue(Double, always: Bool)
}

/// A `:filter` condition.
public indirect enum DynatraceFilterCondition: Sendable, Equatable {
    case eq(String, String)
    case ne(String, String)
    case `in`(String, [String])
    case prefix(String, String)
    case suffix(String, String)
    case contains(String, String)
    case existsKey(String)
    case and([DynatraceFilterCondition])
    case or([DynatraceFilterCondition])
    case not(DynatraceFilterCondition)

    /// Whether a series with these dimensions satisfies the condition.
    public func matches(_ dimensions: [String: String]) -> Bool {
        switch self {
        case .eq(let key, let value): dimensions[key] == value
        case .ne(let key, let value): dimensions[key].map { $0 != value } ?? true
        case .in(let key, let values): dimensions[key].map { values.contains($0) } ?? false
        case .prefix(let key, let value): dimensions[key]?.hasPrefix(value) ?? false
        case .suffix(let key, let value): dimensions[key]?.hasSuffix(value) ?? false
        case .contains(let key, let value): dimensions[key]?.contains(value) ?? false
        case .existsKey(let key): dimensions[key] != nil
        case .and(let conditions): conditions.allSatisfy { $0.matches(dimensions) }
        case .or(let conditions): conditions.contains { $0.matches(dimensions) }
        case .not(let condition): !condition.matches(dimensions)
        }
    }

    /// Every dimension key the condition names.
    public var dimensionKeys: [String] {
        switch self {
        case .eq(let key, _), .ne(let key, _), .in(let key, _), .prefix(let key, _), .suffix(let key, _),
             .contains(let key, _), .existsKey(let key):
            [key]
        case .and(let conditions), .or(let conditions): conditions.flatMap(\.dimensionKeys)
        case .not(let condition): condition.dimensionKeys
        }
    }
}

/// One criterion of `:sort`.
public enum DynatraceSortKey: Sendable, Equatable {
    /// `value(<agg>,<ascending|descending>)`: the aggregation over each series' values.
    case value(DynatraceAggregation, descending: Bool)
    /// `dimension("<dim>",<ascending|descending>)`.
    case dimension(String, descending: Bool)
}
