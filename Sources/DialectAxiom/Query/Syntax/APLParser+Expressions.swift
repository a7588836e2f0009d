import StorageAPI

/// Expressions, by Kusto precedence, lowest first: `or`; `and`; comparisons and string, set,
/// range and regex operators; `+ -`; `* / %`; unary `-`/`+`; then postfix paths.
extension APLParser {
    /// String operators written as words, with their negated and case-sensitive spellings.
    static let stringOperators: Set<String> = {
        var out: Set<String> = []
        for base in ["contains", "startswith", "endswith", "has", "hasprefix", "hassuffix"] {
            for word in [base, base + "_cs"] { out.insert(word); out.insert("!" + word) }
        }
        return out
    }()

    static let comparisonSymbols: Set<String> = ["==", "!=", "<>", "<", "<=", ">", ">=", "=~", "!~"]
    static let listOperators: Set<String> = ["in", "!in", "in~", "!in~", "has_any", "has_all"]
    /// Words that cannot start an expression, so `where and` is a syntax error, not a column.
    static let reservedWords: Set<String> = ["and", "or", "by", "asc", "desc", "between", "in", "matches"]

    mutating func parseExpr() throws(APLError) -> APLSyntax.Expr {
        depth += 1
        defer { depth -= 1 }
        guard depth <= APLParser.maxDepth else { throw fail("expression nested too deeply", at: offset) }
        return try parseOr()
    }

    func binary(_ op: String, _ lhs: APLSyntax.Expr, _ rhs: APLSyntax.Expr) -> APLSyntax.Expr {
        APLSyntax.Expr(kind: .binary(op, lhs, rhs), offset: lhs.offset, endOffset: rhs.endOffset)
    }

    var previousEnd: Int { tokens[max(0, position - 1)].endOffset }

    mutating func parseOr() throws(APLError) -> APLSyntax.Expr {
        var lhs = try parseAnd()
        while isWord("or") {
            advance()
            lhs = binary("or", lhs, try parseAnd())
        }
        return lhs
    }

    mutating func parseAnd() throws(APLError) -> APLSyntax.Expr {
        var lhs = try parseComparison()
        while isWord("and") {
            advance()
            lhs = binary("and", lhs, try parseComparison())
        }
        return lhs
    }

    mutating func parseComparison() throws(APLError) -> APLSyntax.Expr {
        var lhs = try parseAdditive()
        while true {
            switch peek {
            case .symbol(let op) where APLParser.comparisonSymbols.contains(op):
                advance()
                lhs = binary(op, lhs, try parseAdditive())
            case .identifier(let op) where APLParser.stringOperators.contains(op):
                advance()
                lhs = binary(op, lhs, try parseAdditive())
            case .identifier(let op) where APLParser.listOperators.contains(op):
                advance()
                let items = try parseParenthesisedList(after: op)
                lhs = APLSyntax.Expr(kind: .list(op, lhs, items), offset: lhs.offset, endOffset: previousEnd)
            case .identifier(let op) where op == "between" || op == "!between":
                advance()
                lhs = try parseBetween(lhs, negated: op == "!between")
            case .identifier(let op) where op == "matches" || op == "!matches":
                advance()
                try expectWord("regex")
                let pattern = try parseAdditive()
                lhs = APLSyntax.Expr(
                    kind: .regex(lhs, pattern, negated: op == "!matches"), offset: lhs.offset, endOffset: pattern.endOffset)
            case .identifier(let op) where op.hasPrefix("!"):
                throw fail("unsupported operator: `\(op)`", at: offset)
            default:
                return lhs
            }
        }
    }

    /// `( a, b, … )` after `in` and friends.
    mutating func parseParenthesisedList(after op: String) throws(APLError) -> [APLSyntax.Expr] {
        guard isSymbol("(") else { throw expected("`(` after `\(op)`") }
        advance()
        var items: [APLSyntax.Expr] = []
        if !isSymbol(")") {
            repeat {
                if !items.isEmpty { advance() }
                items.append(try parseExpr())
            } while isSymbol(",")
        }
        try expectSymbol(")")
        return items
    }

    /// `between (low .. high)`.
    mutating func parseBetween(_ lhs: APLSyntax.Expr, negated: Bool) throws(APLError) -> APLSyntax.Expr {
        guard isSymbol("(") else { throw expected("`(` after `between`") }
        advance()
        let low = try parseExpr()
        try expectSymbol("..")
        let high = try parseExpr()
        try expectSymbol(")")
        return APLSyntax.Expr(kind: .between(lhs, low, high, negated: negated), offset: lhs.offset, endOffset: previousEnd)
    }

    mutating func parseAdditive() throws(APLError) -> APLSyntax.Expr {
        var lhs = try parseMultiplicative()
        while case .symbol(let op) = peek, op == "+" || op == "-" {
            advance()
            lhs = binary(op, lhs, try parseMultiplicative())
        }
        return lhs
    }

    mutating func parseMultiplicative() throws(APLError) -> APLSyntax.Expr {
        var lhs = try parseUnary()
        while case .symbol(let op) = peek, op == "*" || op == "/" || op == "%" {
            advance()
            lhs = binary(op, lhs, try parseUnary())
        }
        return lhs
    }

    mutating func parseUnary() throws(APLError) -> APLSyntax.Expr {
        guard case .symbol(let op) = peek, op == "-" || op == "+" else { return try parsePostfix() }
        let start = offset
        advance()
        depth += 1
        defer { depth -= 1 }
        guard depth <= APLParser.maxDepth else { throw fail("expression nested too deeply", at: start) }
        let operand = try parseUnary()
        return APLSyntax.Expr(kind: .unary(op, operand), offset: start, endOffset: operand.endOffset)
    }

    /// A primary followed, when it is a path, by `.name`, `['name']` and `[index]`.
    mutating func parsePostfix() throws(APLError) -> APLSyntax.Expr {
        var expr = try parsePrimary()
        guard case .path(var components) = expr.kind else { return expr }
        while true {
            if isSymbol("."), case .identifier(let member) = peek(ahead: 1), !member.hasPrefix("!") {
                advance()
                advance()
                components.append(.member(member))
            } else if isSymbol("["), case .string(let member) = peek(ahead: 1) {
                advance()
                advance()
                try expectSymbol("]")
                components.append(.member(member))
            } else if isSymbol("[") {
                advance()
                components.append(.index(try parseIndex()))
                try expectSymbol("]")
            } else {
                break
            }
        }
        expr.kind = .path(components)
        expr.endOffset = previousEnd
        return expr
    }

    /// An array index: an integer, possibly negative (`a[-1]` is the last element).
    mutating func parseIndex() throws(APLError) -> Int {
        var sign = 1
        if isSymbol("-") {
            advance()
            sign = -1
        }
        guard case .int(let value) = peek, let index = Int(exactly: value) else {
            throw expected("an integer index or a quoted member name after `[`")
        }
        advance()
        return sign * index
    }
}
