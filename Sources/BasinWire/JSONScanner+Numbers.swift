extension JSONScanner {
    /// Reads a finite number as an exact decimal (for integers such as timestamps and intervals).
    ///
    /// - Returns: the decimal; its text is the input slice ending at ``cursor``.
    /// - Throws: ``WireError/Code/typeMismatch`` when the next value is not a number (the
    ///   non-finite literals included); ``WireError/Code/invalidNumber`` for malformed numbers.
    @inlinable
    public mutating func readDecimal() throws(WireError) -> ParsedDecimal {
        let token = peekToken()
        guard token == .number, bytes[cursor] != UInt8(ascii: "N"), bytes[cursor] != UInt8(ascii: "I") else {
            throw mismatch(expected: "a finite number", found: token == .number ? .invalid : token)
        }
        if allowsNonFiniteLiterals, bytes[cursor] == UInt8(ascii: "-"),
           cursor + 1 < bytes.count, bytes[cursor + 1] == UInt8(ascii: "I") {
            throw WireError(.invalidNumber, "expected a finite number", offset: cursor)
        }
        let (decimal, end) = try DecimalParser.parseJSONNumber(bytes, from: cursor)
        cursor = end
        return decimal
    }

    /// Reads a number written as a plain integer — an optional `-` and at most 18 digits, no
    /// fraction, no exponent — straight into an `Int64`.
    ///
    /// A fast path for timestamps and counts: it skips ``ParsedDecimal`` and reads eight digits
    /// per step. For anything else (another token, a fraction or an exponent, more digits, a
    /// leading zero, a malformed number) it consumes nothing but whitespace and returns nil, and
    /// the caller reads the value its general way (``readDecimal()``), which decides.
    ///
    /// - Returns: the value; nil when the next value is not such a number.
    @inlinable
    public mutating func readPlainInteger() -> Int64? {
        skipWhitespace()
        let bytes = self.bytes
        let end = bytes.count
        var i = cursor
        guard i < end else { return nil }
        let negative = bytes[i] == UInt8(ascii: "-")
        if negative { i += 1 }
        let first = i
        var value: UInt64 = 0
        if let chunk = DecimalParser.eightDigits(bytes, at: i) {
            value = chunk
            i += 8
            if let chunk = DecimalParser.eightDigits(bytes, at: i) {
                value = value &* 100_000_000 &+ chunk
                i += 8
            }
        }
        while i < end {
            let digit = bytes[i] &- UInt8(ascii: "0")
            if digit >= 10 { break }
            value = value &* 10 &+ UInt64(digit)
            i += 1
        }
        // At most 18 digits, so the value fits in Int64 whatever the sign.
        let count = i - first
        guard count > 0, count <= 18, count == 1 || bytes[first] != UInt8(ascii: "0") else { return nil }
        if i < end, bytes[i] == UInt8(ascii: ".") || bytes[i] | 0x20 == UInt8(ascii: "e") { return nil }
        cursor = i
        return negative ? -Int64(value) : Int64(value)
    }

    /// Reads a number as the nearest `Double`.
    ///
    /// With ``allowsNonFiniteLiterals``, `NaN`, `Infinity` and `-Infinity` give the non-finite values.
    /// - Throws: as ``readDecimal()``.
    @inlinable
    public mutating func readDouble() throws(WireError) -> Double {
        // Inline: a number right at the cursor, starting with a digit or `-` and a digit (so
        // none of the non-finite literals). Anything else goes the general way.
        let bytes = self.bytes
        let start = cursor
        if start + 1 < bytes.count {
            let first = bytes[start]
            if first &- UInt8(ascii: "0") < 10 || (first == UInt8(ascii: "-") && bytes[start + 1] &- UInt8(ascii: "0") < 10) {
                let (decimal, end) = try DecimalParser.parseJSONNumber(bytes, from: start)
                cursor = end
                return DecimalParser.double(decimal, text: UnsafeRawBufferPointer(rebasing: bytes[start..<end]))
            }
        }
        return try readDoubleSlow()
    }

    /// ``readDouble()`` for every value: whitespace first, the non-finite literals, errors.
    @usableFromInline
    mutating func readDoubleSlow() throws(WireError) -> Double {
        let token = peekToken()
        guard token == .number else { throw mismatch(expected: "a number", found: token) }
        let start = cursor
        let first = bytes[start]
        if first == UInt8(ascii: "N") || first == UInt8(ascii: "I")
            || (allowsNonFiniteLiterals && first == UInt8(ascii: "-") && start + 1 < bytes.count && bytes[start + 1] == UInt8(ascii: "I")) {
            return try readNonFiniteLiteral()
        }
        let (decimal, end) = try DecimalParser.parseJSONNumber(bytes, from: start)
        cursor = end
        return DecimalParser.double(decimal, text: UnsafeRawBufferPointer(rebasing: bytes[start..<end]))
    }

    /// Reads a number, or consumes `null` and returns nil.
    @inlinable
    public mutating func readDoubleOrNull() throws(WireError) -> Double? {
        if try readNull() { return nil }
        return try readDouble()
    }

    @usableFromInline
    mutating func readNonFiniteLiteral() throws(WireError) -> Double {
        switch bytes[cursor] {
        case UInt8(ascii: "N"):
            try readLiteral("NaN")
            return .nan
        case UInt8(ascii: "I"):
            try readLiteral("Infinity")
            return .infinity
        default:
            cursor += 1
            try readLiteral("Infinity")
            return -.infinity
        }
    }
}
