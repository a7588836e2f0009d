import BasinModel
import StorageAPI

extension APLParser {
    mutating func parsePrimary() throws(APLError) -> APLSyntax.Expr {
        let start = offset
        func make(_ kind: APLSyntax.ExprKind) -> APLSyntax.Expr {
            APLSyntax.Expr(kind: kind, offset: start, endOffset: tokens[max(0, position - 1)].endOffset)
        }
        switch peek {
        case .int(let value): advance(); return make(.int(value))
        case .real(let value): advance(); return make(.real(value))
        case .timespan(let nanos): advance(); return make(.timespan(nanos))
        case .string(let text): advance(); return make(.string(text))
        case .datetime(let raw): advance(); return make(.datetime(raw))
        case .symbol("("):
            advance()
            let inner = try parseExpr()
            try expectSymbol(")")
            return APLSyntax.Expr(kind: inner.kind, offset: start, endOffset: previousEnd)
        case .symbol("["):
            guard case .string(let name) = peek(ahead: 1) else { throw expected("a quoted column name after `[`") }
            advance()
            advance()
            try expectSymbol("]")
            return make(.path([.member(name)]))
        case .identifier(let word):
            return try parseWord(word, at: start)
        default:
            throw expected("an expression")
        }
    }

    mutating func parseWord(_ word: String, at start: Int) throws(APLError) -> APLSyntax.Expr {
        advance()
        if isSymbol("(") {
            if word == "dynamic" { return try parseDynamicCall(at: start) }
            advance()
            var args: [APLSyntax.Expr] = []
            if !isSymbol(")") {
                repeat {
                    if !args.isEmpty { advance() }
                    if isSymbol("*") {
                        if word == "count" { throw fail("unsupported: `count(*)`; write `count()`", at: offset) }
                        throw fail("unsupported: `*` as an argument of `\(word)`", at: offset)
                    }
                    args.append(try parseExpr())
                } while isSymbol(",")
            }
            try expectSymbol(")")
            return APLSyntax.Expr(kind: .call(word, args), offset: start, endOffset: previousEnd)
        }
        let kind: APLSyntax.ExprKind
        switch word {
        case "true": kind = .bool(true)
        case "false": kind = .bool(false)
        case "null": kind = .null
        case _ where word.hasPrefix("!") || APLParser.reservedWords.contains(word):
            throw fail("expected an expression but found `\(word)`", at: start)
        default: kind = .path([.member(word)])
        }
        return APLSyntax.Expr(kind: kind, offset: start, endOffset: previousEnd)
    }

    /// `dynamic(<json-like literal>)`, cursor on `(`.
    mutating func parseDynamicCall(at start: Int) throws(APLError) -> APLSyntax.Expr {
        advance()
        let value = try parseDynamicValue()
        try expectSymbol(")")
        return APLSyntax.Expr(kind: .dynamic(value), offset: start, endOffset: previousEnd)
    }

    /// A JSON-like constant: `null`, booleans, numbers, strings, `[…]`, `{"k": v}`.
    mutating func parseDynamicValue() throws(APLError) -> FieldValue {
        depth += 1
        defer { depth -= 1 }
        guard depth <= APLParser.maxDepth else { throw fail("dynamic literal nested too deeply", at: offset) }
        var negative = false
        if isSymbol("-") {
            advance()
            negative = true
        }
        switch peek {
        case .int(let value): advance(); return .int(negative ? 0 &- value : value)
        case .real(let value): advance(); return .float(negative ? -value : value)
        case .timespan(let nanos): advance(); return .int(negative ? 0 &- nanos : nanos)
        case _ where negative: throw expected("a number after `-`")
        case .string(let text): advance(); return .string(text)
        case .identifier("null"): advance(); return .null
        case .identifier("true"): advance(); return .bool(true)
        case .identifier("false"): advance(); return .bool(false)
        case .symbol("["): return try parseDynamicArray()
        case .symbol("{"): return try parseDynamicObject()
        default: throw expected("a value inside `dynamic(…)`")
        }
    }

    mutating func parseDynamicArray() throws(APLError) -> FieldValue {
        advance()
        var items: [FieldValue] = []
        if !isSymbol("]") {
            repeat {
                if !items.isEmpty { advance() }
                items.append(try parseDynamicValue())
            } while isSymbol(",")
        }
        try expectSymbol("]")
        return .array(items)
    }

    mutating func parseDynamicObject() throws(APLError) -> FieldValue {
        advance()
        var members: [RecordField] = []
        if !isSymbol("}") {
            repeat {
                if !members.isEmpty { advance() }
                guard case .string(let name) = peek else { throw expected("a quoted member name") }
                advance()
                try expectSymbol(":")
                members.append(RecordField(name, try parseDynamicValue()))
            } while isSymbol(",")
        }
        try expectSymbol("}")
        return .object(members)
    }
}
