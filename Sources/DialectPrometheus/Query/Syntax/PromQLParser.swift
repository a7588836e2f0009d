/// Parses PromQL text into a ``PromQLExpr`` (syntax only; types are checked by ``PromQLLowering``).
///
/// Precedence, lowest first: `or`; `and unless`; comparisons; `+ -`; `* / % atan2`; `^`
/// (right-associative). Unary minus binds tighter than everything but `^`, so `-2 ^ 2` is `-4`.
public struct PromQLParser {
    let source: [UInt8]
    let tokens: [PromQLLexeme]
    var position = 0

    /// Parses a whole query.
    /// - Throws: ``PromQLError`` with the line and column of the first problem.
    public static func parse(_ query: String) throws(PromQLError) -> PromQLExpr {
        var lexer = PromQLLexer(query)
        var parser = PromQLParser(source: lexer.source, tokens: try lexer.tokenize())
        if parser.peek == .end { throw parser.fail("no expression found in input", at: 0) }
        let expr = try parser.parseExpression(minPrecedence: 1)
        if parser.peek != .end { throw parser.unexpected() }
        return expr
    }

    static let aggregations: Set<String> = [
        "sum", "avg", "count", "min", "max", "topk", "bottomk", "quantile",
        "stddev", "stdvar", "count_values", "group", "limitk", "limit_ratio",
    ]

    var peek: PromQLToken { tokens[position].token }
    var offset: Int { tokens[position].offset }

    func fail(_ reason: String, at offset: Int) -> PromQLError { PromQLError(reason, at: offset, in: source) }
    func unexpected(_ context: String = "") -> PromQLError {
        fail("unexpected \(peek.display)\(context.isEmpty ? "" : " \(context)")", at: offset)
    }

    mutating func advance() -> PromQLLexeme {
        let lexeme = tokens[position]
        if position < tokens.count - 1 { position += 1 }
        return lexeme
    }

    mutating func expect(_ token: PromQLToken, _ context: String) throws(PromQLError) {
        guard peek == token else { throw unexpected(context) }
        _ = advance()
    }

    /// The binary operator at the cursor and its precedence (higher binds tighter).
    func binaryOperator() -> (String, Int)? {
        switch peek {
        case .symbol(let s):
            switch s {
            case "^": return (s, 6)
            case "*", "/", "%": return (s, 5)
            case "+", "-": return (s, 4)
            case "==", "!=", ">", "<", ">=", "<=": return (s, 3)
            default: return nil
            }
        case .identifier(let name):
            switch name.lowercased() {
            case "atan2": return ("atan2", 5)
            case "and", "unless": return (name.lowercased(), 2)
            case "or": return ("or", 1)
            default: return nil
            }
        default: return nil
        }
    }

    mutating func parseExpression(minPrecedence: Int) throws(PromQLError) -> PromQLExpr {
        var lhs = try parseUnary()
        while let (op, precedence) = binaryOperator(), precedence >= minPrecedence {
            _ = advance()
            let modifiers = try parseBinaryModifiers(op)
            let rhs = try parseExpression(minPrecedence: op == "^" ? precedence : precedence + 1)
            lhs = PromQLExpr(.binary(op: op, lhs: lhs, rhs: rhs, modifiers: modifiers), offset: lhs.offset)
        }
        return lhs
    }

    mutating func parseBinaryModifiers(_ op: String) throws(PromQLError) -> PromQLBinaryModifiers {
        var modifiers = PromQLBinaryModifiers()
        if case .identifier(let word) = peek, word.lowercased() == "bool" {
            guard ["==", "!=", ">", "<", ">=", "<="].contains(op) else {
                throw fail("bool modifier can only be used on comparison operators", at: offset)
            }
            _ = advance()
            modifiers.returnBool = true
        }
        if case .identifier(let word) = peek, ["on", "ignoring"].contains(word.lowercased()) {
            _ = advance()
            modifiers.matching = (word.lowercased() == "on", try parseLabelList("in \(word.lowercased()) clause"))
            if case .identifier(let group) = peek, ["group_left", "group_right"].contains(group.lowercased()) {
                modifiers.group = group.lowercased()
                _ = advance()
                if peek == .leftParen { modifiers.include = try parseLabelList("in grouping clause") }
            }
        }
        return modifiers
    }

