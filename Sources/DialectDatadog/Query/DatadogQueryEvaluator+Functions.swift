import Foundation

extension DatadogQueryEvaluator {
    /// Functions applied after time and space aggregation (spec §4.7, tier 1 subset).
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
        guard let transform = try Self.transform(call, grid: grid) else {
            throw DatadogQueryError("function not supported: \(name)", position: call.position)
        }
        let inner = try await evaluate(call.input, grid: grid, shiftSeconds: shiftSeconds)
        switch inner {
        case .constant(let c):
            let values = transform(Array(repeating: c, count: grid.count))
            return .series([DatadogSeries(
                metric: call.render(Self.render(call.input)), displayName: call.render(Self.render(call.input)),
                expression: call.render(Self.render(call.input)), scope: "*", tagSet: [], aggr: nil, unitMetric: nil,
                values: values)])
        case .series(let series):
            return Self.relabel(.series(series.map { s in
                var s = s
                s.values = transform(s.values)
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
        case "clamp_min": let n = try needsNumber(); return map { max($0, n) }
        case "clamp_max": let n = try needsNumber(); return map { min($0, n) }
        case "cutoff_min": let n = try needsNumber(); return map { $0 < n ? nil : $0 }
        case "cutoff_max": let n = try needsNumber(); return map { $0 > n ? nil : $0 }
        case "default_zero": return { values in values.map { $0 ?? 0 } }
        case "exclude_null": return { $0 }
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
