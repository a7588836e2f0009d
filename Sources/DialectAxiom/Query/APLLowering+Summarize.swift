import BasinModel
import StorageAPI

extension APLLowering {
    /// `bin_auto` widths, smallest first (spec §9.3).
    static let autoBinSizesNanos: [Int64] = {
        let s: Int64 = 1_000_000_000
        return [1, 5, 10, 30, 60, 300, 600, 1_800, 3_600, 10_800, 21_600, 43_200, 86_400, 604_800].map { $0 * s }
    }()

    /// Buckets `bin_auto` allows over the query window at most.
    static let autoBinMaxBuckets: Int64 = 1_000

    /// The smallest ``autoBinSizesNanos`` width giving at most 1,000 buckets over
    /// `[startNanos, endNanos)`; the largest width when none does.
    public static func autoBinSizeNanos(startNanos: Int64, endNanos: Int64) -> Int64 {
        let (span, overflow) = endNanos.subtractingReportingOverflow(startNanos)
        let last = autoBinSizesNanos[autoBinSizesNanos.count - 1]
        if overflow { return last }
        for size in autoBinSizesNanos {
            let buckets = span / size + (span % size == 0 ? 0 : 1)
            if buckets <= autoBinMaxBuckets { return size }
        }
        return last
    }

    /// The column an aggregation's default name is built from: the argument when it is a
    /// column, else the one column it refers to, else nothing (`sum_`).
    static func columnStem(of expr: APLSyntax.Expr) -> String {
        if let name = columnName(of: expr) { return name }
        var found: Set<String> = []
        collectColumns(expr, into: &found)
        return found.count == 1 ? found.first ?? "" : ""
    }

    static func collectColumns(_ expr: APLSyntax.Expr, into found: inout Set<String>) {
        switch expr.kind {
        case .path(let components): found.insert(FieldPath(components).description)
        case .call(_, let args): for arg in args { collectColumns(arg, into: &found) }
        case .unary(_, let x): collectColumns(x, into: &found)
        case .binary(_, let a, let b), .regex(let a, let b, _):
            collectColumns(a, into: &found)
            collectColumns(b, into: &found)
        case .list(_, let x, let items):
            collectColumns(x, into: &found)
            for item in items { collectColumns(item, into: &found) }
        case .between(let x, let a, let b, _):
            for e in [x, a, b] { collectColumns(e, into: &found) }
        default: break
        }
    }

    /// `95` → `95`, `99.9` → `99_9`: a percentile as Kusto writes it in a column name.
    static func percentileSuffix(_ value: FieldValue) -> String {
        switch value {
        case .int(let n): return String(n)
        case .float(let x) where x == x.rounded() && abs(x) < 1e15: return String(Int64(x))
        case .float(let x): return String(x).replacingDots()
        default: return ""
        }
    }
}

extension String {
    fileprivate func replacingDots() -> String {
        String(map { $0 == "." ? "_" : $0 })
    }
}

extension APLLowering.Context {
    /// One aggregate column before naming: the IR aggregate, its default name, Axiom metadata.
    struct AggregateColumn {
        var aggregate: RecordAggregate
        var defaultName: String
        /// Appended as `_<suffix>` to tell apart the columns of one `percentiles(…)`.
        var nameSuffix = ""
        var info: APLAggregationInfo
    }

    mutating func lowerSummarize(
        _ aggregates: [APLSyntax.Assignment], by keys: [APLSyntax.Assignment]
    ) throws(APLError) -> RecordStage {
        var used: Set<String> = []
        var named: [NamedExpr] = []
        var bin: APLTimeBin?
        var unnamed = 0
        for (position, key) in keys.enumerated() {
            let (name, expr) = try lowerKey(key, unnamed: &unnamed)
            let unique = try claim(name, explicit: key.name != nil, in: &used, at: key.expr.offset)
            if position == 0, case .call(.bin, let args) = expr, case .field(FieldPath.time) = args[0],
                case .literal(.int(let size)) = args[1]
            {
                bin = APLTimeBin(column: unique, sizeNanos: size)
            }
            named.append(NamedExpr(unique, expr))
        }
        var outputs: [NamedAggregate] = []
        var infos: [APLAggregationInfo] = []
        for assignment in aggregates {
            let columns = try lowerAggregate(assignment.expr)
            for column in columns {
                var name = assignment.name ?? column.defaultName
                if !column.nameSuffix.isEmpty, assignment.name == nil || columns.count > 1 {
                    name += "_" + column.nameSuffix
                }
                let unique = try claim(name, explicit: assignment.name != nil, in: &used, at: assignment.expr.offset)
                outputs.append(NamedAggregate(unique, column.aggregate))
                var info = column.info
                info.column = unique
                infos.append(info)
            }
        }
        aggregations = infos
        timeBin = bin
        groupBy = named.map(\.name)
        return .summarize(aggregates: outputs, by: named)
    }

    /// A column name not used yet in this summarize: a default name gets `1`, `2`, … appended
    /// (Kusto's `count_1`); a repeated explicit name is an error.
    func claim(_ name: String, explicit: Bool, in used: inout Set<String>, at offset: Int) throws(APLError) -> String {
        if used.insert(name).inserted { return name }
        if explicit { throw fail("duplicate column name `\(name)` in `summarize`", at: offset) }
        var n = 1
        while !used.insert(name + String(n)).inserted { n += 1 }
        return name + String(n)
    }

    /// A `by` key and its name: `bin(x, …)` and `bin_auto(x)` are named after `x`.
    mutating func lowerKey(_ key: APLSyntax.Assignment, unnamed: inout Int) throws(APLError) -> (String, RecordExpr) {
        var defaultName = APLLowering.columnName(of: key.expr)
        let expr: RecordExpr
        if case .call(let function, let args) = key.expr.kind, function == "bin_auto" {
            guard args.count == 1 else { throw fail("`bin_auto` expects 1 argument but got \(args.count)", at: key.expr.offset) }
            defaultName = APLLowering.columnName(of: args[0])
            let size = APLLowering.autoBinSizeNanos(startNanos: startNanos, endNanos: endNanos)
            expr = .call(.bin, [try lowerExpr(args[0]), .literal(.int(size))])
        } else {
            if case .call(let function, let args) = key.expr.kind, function == "bin" || function == "floor", let first = args.first {
                defaultName = APLLowering.columnName(of: first)
            }
            expr = try lowerExpr(key.expr)
        }
        if let name = key.name ?? defaultName { return (name, expr) }
        unnamed += 1
        return ("Column\(unnamed)", expr)
    }
}
