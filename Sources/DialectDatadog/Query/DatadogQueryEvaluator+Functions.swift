import Foundation

extension DatadogQueryEvaluator {
    /// Functions applied after time and space aggregation (spec §4.7 tier 1); nulls are gaps.
    /// Tier-2 and unknown names answer `function not supported`.
    func evaluateFunction(_ call: DatadogFunctionCall, grid: DatadogGrid, shiftSeconds: Int64) async throws -> DatadogValue {
        let name = call.name
        if let shift = Self.timeshiftSeconds(call) {
            let inner = try await evaluate(call.input, grid: grid, shiftSeconds: shiftSeconds + shift)
            return Self.relabel(inner, call)
        }
        if let (count, method, ascending, offset) = try Self.topArguments(call) {
            guard case .series(let series) = try await evaluate(call.input, grid: grid, shiftSeconds: shiftSeconds) else {
                throw DatadogQueryError("\(name)() needs a metric query", position: call.position)
            }
            let ranked = series.sorted { a, b in
                let ra = Self.rank(a.values, method), rb = Self.rank(b.values, method)
                return ascending ? ra < rb : ra > rb
            }
            return .series(Array(ranked.dropFirst(offset).prefix(count)))
        }
        switch name {
        case "exclude_null":
            // Groups with a missing `by` tag are `N/A` (spec §4.2 step 3); drop them.
            let inner = try await evaluate(call.input, grid: grid, shiftSeconds: shiftSeconds)
            guard case .series(let series) = inner else { return Self.relabel(inner, call) }
            return Self.relabel(.series(series.filter { !$0.hasMissingGroupTag }), call)
        case "count_nonzero", "count_nonzero_finite", "count_not_null":
            let inner = try await evaluate(call.input, grid: grid, shiftSeconds: shiftSeconds)
            return Self.countAcross(inner, call, grid: grid)
        case "default_zero":
            // Spec §4.7 / vector 29: interpolate (gauges, the default 5 min) first, then zeros.
            let inner = try await evaluate(call.input, grid: grid, shiftSeconds: shiftSeconds)
            guard case .series(let series) = inner else { break }
            return Self.relabel(.series(series.map { s in
                var s = s
                if let fill = s.interpolation {
                    Self.fill(&s.values, fill.method, limitBuckets: fill.limitSeconds / grid.intervalSeconds, holdLast: true)
                }
                s.values = s.values.map { $0 ?? 0 }
                return s
            }), call)
        default: break
        }
        guard let transform = try Self.transform(call, grid: grid) else {
            throw DatadogQueryError("function not supported: \(name)", position: call.position)
        }
        // Windowed functions read buckets before the first one so the first points have full windows.
        let lookback = min(try Self.lookbackBuckets(call, grid: grid), max(0, maxPoints - grid.count))
        let innerGrid = lookback == 0 ? grid : DatadogGrid(
            fromSeconds: grid.firstSeconds - Int64(lookback) * grid.intervalSeconds, toSeconds: grid.toSeconds,
            intervalSeconds: grid.intervalSeconds)
        let inner = try await evaluate(call.input, grid: innerGrid, shiftSeconds: shiftSeconds)
        let transformTrimmed: ([Double?]) -> [Double?] = { values in
            let out = transform(values)
            return lookback == 0 ? out : Array(out.dropFirst(max(0, out.count - grid.count)))
        }
        switch inner {
        case .constant(let c):
            let values = transformTrimmed(Array(repeating: c, count: innerGrid.count))
            return .series([DatadogSeries(
                metric: call.render(Self.render(call.input)), displayName: call.render(Self.render(call.input)),
                expression: call.render(Self.render(call.input)), scope: "*", tagSet: [], aggr: nil, unitMetric: nil,
                values: values)])
        case .series(let series):
            return Self.relabel(.series(series.map { s in
                var s = s
                s.values = transformTrimmed(s.values)
                return s
            }), call)
        }
    }

    /// Wraps each series' expression in the call.
    static func relabel(_ value: DatadogValue, _ call: DatadogFunctionCall) -> DatadogValue {
        guard case .series(let series) = value else { return value }
        return .series(series.map { s in
            var s = s
            s.expression = call.render(s.expression)
            if s.unitMetric == nil { s.metric = s.expression; s.displayName = s.expression }
            return s
        })
    }

    static func timeshiftSeconds(_ call: DatadogFunctionCall) -> Int64? {
        switch call.name {
        case "timeshift":
            guard call.arguments.count == 1, case .number(let s) = call.arguments[0] else { return nil }
            return Int64(s)
        case "hour_before": return -3600
        case "day_before": return -86400
        case "week_before": return -604_800
        case "month_before": return -28 * 86400
        default: return nil
        }
    }

