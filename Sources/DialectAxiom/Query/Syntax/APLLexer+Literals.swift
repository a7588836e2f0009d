extension APLLexer {
    /// Reads letters, digits and `_` from the cursor.
    mutating func lexWordText() -> String {
        let start = index
        while let c = peek(), APLLexer.isWordByte(c) { index += 1 }
        return String(decoding: source[start..<index], as: UTF8.self)
    }

    /// A word, joined with what Kusto treats as part of it (`project-away`, `in~`), or a prefixed
    /// string (`h"…"`), or the raw contents of `datetime(…)`.
    mutating func lexWord() throws(APLError) -> APLToken {
        var word = lexWordText()
        if word == "h" || word == "H", let q = peek(), q == UInt8(ascii: "\"") || q == UInt8(ascii: "'") {
            return .string(try lexQuoted())
        }
        if peek() == UInt8(ascii: "-"), let n = peek(1), APLLexer.isWordStart(n) {
            let saved = index
            index += 1
            let joined = word + "-" + lexWordText()
            if APLLexer.hyphenatedWords.contains(joined) { return .identifier(joined) }
            index = saved
        }
        if word == "in", peek() == UInt8(ascii: "~") {
            index += 1
            word += "~"
        }
        if word == "datetime", let raw = try lexDatetimeContents() { return .datetime(raw) }
        return .identifier(word)
    }

    /// `!in` followed by `~` is the one negated operator with a tilde.
    mutating func lexNegatedTilde(_ word: String) -> String {
        if word == "!in", peek() == UInt8(ascii: "~") {
            index += 1
            return word + "~"
        }
        return word
    }

    /// The text between `datetime(` and `)`, unquoted when it is a string; nil (cursor unmoved)
    /// when `datetime` is not followed by `(`.
    mutating func lexDatetimeContents() throws(APLError) -> String? {
        var probe = index
        while probe < source.count, source[probe] == UInt8(ascii: " ") || source[probe] == UInt8(ascii: "\t") {
            probe += 1
        }
        guard probe < source.count, source[probe] == UInt8(ascii: "(") else { return nil }
        let open = probe
        index = probe + 1
        skipSpaceAndComments()
        var raw: String
        if let q = peek(), q == UInt8(ascii: "\"") || q == UInt8(ascii: "'") {
            raw = try lexQuoted()
            skipSpaceAndComments()
        } else {
            let start = index
            while let c = peek(), c != UInt8(ascii: ")"), c != UInt8(ascii: "\n") { index += 1 }
            raw = String(decoding: source[start..<index], as: UTF8.self)
            while raw.last == " " || raw.last == "\t" || raw.last == "\r" { raw.removeLast() }
        }
        guard peek() == UInt8(ascii: ")") else { throw fail("expected `)` to close `datetime(`", at: open) }
        index += 1
        return raw
    }

    /// A `'…'` or `"…"` string with backslash escapes; the cursor is on the opening quote.
    mutating func lexQuoted() throws(APLError) -> String {
        let start = index
        let quote = source[index]
        index += 1
        var bytes: [UInt8] = []
        while let c = peek() {
            index += 1
            if c == quote { return String(decoding: bytes, as: UTF8.self) }
            guard c == UInt8(ascii: "\\") else {
                bytes.append(c)
                continue
            }
            guard let e = peek() else { break }
            index += 1
            switch e {
            case UInt8(ascii: "n"): bytes.append(UInt8(ascii: "\n"))
            case UInt8(ascii: "t"): bytes.append(UInt8(ascii: "\t"))
            case UInt8(ascii: "r"): bytes.append(UInt8(ascii: "\r"))
            case UInt8(ascii: "0"): bytes.append(0)
            case UInt8(ascii: "\\"), UInt8(ascii: "'"), UInt8(ascii: "\""), UInt8(ascii: "/"): bytes.append(e)
            case UInt8(ascii: "u"): bytes += try lexUnicodeEscape(at: index - 2)
            default:
                throw fail("invalid escape `\\\(String(decoding: [e], as: UTF8.self))` in string literal", at: index - 2)
            }
        }
        throw fail("unterminated string literal", at: start)
    }

    /// The four hex digits after `\u`, as UTF-8.
    mutating func lexUnicodeEscape(at escapeOffset: Int) throws(APLError) -> [UInt8] {
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard let h = peek(), let digit = APLLexer.hexValue(h) else {
                throw fail("invalid `\\u` escape in string literal", at: escapeOffset)
            }
            value = value * 16 + UInt32(digit)
            index += 1
        }
        guard let scalar = Unicode.Scalar(value) else {
            throw fail("invalid `\\u` escape in string literal", at: escapeOffset)
        }
        return Array(String(Character(scalar)).utf8)
    }

    static func hexValue(_ c: UInt8) -> UInt8? {
        if isDigit(c) { return c - UInt8(ascii: "0") }
        let lower = c | 0x20
        if lower >= UInt8(ascii: "a") && lower <= UInt8(ascii: "f") { return lower - UInt8(ascii: "a") + 10 }
        return nil
    }

    /// A verbatim string; the cursor is on the quote after `@`. No escapes; a doubled quote is one.
    mutating func lexVerbatim() throws(APLError) -> String {
        let start = index - 1
        let quote = source[index]
        index += 1
        var bytes: [UInt8] = []
        while let c = peek() {
            index += 1
            if c == quote {
                if peek() == quote {
                    index += 1
                    bytes.append(quote)
                    continue
                }
                return String(decoding: bytes, as: UTF8.self)
            }
            bytes.append(c)
        }
        throw fail("unterminated string literal", at: start)
    }

    /// An integer, hex integer, real or timespan.
    mutating func lexNumber() throws(APLError) -> APLToken {
        let start = index
        if peek() == UInt8(ascii: "0"), peek(1) == UInt8(ascii: "x") || peek(1) == UInt8(ascii: "X") {
            return try lexHex()
        }
        var isReal = false
        while let c = peek(), APLLexer.isDigit(c) { index += 1 }
        if peek() == UInt8(ascii: "."), let d = peek(1), APLLexer.isDigit(d) {
            isReal = true
            index += 1
            while let c = peek(), APLLexer.isDigit(c) { index += 1 }
        }
        if let e = peek(), e | 0x20 == UInt8(ascii: "e") {
            var probe = 1
            if let sign = peek(1), sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") { probe = 2 }
            if let d = peek(probe), APLLexer.isDigit(d) {
                isReal = true
                index += probe
                while let c = peek(), APLLexer.isDigit(c) { index += 1 }
            }
        }
        let text = String(decoding: source[start..<index], as: UTF8.self)
        if let c = peek(), APLLexer.isWordStart(c) {
            return try lexTimespan(number: text, at: start)
        }
        if isReal {
            guard let value = Double(text), value.isFinite else { throw fail("invalid real literal `\(text)`", at: start) }
            return .real(value)
        }
        guard let value = Int64(text) else { throw fail("integer literal `\(text)` out of range", at: start) }
        return .int(value)
    }

    mutating func lexHex() throws(APLError) -> APLToken {
        let start = index
        index += 2
        var value: Int64 = 0
        var digits = 0
        while let c = peek(), let d = APLLexer.hexValue(c) {
            let (shifted, overflow) = value.multipliedReportingOverflow(by: 16)
            guard !overflow else { throw fail("integer literal out of range", at: start) }
            value = shifted + Int64(d)
            digits += 1
            index += 1
        }
        guard digits > 0, !(peek().map(APLLexer.isWordByte) ?? false) else {
            throw fail("invalid hex literal", at: start)
        }
        return .int(value)
    }

    /// The unit after a number: `1.5h` is 5,400,000,000,000 ns.
    mutating func lexTimespan(number: String, at start: Int) throws(APLError) -> APLToken {
        let unit = lexWordText()
        guard let nanosPerUnit = APLLexer.timespanUnits[unit] else {
            throw fail("invalid number or timespan literal `\(number)\(unit)`", at: start)
        }
        if let whole = Int64(number) {
            let (nanos, overflow) = whole.multipliedReportingOverflow(by: nanosPerUnit)
            guard !overflow else { throw fail("timespan `\(number)\(unit)` out of range", at: start) }
            return .timespan(nanos)
        }
        guard let value = Double(number) else { throw fail("invalid timespan literal `\(number)\(unit)`", at: start) }
        let nanos = (value * Double(nanosPerUnit)).rounded()
        guard nanos.isFinite, abs(nanos) < 9.2e18 else { throw fail("timespan `\(number)\(unit)` out of range", at: start) }
        return .timespan(Int64(nanos))
    }
}
