extension APLParser {
    /// Tabular operators Kusto has that Basin does not run, named in the error.
    static let unsupportedOperators: Set<String> = [
        "join", "union", "parse", "parse-kv", "parse-where", "mv-expand", "mv-apply", "make-series", "lookup",
        "sample", "sample-distinct", "getschema", "redact", "externaldata", "project-keep", "project-rename",
        "project-reorder", "top-nested", "top-hitters", "serialize", "as", "evaluate", "fork", "facet",
        "invoke", "render", "scan", "range", "print", "let", "consume", "partition", "reduce", "find",
    ]

    /// One operator after a `|`.
    mutating func parseOperator() throws(APLError) -> APLSyntax.Operator {
        let start = offset
        guard case .identifier(let name) = peek else { throw expected("an operator after `|`") }
        advance()
        let kind: APLSyntax.OperatorKind
        switch name {
        case "where", "filter": kind = .where(try parseExpr())
        case "project": kind = .project(try parseAssignments(context: "`project`"))
        case "extend": kind = .extend(try parseAssignments(context: "`extend`"))
        case "project-away": kind = .projectAway(try parseNamePatterns())
        case "summarize": kind = try parseSummarize()
        case "sort", "order":
            try expectWord("by")
            kind = .sort(try parseSortItems())
        case "take", "limit": kind = .take(try parseCount(name))
        case "top":
            let count = try parseCount(name)
            try expectWord("by")
            kind = .top(count, try parseSortItems())
        case "count": kind = .count
        case "distinct":
            if isSymbol("*") { throw fail("unsupported: `distinct *`", at: offset) }
            kind = .distinct(try parseAssignments(context: "`distinct`"))
        case "search":
            let caseSensitive = try parseSearchKind()
            kind = .search(APLSyntax.Search(text: try parseSearchText(), caseSensitive: caseSensitive))
        default:
            throw fail("unsupported operator: `\(name)`", at: start)
        }
        return APLSyntax.Operator(kind: kind, offset: start)
    }

    /// A non-negative integer literal, as `take` and `top` need.
    mutating func parseCount(_ operatorName: String) throws(APLError) -> Int64 {
        guard case .int(let count) = peek, count >= 0 else {
            throw expected("a non-negative integer after `\(operatorName)`")
        }
        advance()
        return count
    }

    /// `[name =] expr, …` (at least one).
    mutating func parseAssignments(context: String) throws(APLError) -> [APLSyntax.Assignment] {
        var out: [APLSyntax.Assignment] = []
        repeat {
            if !out.isEmpty { advance() }
            out.append(try parseAssignment(context: context))
        } while isSymbol(",")
        return out
    }

    mutating func parseAssignment(context: String) throws(APLError) -> APLSyntax.Assignment {
        if case .identifier(let name) = peek, peek(ahead: 1) == .symbol("=") {
            advance()
            advance()
            return APLSyntax.Assignment(name: name, expr: try parseExpr())
        }
        if isSymbol("["), case .string(let name) = peek(ahead: 1), peek(ahead: 2) == .symbol("]"),
            peek(ahead: 3) == .symbol("=")
        {
            for _ in 0..<4 { advance() }
            return APLSyntax.Assignment(name: name, expr: try parseExpr())
        }
        if peek == .end || isSymbol("|") { throw expected("a column or expression after \(context)") }
        return APLSyntax.Assignment(name: nil, expr: try parseExpr())
    }

    /// `summarize [aggs] [by keys]`.
    mutating func parseSummarize() throws(APLError) -> APLSyntax.OperatorKind {
        if case .identifier(let word) = peek, word.hasPrefix("hint.") || word == "hint" {
            throw fail("unsupported: summarize hints", at: offset)
        }
        var aggregates: [APLSyntax.Assignment] = []
        if !isWord("by") { aggregates = try parseAssignments(context: "`summarize`") }
        var keys: [APLSyntax.Assignment] = []
        if isWord("by") {
            advance()
            keys = try parseAssignments(context: "`by`")
        }
        if aggregates.isEmpty && keys.isEmpty { throw expected("an aggregation or `by` after `summarize`") }
        return .summarize(aggregates: aggregates, by: keys)
    }

    /// `expr [asc|desc], …`.
    mutating func parseSortItems() throws(APLError) -> [APLSyntax.SortItem] {
        var out: [APLSyntax.SortItem] = []
        repeat {
            if !out.isEmpty { advance() }
            let expr = try parseExpr()
            var descending = true
            if isWord("asc") {
                advance()
                descending = false
            } else if isWord("desc") {
                advance()
            }
            if isWord("nulls") { throw fail("unsupported: `nulls first`/`nulls last`", at: offset) }
            out.append(APLSyntax.SortItem(expr: expr, descending: descending))
        } while isSymbol(",")
        return out
    }

    /// `project-away` names: words, bracket-quoted names and `*` wildcards written without spaces
    /// (`b*`, `*_id`, `['geo.*']`).
    mutating func parseNamePatterns() throws(APLError) -> [String] {
        var out: [String] = []
        repeat {
            if !out.isEmpty { advance() }
            out.append(try parseNamePattern())
        } while isSymbol(",")
        return out
    }

    mutating func parseNamePattern() throws(APLError) -> String {
        var pattern = ""
        var end = -1
        while end < 0 || offset == end {
            let lexeme = tokens[position]
            switch lexeme.token {
            case .identifier(let word) where !word.hasPrefix("!"): pattern += word
            case .symbol("*"): pattern += "*"
            case .symbol("[") where end < 0: pattern += try parseBracketName()
            default:
                if pattern.isEmpty { throw expected("a column name after `project-away`") }
                return pattern
            }
            if case .symbol("[") = lexeme.token {
                end = tokens[position - 1].endOffset
            } else {
                advance()
                end = lexeme.endOffset
            }
        }
        return pattern
    }
}