    /// `top(q, N, method, order)`, `top_offset(q, N, method, order, offset)`, `topN_method`, `bottomN_method`.
    static func topArguments(_ call: DatadogFunctionCall) throws(DatadogQueryError) -> (Int, String, Bool, Int)? {
        var text: [String] = []
        var numbers: [Double] = []
        for a in call.arguments {
            switch a {
            case .number(let n): numbers.append(n)
            case .text(let t): text.append(t)
            }
        }
        let methods: Set<String> = ["max", "mean", "min", "sum", "last", "l2norm", "area", "norm"]
        switch call.name {
        case "top", "top_offset":
            let count = Int(numbers.first ?? 10)
            let method = text.first ?? "mean"
            let order = text.count > 1 ? text[1] : "desc"
            guard methods.contains(method), order == "asc" || order == "desc", count >= 0, count <= 100 else {
                throw DatadogQueryError("invalid arguments to \(call.name)()", position: call.position)
            }
            let offset = call.name == "top_offset" && numbers.count > 1 ? Int(numbers[1]) : 0
            return (count, method, order == "asc", max(0, offset))
        default:
            for prefix in ["top", "bottom"] where call.name.hasPrefix(prefix) {
                let rest = call.name.dropFirst(prefix.count)
                let parts = rest.split(separator: "_", maxSplits: 1)
                guard parts.count == 2, let n = Int(parts[0]), [5, 10, 15, 20].contains(n), methods.contains(String(parts[1])) else { continue }
                return (n, String(parts[1]), prefix == "bottom", 0)
            }
            return nil
        }
    }

    static func rank(_ values: [Double?], _ method: String) -> Double {
        let present = values.compactMap { $0 }
        guard let last = present.last else { return -.infinity }
        switch method {
        case "max": return present.max() ?? last
        case "min": return present.min() ?? last
        case "sum": return present.reduce(0, +)
        case "last": return last
        case "l2norm", "norm": return present.reduce(0) { $0 + $1 * $1 }.squareRoot()
        case "area": return present.reduce(0) { $0 + abs($1) }
        default: return present.reduce(0, +) / Double(present.count)
        }
    }

    /// The element-wise or running transformation a function applies to one series' buckets.
    static func transform(_ call: DatadogFunctionCall, grid: DatadogGrid) throws(DatadogQueryError) -> (([Double?]) -> [Double?])? {
        let interval = Double(grid.intervalSeconds)
        let number: Double? = call.arguments.first.flatMap { if case .number(let n) = $0 { n } else { nil } }
        func map(_ f: @escaping @Sendable (Double) -> Double?) -> ([Double?]) -> [Double?] {
            { values in values.map { $0.flatMap(f).flatMap { $0.isFinite ? $0 : nil } } }
        }
        func needsNumber() throws(DatadogQueryError) -> Double {
            guard let number else { throw DatadogQueryError("\(call.name)() needs a number argument", position: call.position) }
            return number
        }
        switch call.name {
        case "abs": return map { abs($0) }
        case "log2": return map { $0 > 0 ? log2($0) : nil }
        case "log10": return map { $0 > 0 ? log10($0) : nil }
        case "per_second": return map { $0 / interval }
        case "per_minute": return map { $0 / interval * 60 }
        case "per_hour": return map { $0 / interval * 3600 }
        // Datadog: clamp_min/clamp_max also set empty buckets to the threshold.
        case "clamp_min": let n = try needsNumber(); return { values in values.map { $0.map { max($0, n) } ?? n } }
        case "clamp_max": let n = try needsNumber(); return { values in values.map { $0.map { min($0, n) } ?? n } }
        case "cutoff_min": let n = try needsNumber(); return map { $0 < n ? nil : $0 }
        case "cutoff_max": let n = try needsNumber(); return map { $0 > n ? nil : $0 }
        case "default_zero": return { values in values.map { $0 ?? 0 } }
        case "moving_rollup":
            let (buckets, method) = try movingRollupArguments(call, grid: grid)
            return { values in Self.movingRollup(values, buckets: buckets, method: method) }
        case _ where call.name.hasPrefix("ewma_"):
            guard let span = Int(call.name.dropFirst(5)), ewmaSpans.contains(span) else { return nil }
            try noArguments(call)
            return { values in Self.ewma(values, span: span) }
        case _ where call.name.hasPrefix("median_"):
            guard let span = Int(call.name.dropFirst(7)), medianSpans.contains(span) else { return nil }
            try noArguments(call)
            return { values in Self.rollingMedian(values, span: span) }
        case "cumsum":
            return { values in
                var total = 0.0
                return values.map { v in v.map { total += $0; return total } }
            }
        case "integral":
            return { values in
                var total = 0.0
                var previous: Int?
                return values.indices.map { i in
                    guard let v = values[i] else { return nil }
                    if let p = previous { total += Double(i - p) * interval * v }
                    previous = i
                    return total
                }
            }
        case "diff", "monotonic_diff", "derivative":
            let name = call.name
            return { values in
                var previous: (Int, Double)?
                return values.indices.map { i in
                    guard let v = values[i] else { return nil }
                    defer { previous = (i, v) }
                    guard let (p, pv) = previous else { return nil }
                    let d = v - pv
                    switch name {
                    case "monotonic_diff": return d < 0 ? v : d
                    case "derivative": return d / (Double(i - p) * interval)
                    default: return d
                    }
                }
            }
        default:
            return nil
        }
    }

