import BasinModel
import StorageAPI

extension APLLowering.Context {
    /// An aggregation call; `percentiles(x, p1, p2, …)` gives one column per percentile.
    mutating func lowerAggregate(_ expr: APLSyntax.Expr) throws(APLError) -> [AggregateColumn] {
        guard case .call(let name, let args) = expr.kind else {
            throw fail("expected an aggregation such as `count()` but found `\(text(of: expr))`", at: expr.offset)
        }
        guard APLLowering.aggregationNames.contains(name) else {
            if APLLowering.scalarFunctions[name] != nil || name == "not" {
                throw fail("unsupported: `\(name)` over aggregations; summarize first, then `extend`", at: expr.offset)
            }
            throw fail("unsupported aggregation: `\(name)`", at: expr.offset)
        }
        func column(_ aggregate: RecordAggregate, _ prefix: String, _ axiomName: String, args extra: [FieldValue] = []) -> AggregateColumn {
            let stem = args.first.map(APLLowering.columnStem) ?? ""
            let fields = args.first.map { APLLowering.columnName(of: $0) ?? text(of: $0) }.map { [$0] } ?? []
            return AggregateColumn(
                aggregate: aggregate, defaultName: prefix + "_" + (prefix == "count" || prefix == "countif" ? "" : stem),
                nameSuffix: "", info: APLAggregationInfo(column: "", name: axiomName, fields: fields, args: extra))
        }
        switch name {
        case "count":
            try checkArity(name, args, 0...0, at: expr.offset)
            return [column(.count, "count", "count")]
        case "countif":
            try checkArity(name, args, 1...1, at: expr.offset)
            return [column(.countIf(try lowerExpr(args[0])), "countif", "countif")]
        case "sum", "avg", "min", "max", "dcount", "make_list", "make_set":
            try checkArity(name, args, 1...1, at: expr.offset)
            let x = try lowerExpr(args[0])
            let (aggregate, axiomName): (RecordAggregate, String) =
                switch name {
                case "sum": (.sum(x), "sum")
                case "avg": (.avg(x), "avg")
                case "min": (.min(x), "min")
                case "max": (.max(x), "max")
                case "dcount": (.dcount(x), "distinct")
                case "make_list": (.makeList(x), "makelist")
                default: (.makeSet(x), "makeset")
                }
            return [column(aggregate, name, axiomName)]
        case "sumif":
            try checkArity(name, args, 2...2, at: expr.offset)
            return [column(.sumIf(try lowerExpr(args[0]), try lowerExpr(args[1])), "sumif", "sumif")]
        case "topk":
            try checkArity(name, args, 2...2, at: expr.offset)
            let x = try lowerExpr(args[0])
            guard case .literal(.int(let k)) = try lowerExpr(args[1]), k > 0, let count = Int(exactly: k) else {
                throw fail("`topk` expects a positive integer constant `k`", at: args[1].offset)
            }
            return [column(.topk(x, count), "topk", "topk", args: [.int(k)])]
        case "percentile", "percentiles":
            try checkArity(name, args, name == "percentile" ? 2...2 : 2...64, at: expr.offset)
            let x = try lowerExpr(args[0])
            var out: [AggregateColumn] = []
            for arg in args.dropFirst() {
                let (p, literal) = try percentileArgument(arg)
                var c = column(.percentile(x, p), "percentile", "percentiles", args: [literal])
                if name == "percentiles" { c.nameSuffix = APLLowering.percentileSuffix(literal) }
                out.append(c)
            }
            return out
        default:
            throw fail("unsupported aggregation: `\(name)`", at: expr.offset)
        }
    }

    /// A percentile argument: a number constant in 0…100.
    mutating func percentileArgument(_ arg: APLSyntax.Expr) throws(APLError) -> (Double, FieldValue) {
        let value = try lowerExpr(arg)
        let p: Double
        switch value {
        case .literal(.int(let n)): p = Double(n)
        case .literal(.float(let x)): p = x
        default: throw fail("a percentile must be a number constant", at: arg.offset)
        }
        guard p >= 0, p <= 100, case .literal(let literal) = value else {
            throw fail("a percentile must be between 0 and 100", at: arg.offset)
        }
        return (p, literal)
    }
}
