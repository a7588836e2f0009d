import BasinModel
import QueryEngine
import StorageAPI

extension DatadogQueryEvaluator {
    /// Selects, rolls up, interpolates and space-aggregates one metric query.
    func evaluateMetric(_ query: DatadogMetricQuery, grid: DatadogGrid, shiftSeconds: Int64) async throws -> [DatadogSeries] {
        let metadata = try await store.metricMetadata(org: org, metricName: query.metricName)[query.metricName]
        if metadata?.vendorType == "distribution" {
            return try await evaluateDistribution(query, grid: grid, shiftSeconds: shiftSeconds)
        }
        let kind = try await store.metricKinds(org: org, metricName: query.metricName)[query.metricName] ?? .unspecified
        let declaredInterval = metadata?.intervalSeconds
        let plan = DatadogMetricPlan(query, kind: kind, declaredIntervalSeconds: declaredInterval, grid: grid)
        let sources = try await rollUp(query, plan: plan, grid: grid, shiftSeconds: shiftSeconds)
        return aggregate(query, sources: sources, plan: plan, grid: grid)
    }

    /// Each matching source series rolled up into the grid's buckets, with its labels.
    ///
    /// Bucket `[s, s + interval)` (seconds) is the QueryEngine window `(t - interval, t]` at
    /// `t = s + interval - 1 ms`: the plan's steps are the bucket starts and its selector reads
    /// `interval - 1 ms` later (a negative offset).
    func rollUp(
        _ query: DatadogMetricQuery, plan: DatadogMetricPlan, grid: DatadogGrid, shiftSeconds: Int64
    ) async throws -> [(labels: Labels, values: [Double?])] {
        try await rollUp(query, extraMatchers: [], rollup: plan.rollup, scale: plan.scale, grid: grid, shiftSeconds: shiftSeconds)
    }

    /// ``rollUp(_:plan:grid:shiftSeconds:)`` with explicit extra matchers, rollup function and scale.
    func rollUp(
        _ query: DatadogMetricQuery, extraMatchers: [LabelMatcher], rollup: RollupFunction, scale: Double,
        grid: DatadogGrid, shiftSeconds: Int64
    ) async throws -> [(labels: Labels, values: [Double?])] {
        let intervalMillis = grid.intervalSeconds * 1000
        var matchers: [LabelMatcher] = [.equal(Labels.metricNameKey, query.metricName)] + extraMatchers
        if case .filter(let filter, _) = query.scope { matchers += filter.pushdownMatchers }
        let selector = SeriesSelector(matchers: matchers, offsetMillis: -(intervalMillis - 1) - shiftSeconds * 1000)
        let node = PlanNode.rollup(rollup, selector, rangeMillis: intervalMillis, parameter: nil)
        let range = EvalRange(
            startMillis: grid.firstSeconds * 1000, endMillis: grid.time(at: grid.count - 1) * 1000, stepMillis: intervalMillis)
        let evaluator = QueryEvaluator(store: store, org: org, limits: limits)
        guard case .vector(let steps) = try await evaluator.evaluate(node, range: range) else { return [] }
        var out: [(labels: Labels, values: [Double?])] = []
        for step in steps {
            if case .filter(let filter, _) = query.scope, !filter.matches(step.labels) { continue }
            var values = [Double?](repeating: nil, count: grid.count)
            for i in 0..<min(grid.count, step.values.count) where step.present[i] {
                values[i] = step.values[i] * scale
            }
            out.append((step.labels, values))
        }
        return out
    }

    /// Groups sources by their `by` tags and combines each bucket with the space aggregator,
    /// interpolating sources first when more than one contributes (or a `.fill()` asks for it).
    func aggregate(
        _ query: DatadogMetricQuery, sources: [(labels: Labels, values: [Double?])], plan: DatadogMetricPlan, grid: DatadogGrid
    ) -> [DatadogSeries] {
        var groups: [[String]: [[Double?]]] = [:]
        for source in sources {
            let key = query.groupBy.map { source.labels[$0] ?? DatadogSeries.missingTagValue }
            groups[key, default: []].append(source.values)
        }
        let scopeItems = query.scopeItems
        var out: [DatadogSeries] = []
        for key in groups.keys.sorted(by: { $0.lexicographicallyPrecedes($1) }) {
            var members = groups[key] ?? []
            if let fill = plan.fill(members: members.count) {
                for i in members.indices { Self.fill(&members[i], fill.method, limitBuckets: fill.limitSeconds / grid.intervalSeconds) }
            }
            var values = [Double?](repeating: nil, count: grid.count)
            for i in 0..<grid.count {
                var acc: Double?
                var n = 0.0
                for m in members {
                    guard let v = m[i] else { continue }
                    n += 1
                    switch plan.spaceAggregator {
                    case "sum", "avg", "count": acc = (acc ?? 0) + v
                    case "min": acc = min(acc ?? v, v)
                    default: acc = max(acc ?? v, v)
                    }
                }
                if let a = acc { values[i] = plan.spaceAggregator == "avg" ? a / n : a }
            }
            let tagSet = zip(query.groupBy, key).map { "\($0):\($1)" }
            let scope = Array(Set(scopeItems + tagSet)).sorted()
            var series = DatadogSeries(
                metric: query.metricName, displayName: query.metricName,
                expression: query.expression(scopeItems: scope), scope: scope.isEmpty ? "*" : scope.joined(separator: ","),
                tagSet: tagSet, aggr: query.spaceAggregator, unitMetric: query.metricName, values: values)
            series.interpolation = plan.defaultZeroInterpolation
            out.append(series)
        }
        return out
    }