    /// `ewma_N` spans (spec §4.7; Datadog's docs also list 7).
    static let ewmaSpans: Set<Int> = [3, 5, 7, 10, 20]
    /// `median_N` spans.
    static let medianSpans: Set<Int> = [3, 5, 7, 9]

    static func noArguments(_ call: DatadogFunctionCall) throws(DatadogQueryError) {
        guard call.arguments.isEmpty else {
            throw DatadogQueryError("\(call.name)() takes no arguments besides the query", position: call.position)
        }
    }

    /// `moving_rollup(q, seconds[, 'avg'|'sum'|'min'|'max'|'count'])`: the window in buckets
    /// (⌈seconds / interval⌉, at least 1) and the method (default avg).
    static func movingRollupArguments(
        _ call: DatadogFunctionCall, grid: DatadogGrid
    ) throws(DatadogQueryError) -> (Int, DatadogRollupMethod) {
        guard (1...2).contains(call.arguments.count), case .number(let seconds) = call.arguments[0],
              seconds >= 1, seconds <= 31_536_000 else {
            throw DatadogQueryError(
                "moving_rollup() needs a window of 1 to 31536000 seconds and optionally avg, sum, min, max or count",
                position: call.position)
        }
        var method = DatadogRollupMethod.avg
        if call.arguments.count == 2 {
            guard case .text(let text) = call.arguments[1], let m = DatadogRollupMethod(rawValue: text) else {
                throw DatadogQueryError("unknown moving_rollup method; use avg, sum, min, max or count", position: call.position)
            }
            method = m
        }
        let buckets = Int((seconds / Double(grid.intervalSeconds)).rounded(.up))
        return (max(1, buckets), method)
    }

    /// Buckets before the grid a function's input must be read for (its window minus one).
    static func lookbackBuckets(_ call: DatadogFunctionCall, grid: DatadogGrid) throws(DatadogQueryError) -> Int {
        switch call.name {
        case "moving_rollup": return try movingRollupArguments(call, grid: grid).0 - 1
        case _ where call.name.hasPrefix("median_"):
            // Up to span − 1 earlier points; twice that many buckets tolerates some gaps.
            return Int(call.name.dropFirst(7)).map { 2 * ($0 - 1) } ?? 0
        default: return 0
        }
    }

    /// Each bucket's value: `method` over the present values of the last `buckets` buckets
    /// (this one included); empty when none is present.
    static func movingRollup(_ values: [Double?], buckets: Int, method: DatadogRollupMethod) -> [Double?] {
        values.indices.map { i in
            var n = 0.0, sum = 0.0, low = Double.infinity, high = -Double.infinity
            for j in max(0, i - buckets + 1)...i {
                guard let v = values[j] else { continue }
                n += 1; sum += v; low = min(low, v); high = max(high, v)
            }
            guard n > 0 else { return nil }
            switch method {
            case .avg: return sum / n
            case .sum: return sum
            case .min: return low
            case .max: return high
            case .count: return n
            }
        }
    }

    /// Exponentially weighted moving average over the present points, α = 2 / (span + 1),
    /// starting at the first point; empty buckets stay empty.
    static func ewma(_ values: [Double?], span: Int) -> [Double?] {
        let alpha = 2 / (Double(span) + 1)
        var average: Double?
        return values.map { v in
            guard let v else { return nil }
            let next = average.map { alpha * v + (1 - alpha) * $0 } ?? v
            average = next
            return next
        }
    }

    /// Trailing median of each present point and the `span − 1` present points before it
    /// (fewer at the start; an even count averages the middle two); empty buckets stay empty.
    static func rollingMedian(_ values: [Double?], span: Int) -> [Double?] {
        var window: [Double] = []
        return values.map { v in
            guard let v else { return nil }
            window.append(v)
            if window.count > span { window.removeFirst() }
            let sorted = window.sorted()
            let mid = sorted.count / 2
            return sorted.count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
        }
    }

