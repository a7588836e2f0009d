import BasinModel
import QueryEngine
import StorageAPI

/// Turns a parsed PromQL expression into the vendor-neutral ``PlanNode``, checking types the
/// way Prometheus' parser does.
public struct PromQLLowering {
    let source: [UInt8]

    /// Parses and lowers a query.
    /// - Throws: ``PromQLError`` for syntax, type and unsupported-construct errors.
    public static func compile(_ query: String) throws(PromQLError) -> PlanNode {
        let expr = try PromQLParser.parse(query)
        return try PromQLLowering(source: Array(query.utf8)).lower(expr)
    }

    /// Functions Prometheus has that Basin does not evaluate (named in the error instead of "unknown").
    static let unsupportedFunctions: Set<String> = [
        "absent_over_time", "acos", "acosh", "asin", "asinh", "atan", "atanh", "cos", "cosh",
        "day_of_month", "day_of_week", "day_of_year", "days_in_month", "deg",
        "first_over_time", "histogram_avg", "histogram_count", "histogram_fraction", "histogram_quantile",
        "histogram_stddev", "histogram_stdvar", "histogram_sum", "holt_winters", "double_exponential_smoothing", "hour",
        "info", "mad_over_time", "minute", "month", "pi",
        "rad", "sin", "sinh", "sort_by_label",
        "sort_by_label_desc", "tan", "tanh", "timestamp",
        "ts_of_max_over_time", "ts_of_min_over_time", "ts_of_last_over_time", "year",
    ]

    static let rollups: [String: RollupFunction] = [
        "rate": .rate, "increase": .increase, "delta": .delta, "irate": .irate, "idelta": .idelta,
        "avg_over_time": .avg, "sum_over_time": .sum, "min_over_time": .min, "max_over_time": .max,
        "count_over_time": .count, "last_over_time": .last, "quantile_over_time": .quantile,
        "stddev_over_time": .stddev, "stdvar_over_time": .stdvar, "present_over_time": .present,
        "changes": .changes, "resets": .resets, "deriv": .deriv, "predict_linear": .predictLinear,
    ]

    static let mathFunctions: [String: (MathFunction, minArgs: Int, maxArgs: Int)] = [
        "abs": (.abs, 1, 1), "ceil": (.ceil, 1, 1), "floor": (.floor, 1, 1), "round": (.round, 1, 2),
        "clamp_min": (.clampMin, 2, 2), "clamp_max": (.clampMax, 2, 2), "clamp": (.clamp, 3, 3),
        "sqrt": (.sqrt, 1, 1), "exp": (.exp, 1, 1), "ln": (.ln, 1, 1), "log2": (.log2, 1, 1), "log10": (.log10, 1, 1),
        "sgn": (.sgn, 1, 1),
    ]

    func fail(_ reason: String, _ expr: PromQLExpr) -> PromQLError { PromQLError(reason, at: expr.offset, in: source) }

    /// Lowers one expression.
    public func lower(_ expr: PromQLExpr) throws(PromQLError) -> PlanNode {
        switch expr.kind {
        case .number(let v): return .number(v)
        case .string(let s): return .string(s)
        case .parenthesized(let inner): return try lower(inner)
        case .vectorSelector(let selector): return .instantSelect(try lowerSelector(selector, expr))
        case .matrixSelector(let selector, let range):
            guard range > 0 else { throw fail("range must be positive", expr) }
            return .rangeSelect(try lowerSelector(selector, expr), rangeMillis: range)
        case .subquery: throw fail("subqueries are not supported", expr)
        case .unaryMinus(let inner):
            let node = try lower(inner)
            guard node.valueType == .scalar || node.valueType == .vector else {
                throw fail("unary expression only allowed on expressions of type scalar or instant vector", expr)
            }
            if case .number(let v) = node { return .number(-v) }
            return .negate(node)
        case .call(let name, let arguments): return try lowerCall(name, arguments, expr)
        case .aggregate(let op, let grouping, let parameter, let input):
            return try lowerAggregate(op, grouping, parameter, input, expr)
        case .binary(let op, let lhs, let rhs, let modifiers):
            return try lowerBinary(op, lhs, rhs, modifiers, expr)
        }
    }

