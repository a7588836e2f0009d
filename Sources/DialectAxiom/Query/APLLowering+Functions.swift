import BasinModel
import StorageAPI

extension APLLowering {
    /// Scalar functions by APL name, aliases included.
    static let scalarFunctions: [String: RecordFunction] = {
        var table: [String: RecordFunction] = [
            "iif": .iff, "tolong": .toint, "todouble": .toreal, "toboolean": .tobool, "array_length": .arrayLength,
        ]
        for function in RecordFunction.allCases { table[function.rawValue] = function }
        return table
    }()

    /// Aggregation names, rejected outside `summarize`.
    static let aggregationNames: Set<String> = [
        "count", "countif", "sum", "sumif", "avg", "avgif", "min", "minif", "max", "maxif", "dcount", "dcountif",
        "percentile", "percentiles", "percentileif", "percentilesif", "topk", "topkif", "make_list", "make_set",
        "make_list_if", "make_set_if", "make_bag", "stdev", "stdevif", "variance", "varianceif", "arg_min",
        "arg_max", "histogram", "histogramif", "rate", "any", "take_any",
    ]

    /// Literal constructors: `long(5)`, `real(null)`, `timespan(1d)`.
    static let typedLiterals: Set<String> = ["int", "long", "real", "double", "bool", "boolean", "timespan", "time", "string"]
}

extension APLLowering.Context {
    mutating func lowerCall(_ name: String, _ args: [APLSyntax.Expr], at offset: Int) throws(APLError) -> RecordExpr {
        switch name {
        case "ago":
            try checkArity(name, args, 1...1, at: offset)
            let span = try constantTimespan(args[0], of: name)
            let (instant, overflow) = nowNanos.subtractingReportingOverflow(span)
            guard !overflow else { throw fail("`ago(…)` out of range", at: offset) }
            return .literal(.timestamp(instant))
        case "now":
            try checkArity(name, args, 0...1, at: offset)
            let span = args.isEmpty ? 0 : try constantTimespan(args[0], of: name)
            let (instant, overflow) = nowNanos.addingReportingOverflow(span)
            guard !overflow else { throw fail("`now(…)` out of range", at: offset) }
            return .literal(.timestamp(instant))
        case "not":
            try checkArity(name, args, 1...1, at: offset)
            return .not(try lowerExpr(args[0]))
        case "bin_auto":
            throw fail("`bin_auto` is only supported as a `summarize … by` key", at: offset)
        case "floor" where args.count == 2:
            return try lowerFunction(.bin, name, args, at: offset)
        case _ where APLLowering.typedLiterals.contains(name):
            try checkArity(name, args, 1...1, at: offset)
            return try typedLiteral(name, args[0])
        case _ where APLLowering.aggregationNames.contains(name):
            throw fail("aggregation `\(name)` is only allowed in `summarize`", at: offset)
        default:
            guard let function = APLLowering.scalarFunctions[name] else {
                throw fail("unsupported function: `\(name)`", at: offset)
            }
            return try lowerFunction(function, name, args, at: offset)
        }
    }

    mutating func lowerFunction(
        _ function: RecordFunction, _ name: String, _ args: [APLSyntax.Expr], at offset: Int
    ) throws(APLError) -> RecordExpr {
        try checkArity(name, args, function.arity, at: offset)
        if function == .case, args.count % 2 == 0 {
            throw fail("`case` needs condition/value pairs and an else value (an odd number of arguments)", at: offset)
        }
        var lowered: [RecordExpr] = []
        for arg in args { lowered.append(try lowerExpr(arg)) }
        if function == .bin, case .literal(let size) = lowered[1] {
            switch size {
            case .int(let n) where n <= 0: throw fail("`\(name)` size must be positive", at: args[1].offset)
            case .float(let x) where !(x > 0): throw fail("`\(name)` size must be positive", at: args[1].offset)
            default: break
            }
        }
        return .call(function, lowered)
    }

    func checkArity(_ name: String, _ args: [APLSyntax.Expr], _ arity: ClosedRange<Int>, at offset: Int) throws(APLError) {
        guard !arity.contains(args.count) else { return }
        let expected =
            arity.lowerBound == arity.upperBound
            ? "\(arity.lowerBound)" : arity.upperBound > 64 ? "at least \(arity.lowerBound)" : "\(arity.lowerBound) to \(arity.upperBound)"
        throw fail(
            "`\(name)` expects \(expected) argument\(arity.upperBound == 1 ? "" : "s") but got \(args.count)", at: offset)
    }

    /// A constant timespan argument (`ago(1h)`, `now(-5m)`), in nanoseconds.
    mutating func constantTimespan(_ arg: APLSyntax.Expr, of name: String) throws(APLError) -> Int64 {
        guard case .literal(.int(let nanos)) = try lowerExpr(arg) else {
            throw fail("`\(name)` expects a constant timespan such as `1h`", at: arg.offset)
        }
        return nanos
    }

    /// `long(5)`, `real(null)`, `timespan(1d)`: the constant, converted.
    mutating func typedLiteral(_ name: String, _ arg: APLSyntax.Expr) throws(APLError) -> RecordExpr {
        let value = try lowerExpr(arg)
        guard case .literal(let constant) = value else {
            throw fail("`\(name)(…)` expects a literal", at: arg.offset)
        }
        switch (name, constant) {
        case (_, .null): return .literal(.null)
        case ("int", .int), ("long", .int), ("timespan", .int), ("time", .int): return value
        case ("real", .int(let n)), ("double", .int(let n)): return .literal(.float(Double(n)))
        case ("real", .float), ("double", .float), ("bool", .bool), ("boolean", .bool), ("string", .string): return value
        default: throw fail("invalid `\(name)` literal", at: arg.offset)
        }
    }
}
