import BasinModel
import StorageAPI

extension APLLowering.Context {
    /// Lowers a scalar expression.
    mutating func lowerExpr(_ expr: APLSyntax.Expr) throws(APLError) -> RecordExpr {
        switch expr.kind {
        case .int(let value): return .literal(.int(value))
        case .real(let value): return .literal(.float(value))
        case .string(let text): return .literal(.string(text))
        case .bool(let value): return .literal(.bool(value))
        case .null: return .literal(.null)
        case .timespan(let nanos): return .literal(.int(nanos))
        case .datetime(let raw): return .literal(try datetimeValue(raw, at: expr.offset))
        case .dynamic(let value): return .literal(value)
        case .path(let components): return .field(FieldPath(components))
        case .call(let name, let args): return try lowerCall(name, args, at: expr.offset)
        case .unary(let op, let operand):
            let inner = try lowerExpr(operand)
            return op == "+" ? inner : APLLowering.negate(inner)
        case .binary(let op, let lhs, let rhs):
            return try lowerBinary(op, lhs, rhs, at: expr.offset)
        case .list(let op, let subject, let items):
            return try lowerList(op, subject, items, at: expr.offset)
        case .between(let subject, let low, let high, let negated):
            return .between(try lowerExpr(subject), try lowerExpr(low), try lowerExpr(high), negated: negated)
        case .regex(let subject, let pattern, let negated):
            return .regex(try lowerExpr(subject), pattern: try regexPattern(pattern), negated: negated)
        }
    }

    /// A `datetime(…)` literal's value; `datetime(null)` is null.
    func datetimeValue(_ raw: String, at offset: Int) throws(APLError) -> FieldValue {
        if raw == "null" { return .null }
        guard let nanos = APLDatetimeLiteral.parse(raw) else {
            throw fail("invalid datetime literal `datetime(\(raw))`", at: offset)
        }
        return .timestamp(nanos)
    }

    /// The pattern of `matches regex`: a string constant that compiles.
    func regexPattern(_ pattern: APLSyntax.Expr) throws(APLError) -> String {
        guard case .string(let text) = pattern.kind else {
            throw fail("expected a string literal after `matches regex`", at: pattern.offset)
        }
        do {
            _ = try Regex(text)
        } catch {
            throw fail("invalid regular expression \"\(text)\"", at: pattern.offset)
        }
        return text
    }

    static var binaryOperators: [String: RecordBinaryOp] {
        [
            "==": .eq, "!=": .ne, "<>": .ne, "<": .lt, "<=": .le, ">": .gt, ">=": .ge, "and": .and, "or": .or,
            "+": .add, "-": .subtract, "*": .multiply, "/": .divide, "%": .modulo,
        ]
    }

    static var stringOperators: [String: RecordStringOp] {
        [
            "contains": .contains, "startswith": .startsWith, "endswith": .endsWith, "has": .has,
            "hasprefix": .hasPrefix, "hassuffix": .hasSuffix,
        ]
    }

    mutating func lowerBinary(
        _ op: String, _ lhs: APLSyntax.Expr, _ rhs: APLSyntax.Expr, at offset: Int
    ) throws(APLError) -> RecordExpr {
        let left = try lowerExpr(lhs)
        let right = try lowerExpr(rhs)
        if let binaryOp = Self.binaryOperators[op] {
            return APLLowering.foldTime(binaryOp, left, right) ?? .binary(binaryOp, left, right)
        }
        if op == "=~" || op == "!~" {
            return .stringTest(.equals, left, right, caseSensitive: false, negated: op == "!~")
        }
        var word = Substring(op)
        let negated = word.hasPrefix("!")
        if negated { word = word.dropFirst() }
        let caseSensitive = word.hasSuffix("_cs")
        if caseSensitive { word = word.dropLast(3) }
        guard let stringOp = Self.stringOperators[String(word)] else {
            throw fail("unsupported operator: `\(op)`", at: offset)
        }
        return .stringTest(stringOp, left, right, caseSensitive: caseSensitive, negated: negated)
    }

    /// `in`/`!in`/`in~`/`!in~` lists (a `dynamic([…])` item contributes its elements), and
    /// `has_any`/`has_all` as a chain of `has` tests.
    mutating func lowerList(
        _ op: String, _ subject: APLSyntax.Expr, _ items: [APLSyntax.Expr], at offset: Int
    ) throws(APLError) -> RecordExpr {
        guard !items.isEmpty else { throw fail("expected at least one value after `\(op)`", at: offset) }
        let lhs = try lowerExpr(subject)
        var values: [RecordExpr] = []
        for item in items {
            if case .dynamic(.array(let elements)) = item.kind {
                values += elements.map { RecordExpr.literal($0) }
            } else {
                values.append(try lowerExpr(item))
            }
        }
        if op == "has_any" || op == "has_all" {
            let tests = values.map { RecordExpr.stringTest(.has, lhs, $0, caseSensitive: false, negated: false) }
            let join: RecordBinaryOp = op == "has_any" ? .or : .and
            return tests.dropFirst().reduce(tests[0]) { .binary(join, $0, $1) }
        }
        return .inList(lhs, values, caseSensitive: !op.hasSuffix("~"), negated: op.hasPrefix("!"))
    }
}

extension APLLowering {
    /// `-x`, folded when `x` is a number literal.
    static func negate(_ expr: RecordExpr) -> RecordExpr {
        switch expr {
        case .literal(.int(let value)) where value != .min: return .literal(.int(-value))
        case .literal(.float(let value)): return .literal(.float(-value))
        default: return .negate(expr)
        }
    }

    /// `timestamp ± timespan` and `timespan + timestamp` between literals, folded (so `ago(1h) - 5m`
    /// is one constant the store can prune partitions with).
    static func foldTime(_ op: RecordBinaryOp, _ lhs: RecordExpr, _ rhs: RecordExpr) -> RecordExpr? {
        switch (op, lhs, rhs) {
        case (.add, .literal(.timestamp(let t)), .literal(.int(let span))),
            (.add, .literal(.int(let span)), .literal(.timestamp(let t))):
            let (sum, overflow) = t.addingReportingOverflow(span)
            return overflow ? nil : .literal(.timestamp(sum))
        case (.subtract, .literal(.timestamp(let t)), .literal(.int(let span))):
            let (difference, overflow) = t.subtractingReportingOverflow(span)
            return overflow ? nil : .literal(.timestamp(difference))
        default:
            return nil
        }
    }
}