    /// `count_nonzero(q)` / `count_not_null(q)`: one series counting, per bucket, the input
    /// series with a non-zero (non-empty) value; empty where no input series has a value.
    static func countAcross(_ value: DatadogValue, _ call: DatadogFunctionCall, grid: DatadogGrid) -> DatadogValue {
        let series: [DatadogSeries]
        switch value {
        case .constant(let c): return .constant(call.name == "count_not_null" || c != 0 ? 1 : 0)
        case .series(let s): series = s
        }
        guard let first = series.first else { return .series([]) }
        let nonzero = call.name != "count_not_null"
        var values = [Double?](repeating: nil, count: first.values.count)
        for s in series {
            for (i, v) in s.values.enumerated() where i < values.count {
                guard let v else { continue }
                values[i] = (values[i] ?? 0) + (nonzero && v == 0 ? 0 : 1)
            }
        }
        // The scope every input series shares (the filter, without the group tags).
        var common = Set(first.scope.split(separator: ",").map(String.init))
        for s in series.dropFirst() { common.formIntersection(s.scope.split(separator: ",").map(String.init)) }
        common.remove("*")
        let text = call.render(render(call.input))
        return .series([DatadogSeries(
            metric: text, displayName: text, expression: text,
            scope: common.isEmpty ? "*" : common.sorted().joined(separator: ","), tagSet: [], aggr: first.aggr,
            unitMetric: nil, values: values)])
    }

    /// Point-wise arithmetic; series pair up by equal `tag_set` (an ungrouped single series
    /// pairs with every series of the other side). Division by zero leaves the bucket empty.
    static func arithmetic(_ op: DatadogArithmetic, _ left: DatadogValue, _ right: DatadogValue) -> DatadogValue {
        func apply(_ a: Double?, _ b: Double?) -> Double? {
            guard let a, let b else { return nil }
            switch op {
            case .add: return a + b
            case .subtract: return a - b
            case .multiply: return a * b
            case .divide: return b == 0 ? nil : a / b
            }
        }
        func combined(_ l: DatadogSeries, _ r: DatadogSeries, values: [Double?], template: DatadogSeries) -> DatadogSeries {
            var s = template
            s.expression = "\(l.expression) \(op.rawValue) \(r.expression)"
            s.metric = s.expression
            s.displayName = s.expression
            s.unitMetric = nil
            s.values = values
            s.aggr = l.aggr
            return s
        }
        func constantSeries(_ c: Double, like s: DatadogSeries) -> DatadogSeries {
            let text = DatadogQueryEvaluator.render(.number(c))
            return DatadogSeries(metric: text, displayName: text, expression: text, scope: "*", tagSet: [], aggr: nil,
                                 unitMetric: nil, values: Array(repeating: c, count: s.values.count))
        }
        switch (left, right) {
        case (.constant(let a), .constant(let b)):
            return .constant(apply(a, b) ?? .nan)
        case (.series(let ls), .constant(let b)):
            return .series(ls.map { l in
                combined(l, constantSeries(b, like: l), values: l.values.map { apply($0, b) }, template: l)
            })
        case (.constant(let a), .series(let rs)):
            return .series(rs.map { r in
                var out = combined(constantSeries(a, like: r), r, values: r.values.map { apply(a, $0) }, template: r)
                out.aggr = r.aggr
                return out
            })
        case (.series(let ls), .series(let rs)):
            var out: [DatadogSeries] = []
            if rs.count == 1, rs[0].tagSet.isEmpty {
                for l in ls { out.append(combined(l, rs[0], values: zip(l.values, rs[0].values).map(apply), template: l)) }
            } else if ls.count == 1, ls[0].tagSet.isEmpty {
                for r in rs { out.append(combined(ls[0], r, values: zip(ls[0].values, r.values).map(apply), template: r)) }
            } else {
                let byTags = Dictionary(rs.map { ($0.tagSet, $0) }, uniquingKeysWith: { a, _ in a })
                for l in ls {
                    guard let r = byTags[l.tagSet] else { continue }
                    out.append(combined(l, r, values: zip(l.values, r.values).map(apply), template: l))
                }
            }
            return .series(out)
        }
    }
}

extension DatadogFunctionCall {
    /// `name(inner, args…)`.
    func render(_ inner: String) -> String {
        let args = arguments.map { a -> String in
            switch a {
            case .number(let n): return n == n.rounded() && abs(n) < 1e15 ? String(Int64(n)) : String(n)
            case .text(let t): return t.contains(where: { !$0.isLetter && !$0.isNumber && $0 != "_" }) ? "'\(t)'" : t
            }
        }
        return "\(name)(" + ([inner] + args).joined(separator: ", ") + ")"
    }
}
