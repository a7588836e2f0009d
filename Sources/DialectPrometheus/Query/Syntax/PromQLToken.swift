/// One lexical token of a PromQL query.
public enum PromQLToken: Sendable, Equatable {
    /// A name: metric, label, function, aggregation or keyword (keywords are recognised by the parser).
    case identifier(String)
    /// A number literal (`Inf` and `NaN` come as identifiers).
    case number(Double)
    /// A duration literal such as `5m` or `1h30m`, in milliseconds.
    case duration(Int64)
    /// A string literal, unescaped.
    case string(String)
    case leftParen, rightParen, leftBrace, rightBrace, leftBracket, rightBracket, comma, colon, at
    /// An operator: `+ - * / % ^ == != > < >= <= = =~ !~`.
    case symbol(String)
    case end

    /// How the token reads in an error message.
    var display: String {
        switch self {
        case .identifier(let s): "identifier \"\(s)\""
        case .number(let v): "number \"\(v)\""
        case .duration(let ms): "duration \"\(ms)ms\""
        case .string(let s): "string \"\(s)\""
        case .leftParen: "\"(\""
        case .rightParen: "\")\""
        case .leftBrace: "\"{\""
        case .rightBrace: "\"}\""
        case .leftBracket: "\"[\""
        case .rightBracket: "\"]\""
        case .comma: "\",\""
        case .colon: "\":\""
        case .at: "\"@\""
        case .symbol(let s): "\"\(s)\""
        case .end: "end of input"
        }
    }
}

/// A token and the byte offset where it starts.
public struct PromQLLexeme: Sendable, Equatable {
    public var token: PromQLToken
    public var offset: Int
}
