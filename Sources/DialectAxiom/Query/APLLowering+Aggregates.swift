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
        switch name {
        case "count", "countif", "sum", "sumif", "avg", "min", "max", "dcount", "make_list", "make_set":
            return [try lowerSingleAggregate(name, args, at: expr.offset)]
        case "topk":
            try checkArity(name, args, 2...2, at: expr.offset)
            let x = try lowerExpr(args[0])
            guard case .literal(.int(let k)) = try lowerExpr(args[1]), k > 0, let count = Int(exactly: k) else {
                throw fail("`topk` expects a positive integer constant `k`", at: args[1].offset)
            }
            return [aggregateColumn(.topk(x, count), "topk", axiomName: "topk", args, extra: [.int(k)])]
        case "percentile", "percentiles":
            try checkArity(name, args, name == "percentile" ? 2...2 : 2...64, at: expr.offset)
            let x = try lowerExpr(args[0])
            var out: [AggregateColumn] = []
            for arg in args.dropFirst() {
                let (p, literal) = try percentileArgument(arg)
                var column = aggregateColumn(.percentile(x, p), "percentile", axiomName: "percentiles", args, extra: [literal])
                if name == "percentiles" { column.nameSuffix = APLLowering.percentileSuffix(literal) }
                out.append(column)
            }
            return out
        default:
            throw fail("unsupported aggregation: `\(name)`", at: expr.offset)
        }
    }

    /// The aggregations without constant arguments.
    mutating func lowerSingleAggregate(_ name: String, _ args: [APLSyntax.Expr], at offset: Int) throws(APLError) -> AggregateColumn {
        let arity = name == "count" ? 0...0 : name == "sumif" ? 2...2 : 1...1
        try checkArity(name, args, arity, at: offset)
        var lowered: [RecordExpr] = []
        for arg in args { lowered.append(try lowerExpr(arg)) }
        let (aggregate, axiomName): (RecordAggregate, String) =
            switch (name, lowered.first) {
            case (_, nil): (.count, "count")
            case ("countif", let p?): (.countIf(p), "countif")
            case ("sum", let x?): (.sum(x), "sum")
            case ("sumif", let x?): (.sumIf(x, lowered[1]), "sumif")
            case ("avg", let x?): (.avg(x), "avg")
            case ("min", let x?): (.min(x), "min")
            case ("max", let x?): (.max(x), "max")
            case ("dcount", let x?): (.dcount(x), "distinct")
            case ("make_list", let x?): (.makeList(x), "makelist")
            case (_, let x?): (.makeSet(x), "makeset")
            }
        return aggregateColumn(aggregate, name, axiomName: axiomName, args)
    }

    /// An aggregate column with its default name (`<prefix>_<column>`; `count_` and `countif_`
    /// name no column) and its Axiom metadata.
    func aggregateColumn(
        _ aggregate: RecordAggregate, _ prefix: String, axiomName: String, _ args: [APLSyntax.Expr], extra: [FieldValue] = []
    ) -> AggregateColumn {
        let stem = prefix == "count" || prefix == "countif" ? "" : args.first.map(APLLowering.columnStem) ?? ""
        let fields = args.first.map { [APLLowering.columnName(of: $0) ?? text(of: $0)] } ?? []
        return AggregateColumn(
            aggregate: aggregate, defaultName: prefix + "_" + stem,
            info: APLAggregationInfo(column: "", name: axiomName, fields: fields, args: extra))
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
