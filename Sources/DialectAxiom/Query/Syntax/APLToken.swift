/// One APL token.
///
/// Words stay words: keywords are recognised by the parser in context, as Kusto does, so a
/// field may be called `count`. The lexer joins what Kusto spells as one word: the hyphenated
/// operator names (`project-away`), negated operators (`!contains`, `!in`) and `in~`.
public enum APLToken: Sendable, Equatable {
    /// A word: an identifier, keyword, operator name, or a negated/hyphenated operator name.
    case identifier(String)
    case int(Int64)
    case real(Double)
    /// A timespan literal (`1.5h`), in nanoseconds.
    case timespan(Int64)
    case string(String)
    /// The text inside `datetime(…)`, unquoted; converted by the parser.
    case datetime(String)
    /// Punctuation or a symbolic operator: `( ) [ ] { } , ; | : . .. = == != <> < <= > >= =~ !~ + - * / %`.
    case symbol(String)
    case end

    /// The token as an error message names it.
    var display: String {
        switch self {
        case .identifier(let word): "`\(word)`"
        case .int(let value): "`\(value)`"
        case .real(let value): "`\(value)`"
        case .timespan(let nanos): "timespan of \(nanos)ns"
        case .string(let text): "string \"\(text.count > 40 ? String(text.prefix(40)) + "…" : text)\""
        case .datetime(let raw): "`datetime(\(raw))`"
        case .symbol(let symbol): "`\(symbol)`"
        case .end: "end of query"
        }
    }
}

/// A token and where it is in the query text (UTF-8 byte offsets).
public struct APLLexeme: Sendable, Equatable {
    public var token: APLToken
    /// Offset of the token's first byte.
    public var offset: Int
    /// Offset just past the token's last byte.
    public var endOffset: Int

    public init(token: APLToken, offset: Int, endOffset: Int) {
        self.token = token
        self.offset = offset
        self.endOffset = endOffset
    }
}
