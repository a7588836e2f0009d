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

    /// Reads a number as the nearest `Double`.
    ///
    /// With ``allowsNonFiniteLiterals``, `NaN`, `Infinity` and `-Infinity` give the non-finite values.
    /// - Throws: as ``readDecimal()``.
    @inlinable
    public mutating func readDouble() throws(WireError) -> Double {
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