    func lowerSelector(_ selector: PromQLSelector, _ expr: PromQLExpr) throws(PromQLError) -> SeriesSelector {
        var matchers: [LabelMatcher] = []
        if let name = selector.metricName { matchers.append(.equal(Labels.metricNameKey, name)) }
        for m in selector.matchers {
            if m.name == Labels.metricNameKey, let name = selector.metricName {
                throw PromQLError("metric name must not be set twice: \"\(name)\" or \"\(m.value)\"", at: m.offset, in: source)
            }
            guard let op = LabelMatcher.Operator(rawValue: m.op) else {
                throw PromQLError("unknown matcher operator \"\(m.op)\"", at: m.offset, in: source)
            }
            do {
                matchers.append(try LabelMatcher(name: m.name, op: op, value: m.value))
            } catch {
                throw PromQLError(error.message, at: m.offset, in: source)
            }
        }
        guard matchers.contains(where: { !$0.matchesEmpty }) else {
            throw fail("vector selector must contain at least one non-empty matcher", expr)
        }
        let anchor: TimeAnchor?
        switch selector.at {
        case nil: anchor = nil
        case .start?: anchor = .start
        case .end?: anchor = .end
        case .seconds(let s)?:
            let millis = (s * 1000).rounded()
            guard millis.isFinite, abs(millis) <= 9e15 else { throw fail("timestamp out of bounds for @ modifier: \(s)", expr) }
            anchor = .millis(Int64(millis))
        }
        return SeriesSelector(matchers: matchers, offsetMillis: selector.offsetMillis, anchor: anchor)
    }

    func expectType(_ node: PlanNode, _ type: ValueType, _ context: String, _ expr: PromQLExpr) throws(PromQLError) {
        guard node.valueType == type else {
            throw fail("expected type \(type.promQLName) in \(context), got \(node.valueType.promQLName)", expr)
        }
    }

    func lowerCall(_ name: String, _ arguments: [PromQLExpr], _ expr: PromQLExpr) throws(PromQLError) -> PlanNode {
        func arity(_ min: Int, _ max: Int) throws(PromQLError) {
            if min == max, arguments.count != min {
                throw fail("expected \(min) argument(s) in call to \"\(name)\", got \(arguments.count)", expr)
            }
            if arguments.count < min {
                throw fail("expected at least \(min) argument(s) in call to \"\(name)\", got \(arguments.count)", expr)
            }
            if arguments.count > max {
                throw fail("expected at most \(max) argument(s) in call to \"\(name)\", got \(arguments.count)", expr)
            }
        }
        let context = "call to function \"\(name)\""
        if let rollup = PromQLLowering.rollups[name] {
            // quantile_over_time(φ, v) takes its scalar first, predict_linear(v, t) second.
            let takesParameter = rollup == .quantile || rollup == .predictLinear
            try arity(takesParameter ? 2 : 1, takesParameter ? 2 : 1)
            let parameterIndex = rollup == .quantile ? 0 : 1
            var parameter: PlanNode?
            if takesParameter {
                let p = try lower(arguments[parameterIndex])
                try expectType(p, .scalar, context, arguments[parameterIndex])
                parameter = p
            }
            let windowExpr = arguments[takesParameter && parameterIndex == 0 ? 1 : 0]
            let window = try lower(windowExpr)
            try expectType(window, .matrix, context, windowExpr)
            guard case .rangeSelect(let selector, let range) = window else {
                throw fail("expected a range vector selector in \(context)", windowExpr)
            }
            return .rollup(rollup, selector, rangeMillis: range, parameter: parameter)
        }
        if let (function, minArgs, maxArgs) = PromQLLowering.mathFunctions[name] {
            try arity(minArgs, maxArgs)
            let input = try lower(arguments[0])
            try expectType(input, .vector, context, arguments[0])
            var rest: [PlanNode] = []
            for argument in arguments.dropFirst() {
                let node = try lower(argument)
                try expectType(node, .scalar, context, argument)
                rest.append(node)
            }
            return .math(function, input: input, arguments: rest)
        }
        switch name {
        case "time":
            try arity(0, 0)
            return .time
        case "vector":
            try arity(1, 1)
            let input = try lower(arguments[0])
            try expectType(input, .scalar, context, arguments[0])
            return .vectorOf(input)
        case "sort", "sort_desc":
            try arity(1, 1)
            let input = try lower(arguments[0])
            try expectType(input, .vector, context, arguments[0])
            return .sort(input, descending: name == "sort_desc")
        case "absent":
            try arity(1, 1)
            let input = try lower(arguments[0])
            try expectType(input, .vector, context, arguments[0])
            return .absent(input, labels: PromQLLowering.absentLabels(input))
        case "label_replace", "label_join":
            let isReplace = name == "label_replace"
            try arity(isReplace ? 5 : 3, isReplace ? 5 : Int.max)
            let input = try lower(arguments[0])
            try expectType(input, .vector, context, arguments[0])
            var strings: [String] = []
            for argument in arguments.dropFirst() {
                guard case .string(let text) = try lower(argument) else {
                    throw fail("expected type string in \(context), got \(try lower(argument).valueType.promQLName)", argument)
                }
                strings.append(text)
            }
            guard !strings[0].isEmpty else { throw fail("invalid destination label name in \(name)(): \"\"", arguments[1]) }
            if isReplace {
                do {
                    _ = try Regex("^(?:" + strings[3] + ")$")
                } catch {
                    throw fail("invalid regular expression in label_replace(): \(strings[3])", arguments[4])
                }
                return .rewriteLabels(
                    input, .replace(destination: strings[0], replacement: strings[1], source: strings[2], regex: strings[3]))
            }
            return .rewriteLabels(input, .join(destination: strings[0], separator: strings[1], sources: Array(strings.dropFirst(2))))
        case "scalar":
            try arity(1, 1)
            let input = try lower(arguments[0])
            try expectType(input, .vector, context, arguments[0])
            return .scalarOf(input)
        default:
            if PromQLLowering.unsupportedFunctions.contains(name) { throw fail("unsupported function \"\(name)\"", expr) }
            throw fail("unknown function with name \"\(name)\"", expr)
        }
    }

