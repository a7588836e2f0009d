import BasinModel
import QueryEngine
import StorageAPI

/// Evaluates parsed Datadog queries (spec §4.2): each metric query is lowered to a QueryEngine
/// plan that rolls every source series up into the grid's buckets (the store folds the
/// buckets while it reads, via `selectWindows`), then this type interpolates, aggregates
/// across series per `by` group, and applies functions and arithmetic.
public struct DatadogQueryEvaluator: Sendable {
    public let store: any MetricStore
    public let org: OrgID
    /// Store read limits and the deadline.
    public let limits: QueryLimits
    /// Most points one series may have (the server's `maxQueryPoints`).
    public let maxPoints: Int
    /// Most series one query may return.
    public let maxSeries: Int

    public init(store: any MetricStore, org: OrgID, limits: QueryLimits, maxPoints: Int, maxSeries: Int) {
        self.store = store
        self.org = org
        self.limits = limits
        self.maxPoints = maxPoints
        self.maxSeries = maxSeries
    }

    /// Parses and evaluates `query` over `[fromSeconds, toSeconds]`.
    ///
    /// - Throws: ``DatadogQueryError`` for syntax, unknown functions and limits; ``QueryError``
    ///   and storage errors from the evaluation.
    public func run(_ query: String, fromSeconds: Int64, toSeconds: Int64) async throws -> DatadogQueryResult {
        let expressions = try DatadogQueryParser.parse(query)
        var result = DatadogQueryResult(grids: [], series: [], groupBy: [])
        for (index, expression) in expressions.enumerated() {
            let grid = DatadogGrid(
                fromSeconds: fromSeconds, toSeconds: toSeconds,
                intervalSeconds: Self.intervalSeconds(expression, rangeSeconds: toSeconds - fromSeconds))
            guard grid.count <= maxPoints else {
                throw DatadogQueryError(
                    "query would return \(grid.count) points per series, over the limit of \(maxPoints) (max_query_points)",
                    position: nil)
            }
            result.grids.append(grid)
            for key in Self.groupKeys(expression) where !result.groupBy.contains(key) { result.groupBy.append(key) }
            guard grid.count > 0 else { continue }
            let value = try await evaluate(expression, grid: grid, shiftSeconds: 0)
            let series: [DatadogSeries]
            switch value {
            case .series(let s): series = s
            case .constant(let c):
                let text = Self.render(expression)
                series = [DatadogSeries(
                    metric: text, displayName: text, expression: text, scope: "*", tagSet: [], aggr: nil,
                    unitMetric: nil, values: Array(repeating: c, count: grid.count))]
            }
            for s in series where !s.isEmpty { result.series.append((index, s)) }
            guard result.series.count <= maxSeries else {
                throw DatadogQueryError("query returns more than \(maxSeries) series (max_query_series)", position: nil)
            }
        }
        return result
    }

    /// The interval of one expression (spec §4.3): Datadog's default for the range, or with a
    /// `.rollup(f, N)` the largest N, raised to keep at most 1500 points (so `.rollup(avg, 60)`
    /// over a day gives 60 s buckets, finer than the default 300 s).
    static func intervalSeconds(_ expression: DatadogQueryExpr, rangeSeconds: Int64) -> Int64 {
        var requested: Int64?
        visitMetrics(expression) { query in
            for case .rollup(_, let seconds?) in query.modifiers {
                requested = max(requested ?? seconds, DatadogInterval.rollupSeconds(seconds, rangeSeconds: rangeSeconds))
            }
        }
        return requested ?? DatadogInterval.defaultSeconds(rangeSeconds: rangeSeconds)
    }

    static func groupKeys(_ expression: DatadogQueryExpr) -> [String] {
        var keys: [String] = []
        visitMetrics(expression) { query in
            for key in query.groupBy where !keys.contains(key) { keys.append(key) }
        }
        return keys
    }

    static func visitMetrics(_ expression: DatadogQueryExpr, _ body: (DatadogMetricQuery) -> Void) {
        switch expression {
        case .number: break
        case .metric(let q): body(q)
        case .binary(_, let l, let r):
            visitMetrics(l, body)
            visitMetrics(r, body)
        case .negate(let e), .parenthesized(let e): visitMetrics(e, body)
        case .function(let call): visitMetrics(call.input, body)
        }
    }

    func evaluate(_ expression: DatadogQueryExpr, grid: DatadogGrid, shiftSeconds: Int64) async throws -> DatadogValue {
        switch expression {
        case .number(let v):
            return .constant(v)
        case .metric(let query):
            return .series(try await evaluateMetric(query, grid: grid, shiftSeconds: shiftSeconds))
        case .parenthesized(let inner):
            let value = try await evaluate(inner, grid: grid, shiftSeconds: shiftSeconds)
            guard case .series(let series) = value else { return value }
            return .series(series.map { s in
                var s = s
                s.expression = "(\(s.expression))"
                if s.unitMetric == nil { s.metric = s.expression; s.displayName = s.expression }
                return s
            })
        case .negate(let inner):
            switch try await evaluate(inner, grid: grid, shiftSeconds: shiftSeconds) {
            case .constant(let v): return .constant(-v)
            case .series(let series):
                return .series(series.map { s in
                    var s = s
                    s.values = s.values.map { $0.map { -$0 } }
                    s.expression = "-" + s.expression
                    s.metric = s.expression
                    s.displayName = s.expression
                    s.unitMetric = nil
                    return s
                })
            }
        case .binary(let op, let lhs, let rhs):
            let left = try await evaluate(lhs, grid: grid, shiftSeconds: shiftSeconds)
            let right = try await evaluate(rhs, grid: grid, shiftSeconds: shiftSeconds)
            return Self.arithmetic(op, left, right)
        case .function(let call):
            return try await evaluateFunction(call, grid: grid, shiftSeconds: shiftSeconds)
        }
    }

    /// Canonical text of an expression (used for constants and function results).
    static func render(_ expression: DatadogQueryExpr) -> String {
        switch expression {
        case .number(let v): return v == v.rounded() && abs(v) < 1e15 ? String(Int64(v)) : String(v)
        case .metric(let q): return q.expression(scopeItems: q.scopeItems)
        case .binary(let op, let l, let r): return "\(render(l)) \(op.rawValue) \(render(r))"
        case .negate(let e): return "-" + render(e)
        case .parenthesized(let e): return "(" + render(e) + ")"
        case .function(let call): return call.render(render(call.input))
        }
    }
}
