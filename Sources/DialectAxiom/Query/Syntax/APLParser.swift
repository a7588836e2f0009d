/// Parses APL text into an ``APLSyntax/Query`` (syntax only; names and functions are checked by
/// ``APLLowering``).
///
/// A query is a source (`['ds']`, `["ds"]`, `ds`, or `search in (ds) "text"`) followed by
/// `|`-piped tabular operators. Operators outside the supported subset (`join`, `parse`,
/// `mv-expand`, `let` statements, …) fail with "unsupported operator".
public struct APLParser {
    let source: [UInt8]
    let tokens: [APLLexeme]
    var position = 0
    /// Current expression nesting; bounded so hostile input cannot exhaust the stack.
    var depth = 0
    static let maxDepth = 64

    /// Tokenizes `query`.
    /// - Throws: ``APLError`` from the lexer.
    public init(_ query: String) throws(APLError) {
        var lexer = APLLexer(query)
        source = lexer.source
        tokens = try lexer.tokenize()
    }

    /// Parses a whole query.
    public static func parse(_ query: String) throws(APLError) -> APLSyntax.Query {
        var parser = try APLParser(query)
        return try parser.parseQuery()
    }

    var peek: APLToken { tokens[position].token }
    var offset: Int { tokens[position].offset }

    func peek(ahead: Int) -> APLToken {
        tokens[min(position + ahead, tokens.count - 1)].token
    }

    func fail(_ reason: String, at offset: Int) -> APLError { APLError(reason, at: offset, in: source) }

    func expected(_ what: String) -> APLError {
        fail("expected \(what) but found \(peek.display)", at: offset)
    }

    @discardableResult
    mutating func advance() -> APLLexeme {
        let lexeme = tokens[position]
        if position < tokens.count - 1 { position += 1 }
        return lexeme
    }

    func isSymbol(_ symbol: String) -> Bool { peek == .symbol(symbol) }
    func isWord(_ word: String) -> Bool { peek == .identifier(word) }

    mutating func expectSymbol(_ symbol: String) throws(APLError) {
        guard isSymbol(symbol) else { throw expected("`\(symbol)`") }
        advance()
    }

    mutating func expectWord(_ word: String) throws(APLError) {
        guard isWord(word) else { throw expected("`\(word)`") }
        advance()
    }

    /// Statements and tabular operators of Kusto that Basin does not run.
    static let unsupportedStatements: Set<String> = [
        "let", "set", "union", "print", "range", "datatable", "find", "externaldata", "declare", "alias",
        "materialize", "evaluate", "database", "cluster", "table",
    ]

    mutating func parseQuery() throws(APLError) -> APLSyntax.Query {
        let source = try parseSource()
        var operators: [APLSyntax.Operator] = []
        while isSymbol("|") {
            advance()
            operators.append(try parseOperator())
        }
        if isSymbol(";") { advance() }
        guard peek == .end else { throw expected("`|` or end of query") }
        return APLSyntax.Query(source: source, operators: operators)
    }

    mutating func parseSource() throws(APLError) -> APLSyntax.Source {
        let start = offset
        switch peek {
        case .identifier("search"):
            return try parseSearchSource()
        case .identifier(let word) where APLParser.unsupportedStatements.contains(word):
            throw fail("unsupported statement: `\(word)`", at: start)
        case .identifier(let word):
            advance()
            return APLSyntax.Source(dataset: word, offset: start, search: nil)
        case .symbol("["):
            return APLSyntax.Source(dataset: try parseBracketName(), offset: start, search: nil)
        case .end:
            throw fail("expected a dataset but the query is empty", at: start)
        default:
            throw expected("a dataset name such as `['dataset']`")
        }
    }

    /// `['name']` or `["name"]`, cursor on `[`.
    mutating func parseBracketName() throws(APLError) -> String {
        try expectSymbol("[")
        guard case .string(let name) = peek else { throw expected("a quoted name after `[`") }
        advance()
        try expectSymbol("]")
        return name
    }

    /// `search [kind=…] in (ds) "text"` as a whole query.
    mutating func parseSearchSource() throws(APLError) -> APLSyntax.Source {
        let start = offset
        advance()
        var caseSensitive = try parseSearchKind()
        guard isWord("in") else {
            throw fail("unsupported: `search` without a dataset; write `['dataset'] | search …` or `search in (['dataset']) …`", at: start)
        }
        advance()
        try expectSymbol("(")
        let datasetOffset = offset
        let dataset: String
        switch peek {
        case .identifier(let word): advance(); dataset = word
        case .symbol("["): dataset = try parseBracketName()
        default: throw expected("a dataset name")
        }
        if isSymbol(",") { throw fail("unsupported: `search` over more than one dataset", at: offset) }
        try expectSymbol(")")
        if !caseSensitive { caseSensitive = try parseSearchKind() }
        let text = try parseSearchText()
        return APLSyntax.Source(
            dataset: dataset, offset: datasetOffset, search: APLSyntax.Search(text: text, caseSensitive: caseSensitive))
    }

    /// An optional `kind=case_sensitive|case_insensitive`; true when case-sensitive.
    mutating func parseSearchKind() throws(APLError) -> Bool {
        guard isWord("kind"), peek(ahead: 1) == .symbol("=") else { return false }
        advance()
        advance()
        switch peek {
        case .identifier("case_sensitive"): advance(); return true
        case .identifier("case_insensitive"): advance(); return false
        default: throw expected("`case_sensitive` or `case_insensitive`")
        }
    }

    mutating func parseSearchText() throws(APLError) -> String {
        guard case .string(let text) = peek else {
            if peek == .end || isSymbol("|") { throw expected("a string to search for") }
            throw fail("unsupported search predicate: only `search \"text\"` is supported", at: offset)
        }
        advance()
        return text
    }
}
