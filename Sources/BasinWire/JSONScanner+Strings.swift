extension JSONScanner {
    /// Reads a string value.
    ///
    /// Strings without escapes are returned as a slice of the input (no copy); strings with
    /// escapes are unescaped into the scanner's scratch buffer. Lone UTF-16 surrogates in `\u`
    /// escapes become U+FFFD; raw bytes must be valid UTF-8.
    ///
    /// - Returns: the unescaped UTF-8 bytes, valid until the next string is read.
    /// - Throws: ``WireError/Code/typeMismatch`` when the next value is not a string;
    ///   ``WireError/Code/invalidString`` for control characters, bad escapes or invalid UTF-8;
    ///   ``WireError/Code/unexpectedEnd`` for an unterminated string.
    @inlinable
    public mutating func readString() throws(WireError) -> UnsafeRawBufferPointer {
        // Inline: a string of plain ASCII right at the cursor. Whitespace before it, escapes,
        // non-ASCII text and errors go the general way.
        let bytes = self.bytes
        let at = cursor
        if at < bytes.count, bytes[at] == UInt8(ascii: "\""), let end = JSONScanner.plainStringEnd(bytes, from: at + 1) {
            cursor = end + 1
            return UnsafeRawBufferPointer(rebasing: bytes[(at + 1)..<end])
        }
        return try readStringSlow()
    }

    /// The offset of the `"` that closes a string whose text starts at `start`, when that text is
    /// plain ASCII (no escape, no control byte, nothing above 0x7F); nil otherwise, or when the
    /// quote is missing.
    ///
    /// Eight bytes per step: three "has a zero byte" masks (quote, backslash, below 0x20) and the
    /// high bits. The lowest flagged byte is the first special one — a borrow only runs upward,
    /// so a spurious flag can sit above a real one, never below it — so a short string costs
    /// one load and no loop over its bytes.
    @inlinable @inline(__always)
    static func plainStringEnd(_ bytes: UnsafeRawBufferPointer, from start: Int) -> Int? {
        guard let base = bytes.baseAddress else { return nil }
        let end = bytes.count
        var i = start
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        while i + 8 <= end {
            let word = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: i, as: UInt64.self))
            let quote = word ^ 0x2222_2222_2222_2222
            let backslash = word ^ 0x5C5C_5C5C_5C5C_5C5C
            let special = (((quote &- ones) & ~quote) | ((backslash &- ones) & ~backslash)
                | ((word &- 0x2020_2020_2020_2020) & ~word) | word) & highs
            if special != 0 {
                i += special.trailingZeroBitCount >> 3
                return base.load(fromByteOffset: i, as: UInt8.self) == UInt8(ascii: "\"") ? i : nil
            }
            i += 8
        }
        while i < end {
            let b = base.load(fromByteOffset: i, as: UInt8.self)
            if b == UInt8(ascii: "\"") { return i }
            if b == UInt8(ascii: "\\") || b < 0x20 || b >= 0x80 { return nil }
            i += 1
        }
        return nil
    }

    /// ``readString()`` for every string: whitespace first, escapes, UTF-8 validation, errors.
    @usableFromInline
    mutating func readStringSlow() throws(WireError) -> UnsafeRawBufferPointer {
        let token = peekToken()
        guard token == .string else { throw mismatch(expected: "a string", found: token) }
        let bytes = self.bytes   // a local copy: loads in the loop need not be redone after stores to self
        let start = cursor + 1
        let end = bytes.count
        var i = start
        // The bytes passed, OR-ed: a high bit means non-ASCII text, which must be validated.
        var seen: UInt64 = 0
        let highs: UInt64 = 0x8080_8080_8080_8080
        if let base = bytes.baseAddress {
            // Eight bytes at a time until a quote, a backslash or a control byte (the classic
            // "has a zero byte" bit trick on three masks). The lowest flagged byte is the first
            // such byte: a borrow only runs upward, so a spurious flag can sit above a real one,
            // never below it. The loop ends on that byte, so a short string costs one word.
            let ones: UInt64 = 0x0101_0101_0101_0101
            while i + 8 <= end {
                let word = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: i, as: UInt64.self))
                let quote = word ^ 0x2222_2222_2222_2222
                let backslash = word ^ 0x5C5C_5C5C_5C5C_5C5C
                let special = (((quote &- ones) & ~quote) | ((backslash &- ones) & ~backslash)
                    | ((word &- 0x2020_2020_2020_2020) & ~word)) & highs
                if special != 0 {
                    let bits = special.trailingZeroBitCount & ~7
                    seen |= word & ((1 &<< UInt64(bits)) &- 1)
                    i += bits >> 3
                    break
                }
                seen |= word
                i += 8
            }
        }
        while i < end {
            let b = bytes[i]
            if b == UInt8(ascii: "\"") {
                cursor = i + 1
                let slice = UnsafeRawBufferPointer(rebasing: bytes[start..<i])
                if seen & highs != 0 { try JSONScanner.validateUTF8(slice, offset: start) }
                return slice
            }
            if b == UInt8(ascii: "\\") { return try readEscapedString(start: start, firstEscape: i) }
            if b < 0x20 {
                throw WireError(.invalidString, "unescaped control character in a string", offset: i)
            }
            seen |= UInt64(b)
            i += 1
        }
        throw WireError(.unexpectedEnd, "unterminated string", offset: start - 1)
    }

    /// Reads a string, or consumes `null` and returns nil.
    @inlinable
    public mutating func readStringOrNull() throws(WireError) -> UnsafeRawBufferPointer? {
        if try readNull() { return nil }
        return try readString()
    }

    /// The slow path of ``readString()``: unescapes into the scratch buffer.
    @usableFromInline
    mutating func readEscapedString(start: Int, firstEscape: Int) throws(WireError) -> UnsafeRawBufferPointer {
        scratchCount = 0
        appendToScratch(start, firstEscape)
        let end = bytes.count
        var i = firstEscape
        var runStart = i
        while i < end {
            let b = bytes[i]
            if b == UInt8(ascii: "\"") {
                appendToScratch(runStart, i)
                cursor = i + 1
                let result = UnsafeRawBufferPointer(start: scratch.baseAddress, count: scratchCount)
                try JSONScanner.validateUTF8(result, offset: start)
                return result
            }
            if b < 0x20 {
                throw WireError(.invalidString, "unescaped control character in a string", offset: i)
            }
            if b != UInt8(ascii: "\\") {
                i += 1
                continue
            }
            appendToScratch(runStart, i)
            guard i + 1 < end else { break }
            let escaped = bytes[i + 1]
            var simple: UInt8 = 0
            switch escaped {
            case UInt8(ascii: "\""): simple = UInt8(ascii: "\"")
            case UInt8(ascii: "\\"): simple = UInt8(ascii: "\\")
            case UInt8(ascii: "/"): simple = UInt8(ascii: "/")
            case UInt8(ascii: "b"): simple = 0x08
            case UInt8(ascii: "f"): simple = 0x0C
            case UInt8(ascii: "n"): simple = 0x0A
            case UInt8(ascii: "r"): simple = 0x0D
            case UInt8(ascii: "t"): simple = 0x09
            case UInt8(ascii: "u"):
                i = try readUnicodeEscape(at: i)
                runStart = i
                continue
            default:
                throw WireError(.invalidString, "invalid escape sequence \\\(Character(Unicode.Scalar(escaped)))", offset: i)
            }
            appendByteToScratch(simple)
            i += 2
            runStart = i
        }
        throw WireError(.unexpectedEnd, "unterminated string", offset: start - 1)
    }

    /// Decodes `\uXXXX` (and a following low surrogate) at `i`; returns the offset after it.
    @usableFromInline
    mutating func readUnicodeEscape(at i: Int) throws(WireError) -> Int {
        guard let unit = hex4(at: i + 2) else {
            throw WireError(.invalidString, "invalid \\u escape", offset: i)
        }
        var next = i + 6
        var scalar = UInt32(unit)
        if unit >= 0xD800, unit < 0xDC00 {
            if next + 1 < bytes.count, bytes[next] == UInt8(ascii: "\\"), bytes[next + 1] == UInt8(ascii: "u"),
               let low = hex4(at: next + 2), low >= 0xDC00, low < 0xE000 {
                scalar = 0x10000 + ((UInt32(unit) - 0xD800) << 10) + (UInt32(low) - 0xDC00)
                next += 6
            } else {
                scalar = 0xFFFD   // a lone high surrogate cannot be UTF-8
            }
        } else if unit >= 0xDC00, unit < 0xE000 {
            scalar = 0xFFFD       // a lone low surrogate
        }
        appendScalarToScratch(scalar)
        return next
    }

    @usableFromInline
    func hex4(at offset: Int) -> UInt16? {
        guard offset + 4 <= bytes.count else { return nil }
        var value: UInt16 = 0
        for k in 0..<4 {
            let c = bytes[offset + k]
            let digit: UInt8
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = c - UInt8(ascii: "A") + 10
            default: return nil
            }
            value = value << 4 | UInt16(digit)
        }
        return value
    }

    // MARK: Scratch buffer

    @usableFromInline
    mutating func reserveScratch(_ extra: Int) {
        let needed = scratchCount + extra
        guard needed > scratch.count else { return }
        let capacity = max(needed, scratch.count * 2, 64)
        let grown = UnsafeMutableRawBufferPointer.allocate(byteCount: capacity, alignment: 1)
        if scratchCount > 0, let old = scratch.baseAddress, let new = grown.baseAddress {
            new.copyMemory(from: old, byteCount: scratchCount)
        }
        scratch.deallocate()
        scratch = grown
    }

    @usableFromInline
    mutating func appendToScratch(_ from: Int, _ to: Int) {
        let count = to - from
        guard count > 0 else { return }
        reserveScratch(count)
        if let destination = scratch.baseAddress, let source = bytes.baseAddress {
            (destination + scratchCount).copyMemory(from: source + from, byteCount: count)
        }
        scratchCount += count
    }

    @usableFromInline
    mutating func appendByteToScratch(_ byte: UInt8) {
        reserveScratch(1)
        scratch[scratchCount] = byte
        scratchCount += 1
    }

    @usableFromInline
    mutating func appendScalarToScratch(_ scalar: UInt32) {
        if scalar < 0x80 {
            appendByteToScratch(UInt8(scalar))
        } else if scalar < 0x800 {
            appendByteToScratch(UInt8(0xC0 | (scalar >> 6)))
            appendByteToScratch(UInt8(0x80 | (scalar & 0x3F)))
        } else if scalar < 0x10000 {
            appendByteToScratch(UInt8(0xE0 | (scalar >> 12)))
            appendByteToScratch(UInt8(0x80 | ((scalar >> 6) & 0x3F)))
            appendByteToScratch(UInt8(0x80 | (scalar & 0x3F)))
        } else {
            appendByteToScratch(UInt8(0xF0 | (scalar >> 18)))
            appendByteToScratch(UInt8(0x80 | ((scalar >> 12) & 0x3F)))
            appendByteToScratch(UInt8(0x80 | ((scalar >> 6) & 0x3F)))
            appendByteToScratch(UInt8(0x80 | (scalar & 0x3F)))
        }
    }

    // MARK: UTF-8

    /// Checks that bytes are well-formed UTF-8 (no overlong forms, surrogates or values past U+10FFFF).
    ///
    /// - Parameters:
    ///   - text: the bytes to check.
    ///   - offset: the input offset of `text`, for the error cursor (approximate for unescaped strings).
    @usableFromInline
    static func validateUTF8(_ text: UnsafeRawBufferPointer, offset: Int) throws(WireError) {
        var i = 0
        let n = text.count
        while i < n {
            let b = text[i]
            if b < 0x80 {
                i += 1
                continue
            }
            var need = 0
            var low: UInt8 = 0x80, high: UInt8 = 0xBF
            switch b {
            case 0xC2...0xDF: need = 1
            case 0xE0: need = 2; low = 0xA0
            case 0xE1...0xEC, 0xEE...0xEF: need = 2
            case 0xED: need = 2; high = 0x9F
            case 0xF0: need = 3; low = 0x90
            case 0xF1...0xF3: need = 3
            case 0xF4: need = 3; high = 0x8F
            default:
                throw WireError(.invalidString, "invalid UTF-8 in a string", offset: offset + i)
            }
            guard i + need < n else {
                throw WireError(.invalidString, "truncated UTF-8 sequence in a string", offset: offset + i)
            }
            let second = text[i + 1]
            guard second >= low, second <= high else {
                throw WireError(.invalidString, "invalid UTF-8 in a string", offset: offset + i)
            }
            var k = 2
            while k <= need {
                guard text[i + k] & 0xC0 == 0x80 else {
                    throw WireError(.invalidString, "invalid UTF-8 in a string", offset: offset + i)
                }
                k += 1
            }
            i += need + 1
        }
    }
}