    /// Fills missing buckets of one source: `linear` between two values, `last` and `zero` after
    /// a value, each at most `limitBuckets` buckets after the last real value.
    ///
    /// With `holdLast`, `linear` keeps the last value where no later value follows (how
    /// `default_zero()` extends a lone gauge point, spec vector 29).
    static func fill(_ values: inout [Double?], _ method: DatadogFillMethod, limitBuckets: Int64, holdLast: Bool = false) {
        guard method != .null, limitBuckets > 0 else { return }
        var previous: Int?
        let original = values
        var next = [Int?](repeating: nil, count: values.count)
        var upcoming: Int?
        for i in original.indices.reversed() {
            next[i] = upcoming
            if original[i] != nil { upcoming = i }
        }
        for i in original.indices {
            if original[i] != nil { previous = i; continue }
            guard let p = previous, Int64(i - p) <= limitBuckets, let pv = original[p] else { continue }
            switch method {
            case .zero: values[i] = 0
            case .last: values[i] = pv
            case .linear:
                guard let n = next[i], let nv = original[n] else {
                    if holdLast { values[i] = pv }
                    continue
                }
                values[i] = pv + (nv - pv) * Double(i - p) / Double(n - p)
            case .null: break
            }
        }
    }
}

/// How one metric query is evaluated, from its modifiers, the metric's stored kind and its
/// declared interval (spec §4.4).
struct DatadogMetricPlan {
    var rollup: RollupFunction
    /// Applied to every rolled-up value (`.as_count()` of a rate: × its interval; `.as_rate()`
    /// of a count: ÷ the bucket length).
    var scale: Double
    /// Whether sources are interpolated before space aggregation by default.
    var interpolates: Bool
    var explicitFill: (method: DatadogFillMethod, limitSeconds: Int64)?
    var spaceAggregator: String

    init(_ query: DatadogMetricQuery, kind: MetricKind, declaredIntervalSeconds: Int64?, grid: DatadogGrid) {
        var method: DatadogRollupMethod?
        var asCount = false, asRate = false
        for modifier in query.modifiers {
            switch modifier {
            case .rollup(let m, _): if let m { method = m }
            case .asCount: asCount = true; asRate = false
            case .asRate: asRate = true; asCount = false
            case .fill(let m, let limit): explicitFill = (m, min(limit ?? 300, 600))
            case .weighted: break
            }
        }
        scale = 1
        interpolates = true
        let isDelta = kind == .count || kind == .rate
        // A count with no modifier reads as a count (Datadog's default for COUNT metrics).
        if kind == .count, !asRate { asCount = true }
        if isDelta, asCount || asRate {
            interpolates = false
            if method == nil { method = .sum }
            if kind == .rate, asCount { scale = Double(declaredIntervalSeconds ?? 1) }
            if kind == .count, asRate { scale = 1 / Double(grid.intervalSeconds) }
        }
        switch method ?? .avg {
        case .avg: rollup = .avg
        case .sum: rollup = .sum
        case .min: rollup = .min
        case .max: rollup = .max
        case .count: rollup = .count
        }
        switch query.spaceAggregator {
        case "sum", "min", "max", "avg": spaceAggregator = query.spaceAggregator!
        case "count": spaceAggregator = "sum"
        default: spaceAggregator = "avg"
        }
    }

    /// What `default_zero()` interpolates with before it fills zeros (spec §4.7): the default
    /// linear 300 s for interpolated metrics (gauges); none when the query has a `.fill()`
    /// (already applied to every source) or is a count or rate read `.as_count()`/`.as_rate()`.
    var defaultZeroInterpolation: DatadogInterpolation? {
        guard explicitFill == nil, interpolates else { return nil }
        return DatadogInterpolation(method: .linear, limitSeconds: 300)
    }

    /// The fill to apply to each source of a group of `members`, if any.
    func fill(members: Int) -> (method: DatadogFillMethod, limitSeconds: Int64)? {
        if let explicitFill { return explicitFill }
        return interpolates && members > 1 ? (.linear, 300) : nil
    }
}

extension DatadogMetricQuery {
    /// The filter's items for the response's `scope`.
    var scopeItems: [String] {
        if case .filter(_, let items) = scope { return items }
        return []
    }

    /// `[agg:]metric{scope}` plus the modifiers, as Datadog reports a series' expression.
    func expression(scopeItems: [String]) -> String {
        var text = spaceAggregator.map { "\($0):" } ?? ""
        text += metricName + "{" + (scopeItems.isEmpty ? "*" : scopeItems.joined(separator: ",")) + "}"
        for modifier in modifiers {
            switch modifier {
            case .rollup(let m, let s):
                text += ".rollup(" + [m?.rawValue, s.map { String($0) }].compactMap { $0 }.joined(separator: ",") + ")"
            case .asCount: text += ".as_count()"
            case .asRate: text += ".as_rate()"
            case .fill(let m, let limit): text += ".fill(" + m.rawValue + (limit.map { ",\($0)" } ?? "") + ")"
            case .weighted: text += ".weighted()"
            }
        }
        return text
    }
}