    mutating func parseUnary() throws(PromQLError) -> PromQLExpr {
        if case .symbol(let s) = peek, s == "-" || s == "+" {
            let start = advance().offset
            let operand = try parseExpression(minPrecedence: 6)
            if s == "+" { return operand }
            if case .number(let v) = operand.kind { return PromQLExpr(.number(-v), offset: start) }
            return PromQLExpr(.unaryMinus(operand), offset: start)
        }
        return try parsePostfix(try parsePrimary())
    }

    mutating func parsePostfix(_ base: PromQLExpr) throws(PromQLError) -> PromQLExpr {
        var expr = base
        while true {
            switch peek {
            case .leftBracket:
                expr = try parseRange(expr)
            case .at:
                let at = advance().offset
                let value = try parseAtValue()
                try applyModifier(to: &expr, at: at) { selector throws(PromQLError) in
                    guard selector.at == nil else { return "@ <timestamp> may not be set multiple times" }
                    selector.at = value
                    return nil
                }
            case .identifier(let word) where word.lowercased() == "offset":
                let at = advance().offset
                let value = try parseOffsetValue()
                try applyModifier(to: &expr, at: at) { selector throws(PromQLError) in
                    guard selector.offsetMillis == 0 else { return "offset may not be set multiple times" }
                    selector.offsetMillis = value
                    return nil
                }
            default:
                return expr
            }
        }
    }

    func applyModifier(
        to expr: inout PromQLExpr, at: Int, _ body: (inout PromQLSelector) throws(PromQLError) -> String?
    ) throws(PromQLError) {
        switch expr.kind {
        case .vectorSelector(var selector):
            if let problem = try body(&selector) { throw fail(problem, at: at) }
            expr.kind = .vectorSelector(selector)
        case .matrixSelector(var selector, let range):
            if let problem = try body(&selector) { throw fail(problem, at: at) }
            expr.kind = .matrixSelector(selector, rangeMillis: range)
        case .subquery:
            throw fail("subqueries are not supported", at: expr.offset)
        default:
            throw fail("offset and @ modifiers must be preceded by an instant vector selector or range vector selector or a subquery", at: at)
        }
    }

    mutating func parseOffsetValue() throws(PromQLError) -> Int64 {
        var sign: Int64 = 1
        if case .symbol(let s) = peek, s == "-" || s == "+" {
            if s == "-" { sign = -1 }
            _ = advance()
        }
        return sign * (try parseDuration("in offset"))
    }

    mutating func parseAtValue() throws(PromQLError) -> PromQLAt {
        var sign = 1.0
        if case .symbol(let s) = peek, s == "-" || s == "+" {
            if s == "-" { sign = -1 }
            _ = advance()
        }
        switch peek {
        case .number(let v):
            _ = advance()
            guard v.isFinite else { throw fail("timestamp out of bounds for @ modifier: \(v)", at: offset) }
            return .seconds(sign * v)
        case .duration(let ms):
            _ = advance()
            return .seconds(sign * Double(ms) / 1000)
        case .identifier(let name) where name == "start" || name == "end":
            _ = advance()
            try expect(.leftParen, "in @ modifier")
            try expect(.rightParen, "in @ modifier")
            return name == "start" ? .start : .end
        default:
            throw unexpected("in @ modifier")
        }
    }

    /// A duration, or a plain number of seconds (as Prometheus 3 accepts).
    mutating func parseDuration(_ context: String) throws(PromQLError) -> Int64 {
        switch peek {
        case .duration(let ms):
            _ = advance()
            return ms
        case .number(let seconds) where seconds.isFinite && abs(seconds) < 9e15:
            _ = advance()
            return Int64((seconds * 1000).rounded())
        default:
            throw unexpected(context)
        }
    }

    mutating func parseRange(_ base: PromQLExpr) throws(PromQLError) -> PromQLExpr {
        let open = advance().offset
        let range = try parseDuration("in range, expected duration")
        if peek == .colon {
            _ = advance()
            var step: Int64?
            if peek != .rightBracket { step = try parseDuration("in subquery, expected duration") }
            try expect(.rightBracket, "in subquery")
            return PromQLExpr(.subquery(base, rangeMillis: range, stepMillis: step), offset: base.offset)
        }
        try expect(.rightBracket, "in range")
        guard case .vectorSelector(let selector) = base.kind else {
            throw fail("ranges only allowed for vector selectors", at: open)
        }
        guard selector.offsetMillis == 0, selector.at == nil else {
            throw fail("no offset or @ modifiers allowed before range", at: open)
        }
        return PromQLExpr(.matrixSelector(selector, rangeMillis: range), offset: base.offset)
    }
}