    /// The labels `absent` reports: the equality matchers of a plain selector, metric name excluded.
    static func absentLabels(_ input: PlanNode) -> Labels {
        guard case .instantSelect(let selector) = input else { return .empty }
        var seen: Set<String> = []
        var pairs: [(name: String, value: String)] = []
        for m in selector.matchers where m.op == .equal && m.name != Labels.metricNameKey {
            if seen.insert(m.name).inserted { pairs.append((m.name, m.value)) }
        }
        return Labels(pairs)
    }

    func lowerAggregate(
        _ op: String, _ grouping: PromQLGrouping?, _ parameter: PromQLExpr?, _ input: PromQLExpr, _ expr: PromQLExpr
    ) throws(PromQLError) -> PlanNode {
        guard let aggregate = AggregateOperator(rawValue: op) else { throw fail("unsupported aggregation \"\(op)\"", expr) }
        let inputNode = try lower(input)
        try expectType(inputNode, .vector, "aggregation expression", input)
        var parameterNode: PlanNode?
        if let parameter {
            let node = try lower(parameter)
            try expectType(node, .scalar, "aggregation parameter", parameter)
            parameterNode = node
        }
        let planGrouping: Grouping = switch grouping {
        case nil: .by([])
        case let g? where g.without: .without(g.labels)
        case let g?: .by(g.labels)
        }
        return .aggregate(aggregate, grouping: planGrouping, parameter: parameterNode, input: inputNode)
    }

    func lowerBinary(
        _ op: String, _ lhs: PromQLExpr, _ rhs: PromQLExpr, _ modifiers: PromQLBinaryModifiers, _ expr: PromQLExpr
    ) throws(PromQLError) -> PlanNode {
        guard let binary = BinaryOperator(rawValue: op) else { throw fail("unsupported binary operator \"\(op)\"", expr) }
        let left = try lower(lhs)
        let right = try lower(rhs)
        for node in [left, right] where node.valueType != .scalar && node.valueType != .vector {
            throw fail("binary expression must contain only scalar and instant vector types", expr)
        }
        let bothVectors = left.valueType == .vector && right.valueType == .vector
        if let group = modifiers.group, binary.isSetOperation {
            throw fail("no grouping allowed for \"\(op)\" operation (\(group))", expr)
        }
        if modifiers.matching != nil, !bothVectors {
            throw fail("vector matching only allowed between instant vectors", expr)
        }
        if binary.isSetOperation, !bothVectors {
            throw fail("set operator \"\(op)\" not allowed in binary scalar expression", expr)
        }
        if binary.isComparison, left.valueType == .scalar, right.valueType == .scalar, !modifiers.returnBool {
            throw fail("comparisons between scalars must use BOOL modifier", expr)
        }
        let cardinality: VectorMatching.Cardinality = switch modifiers.group {
        case "group_left": .manyToOne
        case "group_right": .oneToMany
        default: .oneToOne
        }
        if let matching = modifiers.matching, matching.on {
            for label in modifiers.include where matching.labels.contains(label) {
                throw fail("label \"\(label)\" must not occur in ON and GROUP clause at once", expr)
            }
        }
        let matching = modifiers.matching.map {
            VectorMatching(on: $0.on, labels: $0.labels, cardinality: cardinality, include: modifiers.include)
        } ?? .default
        return .binary(binary, lhs: left, rhs: right, matching: matching, returnBool: modifiers.returnBool)
    }
}
