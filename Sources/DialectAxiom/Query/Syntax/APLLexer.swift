/// Splits APL text into tokens, working on UTF-8 bytes.
///
/// Handles `//` comments, `'…'`/`"…"` strings with backslash escapes, verbatim `@"…"` strings
/// (a doubled quote is one quote), obfuscated `h"…"` strings (read as plain strings), integers,
/// hex integers, reals, timespans (`1d 1.5h 30m 10s 100ms 1us 1tick`, and `1y` = 365 days as
/// Axiom's Grafana plugin sends), and the raw text of `datetime(…)`, whose contents are not APL
/// tokens (`datetime(2024-01-01T10:00:00Z)`).
public struct APLLexer {
    let source: [UInt8]
    var index = 0

    public init(_ query: String) {
        source = Array(query.utf8)
    }

    init(bytes: [UInt8]) {
        source = bytes
    }

    /// All tokens, ending with ``APLToken/end``.
    /// - Throws: ``APLError`` for a character no token starts with, an unterminated string, a bad
    ///   escape, or a malformed number.
    public mutating func tokenize() throws(APLError) -> [APLLexeme] {
        var out: [APLLexeme] = []
        while true {
            let lexeme = try next()
            out.append(lexeme)
            if lexeme.token == .end { return out }
        }
    }

    /// Operators Kusto spells with a hyphen; any other `a-b` is a subtraction.
    static let hyphenatedWords: Set<String> = [
        "project-away", "project-keep", "project-rename", "project-reorder", "mv-expand", "mv-apply",
        "make-series", "parse-kv", "parse-where", "top-nested", "top-hitters", "sample-distinct",
    ]

    /// Nanoseconds per timespan unit.
    static let timespanUnits: [String: Int64] = {
        let s: Int64 = 1_000_000_000
        var units: [String: Int64] = [:]
        for (names, nanos) in [
            (["y", "year", "years"], 365 * 86_400 * s), (["w", "week", "weeks"], 7 * 86_400 * s),
            (["d", "day", "days"], 86_400 * s), (["h", "hr", "hrs", "hour", "hours"], 3_600 * s),
            (["m", "min", "minute", "minutes"], 60 * s), (["s", "sec", "second", "seconds"], s),
            (["ms", "milli", "millis", "millisecond", "milliseconds"], 1_000_000),
            (["us", "microsecond", "microseconds"], 1_000), (["tick", "ticks"], 100),
            (["ns", "nanosecond", "nanoseconds"], 1),
        ] as [([String], Int64)] {
            for name in names { units[name] = nanos }
        }
        return units
    }()

    func fail(_ reason: String, at offset: Int) -> APLError {
        APLError(reason, at: offset, in: source)
    }

    func peek(_ ahead: Int = 0) -> UInt8? {
        index + ahead < source.count ? source[index + ahead] : nil
    }

    static func isDigit(_ c: UInt8) -> Bool { c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") }
    static func isLetter(_ c: UInt8) -> Bool {
        (c | 0x20) >= UInt8(ascii: "a") && (c | 0x20) <= UInt8(ascii: "z")
    }
    static func isWordStart(_ c: UInt8) -> Bool {
        isLetter(c) || c == UInt8(ascii: "_") || c == UInt8(ascii: "$") || c >= 0x80
    }
    static func isWordByte(_ c: UInt8) -> Bool { isWordStart(c) || isDigit(c) }

    mutating func skipSpaceAndComments() {
        while let c = peek() {
            if c == UInt8(ascii: " ") || c == UInt8(ascii: "\t") || c == UInt8(ascii: "\n") || c == UInt8(ascii: "\r") {
                index += 1
            } else if c == UInt8(ascii: "/"), peek(1) == UInt8(ascii: "/") {
                while let d = peek(), d != UInt8(ascii: "\n") { index += 1 }
            } else {
                return
            }
        }
    }

    mutating func next() throws(APLError) -> APLLexeme {
        skipSpaceAndComments()
        let start = index
        guard let c = peek() else { return APLLexeme(token: .end, offset: start, endOffset: start) }
        let token = try lexToken(startingWith: c)
        return APLLexeme(token: token, offset: start, endOffset: index)
    }

    mutating func symbol(_ text: String) -> APLToken {
        index += text.utf8.count
        return .symbol(text)
    }

    mutating func lexToken(startingWith c: UInt8) throws(APLError) -> APLToken {
        let next = peek(1)
        switch c {
        case UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "["), UInt8(ascii: "]"), UInt8(ascii: "{"),
            UInt8(ascii: "}"), UInt8(ascii: ","), UInt8(ascii: ";"), UInt8(ascii: "|"), UInt8(ascii: ":"),
            UInt8(ascii: "*"), UInt8(ascii: "/"), UInt8(ascii: "%"), UInt8(ascii: "+"), UInt8(ascii: "-"):
            return symbol(String(UnicodeScalar(c)))
        case UInt8(ascii: "."):
            if next == UInt8(ascii: ".") { return symbol("..") }
            if let n = next, APLLexer.isDigit(n) { return try lexNumber() }
            return symbol(".")
        case UInt8(ascii: "="):
            if next == UInt8(ascii: "=") { return symbol("==") }
            if next == UInt8(ascii: "~") { return symbol("=~") }
            return symbol("=")
        case UInt8(ascii: "!"):
            if next == UInt8(ascii: "=") { return symbol("!=") }
            if next == UInt8(ascii: "~") { return symbol("!~") }
            if let n = next, APLLexer.isWordStart(n) {
                index += 1
                return .identifier(lexNegatedTilde("!" + lexWordText()))
            }
            throw fail("unexpected character `!`", at: index)
        case UInt8(ascii: "<"):
            if next == UInt8(ascii: "=") { return symbol("<=") }
            if next == UInt8(ascii: ">") { return symbol("<>") }
            return symbol("<")
        case UInt8(ascii: ">"):
            return next == UInt8(ascii: "=") ? symbol(">=") : symbol(">")
        case UInt8(ascii: "\""), UInt8(ascii: "'"):
            return .string(try lexQuoted())
        case UInt8(ascii: "@") where next == UInt8(ascii: "\"") || next == UInt8(ascii: "'"):
            index += 1
            return .string(try lexVerbatim())
        default:
            if APLLexer.isDigit(c) { return try lexNumber() }
            if APLLexer.isWordStart(c) { return try lexWord() }
            throw fail("unexpected character `\(String(decoding: [c], as: UTF8.self))`", at: index)
        }
    }
}
