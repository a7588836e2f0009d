/// Splits PromQL text into tokens, working on UTF-8 bytes.
///
/// Handles `#` comments, Go-style escapes in `"` and `'` strings, raw backtick strings,
/// decimal/hex/exponent numbers and chained durations (`1h30m`, units ms s m h d w y).
public struct PromQLLexer {
    let source: [UInt8]
    var index = 0

    public init(_ query: String) {
        source = Array(query.utf8)
    }

    /// All tokens, ending with ``PromQLToken/end``.
    public mutating func tokenize() throws(PromQLError) -> [PromQLLexeme] {
        var out: [PromQLLexeme] = []
        while true {
            let lexeme = try next()
            out.append(lexeme)
            if lexeme.token == .end { return out }
        }
    }

    private func fail(_ reason: String, at offset: Int) -> PromQLError {
        PromQLError(reason, at: offset, in: source)
    }

    private func peek(_ ahead: Int = 0) -> UInt8? {
        index + ahead < source.count ? source[index + ahead] : nil
    }

    mutating func next() throws(PromQLError) -> PromQLLexeme {
        skipSpaceAndComments()
        let start = index
        guard let c = peek() else { return PromQLLexeme(token: .end, offset: start) }
        func single(_ token: PromQLToken) -> PromQLLexeme {
            index += 1
            return PromQLLexeme(token: token, offset: start)
        }
        switch c {
        case UInt8(ascii: "("): return single(.leftParen)
        case UInt8(ascii: ")"): return single(.rightParen)
        case UInt8(ascii: "{"): return single(.leftBrace)
        case UInt8(ascii: "}"): return single(.rightBrace)
        case UInt8(ascii: "["): return single(.leftBracket)
        case UInt8(ascii: "]"): return single(.rightBracket)
        case UInt8(ascii: ","): return single(.comma)
        case UInt8(ascii: ":"):
            // A colon inside brackets separates a subquery's range and step; elsewhere it starts a name.
            if let n = peek(1), PromQLLexer.isNameStart(n) || n == UInt8(ascii: ":") { return lexIdentifier() }
            return single(.colon)
        case UInt8(ascii: "@"): return single(.at)
        case UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "*"), UInt8(ascii: "/"), UInt8(ascii: "%"), UInt8(ascii: "^"):
            return single(.symbol(String(UnicodeScalar(c))))
        case UInt8(ascii: "="):
            if peek(1) == UInt8(ascii: "=") { index += 2; return PromQLLexeme(token: .symbol("=="), offset: start) }
            if peek(1) == UInt8(ascii: "~") { index += 2; return PromQLLexeme(token: .symbol("=~"), offset: start) }
            return single(.symbol("="))
        case UInt8(ascii: "!"):
            if peek(1) == UInt8(ascii: "=") { index += 2; return PromQLLexeme(token: .symbol("!="), offset: start) }
            if peek(1) == UInt8(ascii: "~") { index += 2; return PromQLLexeme(token: .symbol("!~"), offset: start) }
            throw fail("unexpected character after '!': \(describe(peek(1)))", at: start)
        case UInt8(ascii: "<"), UInt8(ascii: ">"):
            if peek(1) == UInt8(ascii: "=") {
                index += 2
                return PromQLLexeme(token: .symbol(String(UnicodeScalar(c)) + "="), offset: start)
            }
            return single(.symbol(String(UnicodeScalar(c))))
        case UInt8(ascii: "\""), UInt8(ascii: "'"):
            return PromQLLexeme(token: .string(try lexQuoted(quote: c)), offset: start)
        case UInt8(ascii: "`"):
            index += 1
            guard let close = source[index...].firstIndex(of: UInt8(ascii: "`")) else {
                throw fail("unterminated raw string", at: start)
            }
            let text = String(decoding: source[index..<close], as: UTF8.self)
            index = close + 1
            return PromQLLexeme(token: .string(text), offset: start)
        default:
            if PromQLLexer.isDigit(c) || (c == UInt8(ascii: ".") && peek(1).map(PromQLLexer.isDigit) == true) {
                return try lexNumberOrDuration()
            }
            if PromQLLexer.isNameStart(c) { return lexIdentifier() }
            throw fail("unexpected character: \(describe(c))", at: start)
        }
    }

    private func describe(_ c: UInt8?) -> String {
        guard let c else { return "end of input" }
        return c < 0x80 ? "'\(String(UnicodeScalar(c)))'" : "byte 0x\(String(c, radix: 16))"
    }

    private mutating func skipSpaceAndComments() {
        while let c = peek() {
            if c == UInt8(ascii: " ") || c == UInt8(ascii: "\t") || c == UInt8(ascii: "\n") || c == UInt8(ascii: "\r") {
                index += 1
            } else if c == UInt8(ascii: "#") {
                while let d = peek(), d != UInt8(ascii: "\n") { index += 1 }
            } else {
                return
            }
        }
    }

    private mutating func lexIdentifier() -> PromQLLexeme {
        let start = index
        while let c = peek(), PromQLLexer.isNameStart(c) || PromQLLexer.isDigit(c) || c == UInt8(ascii: ":") { index += 1 }
        return PromQLLexeme(token: .identifier(String(decoding: source[start..<index], as: UTF8.self)), offset: start)
    }

    private mutating func lexNumberOrDuration() throws(PromQLError) -> PromQLLexeme {
        let start = index
        if peek() == UInt8(ascii: "0"), let x = peek(1), x == UInt8(ascii: "x") || x == UInt8(ascii: "X") {
            index += 2
            let digitsStart = index
            while let c = peek(), PromQLLexer.isHexDigit(c) { index += 1 }
            guard index > digitsStart,
                  let value = UInt64(String(decoding: source[digitsStart..<index], as: UTF8.self), radix: 16)
            else { throw fail("bad number or duration syntax: \"\(String(decoding: source[start..<index], as: UTF8.self))\"", at: start) }
            return PromQLLexeme(token: .number(Double(value)), offset: start)
        }
        // A duration is digits directly followed by a unit letter, possibly repeated.
        if let duration = try lexDuration() { return PromQLLexeme(token: .duration(duration), offset: start) }
        index = start
        while let c = peek(), PromQLLexer.isDigit(c) { index += 1 }
        if peek() == UInt8(ascii: ".") {
            index += 1
            while let c = peek(), PromQLLexer.isDigit(c) { index += 1 }
        }
        if let e = peek(), e == UInt8(ascii: "e") || e == UInt8(ascii: "E") {
            var j = index + 1
            if j < source.count, source[j] == UInt8(ascii: "+") || source[j] == UInt8(ascii: "-") { j += 1 }
            if j < source.count, PromQLLexer.isDigit(source[j]) {
                index = j
                while let c = peek(), PromQLLexer.isDigit(c) { index += 1 }
            }
        }
        let text = String(decoding: source[start..<index], as: UTF8.self)
        if let c = peek(), PromQLLexer.isNameStart(c) {
            throw fail("bad number or duration syntax: \"\(text)\(String(UnicodeScalar(c)))\"", at: start)
        }
        guard let value = Double(text) else { throw fail("bad number syntax: \"\(text)\"", at: start) }
        return PromQLLexeme(token: .number(value), offset: start)
    }

    /// Reads `(\d+unit)+`; nil (and the index unchanged in meaning) when the text is not a duration.
    private mutating func lexDuration() throws(PromQLError) -> Int64? {
        let start = index
        var total: Int64 = 0
        var parts = 0
        while let c = peek(), PromQLLexer.isDigit(c) {
            let digitsStart = index
            while let d = peek(), PromQLLexer.isDigit(d) { index += 1 }
            guard let amount = Int64(String(decoding: source[digitsStart..<index], as: UTF8.self)) else {
                throw fail("duration out of range", at: start)
            }
            let unit: Int64
            if peek() == UInt8(ascii: "m"), peek(1) == UInt8(ascii: "s") {
                unit = 1; index += 2
            } else {
                switch peek() {
                case UInt8(ascii: "s"): unit = 1000
                case UInt8(ascii: "m"): unit = 60_000
                case UInt8(ascii: "h"): unit = 3_600_000
                case UInt8(ascii: "d"): unit = 86_400_000
                case UInt8(ascii: "w"): unit = 604_800_000
                case UInt8(ascii: "y"): unit = 31_536_000_000
                default:
                    if parts == 0 { return nil }
                    throw fail("bad duration syntax: \"\(String(decoding: source[start..<index], as: UTF8.self))\"", at: start)
                }
                index += 1
            }
            let (product, o1) = amount.multipliedReportingOverflow(by: unit)
            let (sum, o2) = total.addingReportingOverflow(product)
            if o1 || o2 { throw fail("duration out of range", at: start) }
            total = sum
            parts += 1
        }
        if parts == 0 { return nil }
        if let c = peek(), PromQLLexer.isNameStart(c) || c == UInt8(ascii: ".") {
            throw fail("bad duration syntax: \"\(String(decoding: source[start...index], as: UTF8.self))\"", at: start)
        }
        return total
    }

    private mutating func lexQuoted(quote: UInt8) throws(PromQLError) -> String {
        let start = index
        index += 1
        var bytes: [UInt8] = []
        while true {
            guard let c = peek(), c != UInt8(ascii: "\n") else { throw fail("unterminated quoted string", at: start) }
            index += 1
            if c == quote { return String(decoding: bytes, as: UTF8.self) }
            guard c == UInt8(ascii: "\\") else {
                bytes.append(c)
                continue
            }
            guard let e = peek() else { throw fail("unterminated quoted string", at: start) }
            index += 1
            switch e {
            case UInt8(ascii: "n"): bytes.append(0x0A)
            case UInt8(ascii: "t"): bytes.append(0x09)
            case UInt8(ascii: "r"): bytes.append(0x0D)
            case UInt8(ascii: "a"): bytes.append(0x07)
            case UInt8(ascii: "b"): bytes.append(0x08)
            case UInt8(ascii: "f"): bytes.append(0x0C)
            case UInt8(ascii: "v"): bytes.append(0x0B)
            case UInt8(ascii: "\\"), UInt8(ascii: "\""), UInt8(ascii: "'"), UInt8(ascii: "`"): bytes.append(e)
            case UInt8(ascii: "x"): bytes.append(contentsOf: try readEscape(digits: 2, radix: 16, at: start, unicode: false))
            case UInt8(ascii: "u"): bytes.append(contentsOf: try readEscape(digits: 4, radix: 16, at: start, unicode: true))
            case UInt8(ascii: "U"): bytes.append(contentsOf: try readEscape(digits: 8, radix: 16, at: start, unicode: true))
            case UInt8(ascii: "0")...UInt8(ascii: "7"):
                index -= 1
                bytes.append(contentsOf: try readEscape(digits: 3, radix: 8, at: start, unicode: false))
            default:
                throw fail("unknown escape sequence \(describe(e))", at: index - 2)
            }
        }
    }

    private mutating func readEscape(digits: Int, radix: Int, at start: Int, unicode: Bool) throws(PromQLError) -> [UInt8] {
        guard index + digits <= source.count,
              let value = UInt32(String(decoding: source[index..<(index + digits)], as: UTF8.self), radix: radix)
        else { throw fail("invalid escape sequence", at: index) }
        index += digits
        if unicode {
            guard let scalar = UnicodeScalar(value) else { throw fail("invalid Unicode code point in escape sequence", at: index) }
            return Array(String(Character(scalar)).utf8)
        }
        guard value <= 0xFF else { throw fail("invalid escape sequence", at: index) }
        return [UInt8(value)]
    }

    static func isDigit(_ c: UInt8) -> Bool { c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") }
    static func isHexDigit(_ c: UInt8) -> Bool {
        isDigit(c) || (c >= UInt8(ascii: "a") && c <= UInt8(ascii: "f")) || (c >= UInt8(ascii: "A") && c <= UInt8(ascii: "F"))
    }
    static func isNameStart(_ c: UInt8) -> Bool {
        (c >= UInt8(ascii: "a") && c <= UInt8(ascii: "z")) || (c >= UInt8(ascii: "A") && c <= UInt8(ascii: "Z")) || c == UInt8(ascii: "_")
    }
}
