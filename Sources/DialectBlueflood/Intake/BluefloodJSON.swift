import BasinWire

/// The JSON value readers Blueflood's two parsers need on top of ``JSONScanner``: Jackson 1
/// (`/ingest`, `/events`) and Gson (aggregated) coerce scalars between types in ways a plain
/// scanner does not, and values the dialect does not interpret are skipped without recursion.
enum BluefloodJSON {
    /// How a value was skipped by ``skip(_:maxDepth:stack:)``.
    enum Skipped {
        case scalar, container, tooDeep
    }

    /// Reads a scalar as text the way both parsers bind a JSON scalar to a `String` field:
    /// strings as they are, numbers as written, `true`/`false`; nil for `null`.
    ///
    /// - Returns: bytes valid until the next string is read (numbers: as long as the input).
    /// - Throws: ``WireError/Code/typeMismatch`` for an object or an array.
    static func readScalarText(_ scanner: inout JSONScanner) throws(WireError) -> UnsafeRawBufferPointer? {
        switch scanner.peekToken() {
        case .null:
            _ = try scanner.readNull()
            return nil
        case .string:
            return try scanner.readString()
        case .number:
            let start = scanner.position
            _ = try scanner.readDecimal()
            return UnsafeRawBufferPointer(rebasing: scanner.bytes[start..<scanner.position])
        case .bool:
            let value = try scanner.readBool()
            let literal: StaticString = value ? "true" : "false"
            return UnsafeRawBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount)
        case let token:
            throw scanner.mismatch(expected: "a string", found: token)
        }
    }

    /// Reads an integer as Jackson 1 binds a JSON value to a primitive `long`/`int` field:
    /// `null` is 0, a fraction is truncated, a string is trimmed and parsed (`""` is 0).
    ///
    /// - Throws: ``WireError/Code/invalidNumber`` outside `range` (Jackson's "out of range" and
    ///   "not a valid Long value"), ``WireError/Code/typeMismatch`` for booleans and containers.
    static func readJacksonInteger(_ scanner: inout JSONScanner, in range: ClosedRange<Int64>) throws(WireError) -> Int64 {
        let start = scanner.position
        // The usual `collectionTime` and `ttlInSeconds`: a plain integer, read directly.
        if let value = scanner.readPlainInteger() {
            guard range.contains(value) else {
                throw WireError(.invalidNumber, "Numeric value out of range", offset: start)
            }
            return value
        }
        switch scanner.peekToken() {
        case .null:
            _ = try scanner.readNull()
            return 0
        case .number:
            let decimal = try scanner.readDecimal()
            guard let value = decimal.scaledInt64(byPowerOfTen: 0), range.contains(value) else {
                throw WireError(.invalidNumber, "Numeric value out of range", offset: start)
            }
            return value
        case .string:
            let text = try scanner.readString()
            guard let value = parseJavaInteger(text), range.contains(value) else {
                throw WireError(.invalidNumber, "not a valid integer value", offset: start)
            }
            return value
        case let token:
            throw scanner.mismatch(expected: "an integer", found: token)
        }
    }

    /// `Long.valueOf(text.trim())` with Jackson's empty-string rule: optional sign and decimal
    /// digits; nil when malformed or beyond `Int64`.
    static func parseJavaInteger(_ text: UnsafeRawBufferPointer) -> Int64? {
        var start = 0
        var end = text.count
        while start < end, text[start] <= 0x20 { start += 1 }
        while end > start, text[end - 1] <= 0x20 { end -= 1 }
        if start == end { return 0 }
        var negative = false
        if text[start] == UInt8(ascii: "-") || text[start] == UInt8(ascii: "+") {
            negative = text[start] == UInt8(ascii: "-")
            start += 1
        }
        guard start < end else { return nil }
        var magnitude: UInt64 = 0
        for i in start..<end {
            let digit = text[i] &- UInt8(ascii: "0")
            guard digit < 10 else { return nil }
            let (times, o1) = magnitude.multipliedReportingOverflow(by: 10)
            let (plus, o2) = times.addingReportingOverflow(UInt64(digit))
            if o1 || o2 { return nil }
            magnitude = plus
        }
        if negative {
            if magnitude > UInt64(Int64.max) + 1 { return nil }
            return magnitude == UInt64(Int64.max) + 1 ? .min : -Int64(magnitude)
        }
        return magnitude > UInt64(Int64.max) ? nil : Int64(magnitude)
    }

    /// A number in a string (Gson's `LazilyParsedNumber`, Jackson's numeric strings): trimmed,
    /// JSON number grammar; nil otherwise.
    static func parseNumberText(_ text: UnsafeRawBufferPointer) -> Double? {
        var start = 0
        var end = text.count
        while start < end, text[start] <= 0x20 { start += 1 }
        while end > start, text[end - 1] <= 0x20 { end -= 1 }
        guard start < end else { return nil }
        return DecimalParser.double(from: UnsafeRawBufferPointer(rebasing: text[start..<end]))
    }

    /// Skips one value of any type without recursion, so the depth of hostile input costs
    /// neither stack nor an error of the whole request.
    ///
    /// - Parameters:
    ///   - maxDepth: containers nested deeper than this make the result ``Skipped/tooDeep``
    ///     (the value is still skipped completely and its syntax checked).
    ///   - stack: scratch for the open containers (bit 0: object, bit 1: no member read yet),
    ///     reused across calls.
    static func skip(_ scanner: inout JSONScanner, maxDepth: Int, stack: inout [UInt8]) throws(WireError) -> Skipped {
        stack.removeAll(keepingCapacity: true)
        var deepest = 0
        repeat {
            // Read one value: at the top, after a key or after an array separator.
            switch scanner.peekToken() {
            case .objectStart:
                try scanner.readObjectStart()
                stack.append(0b11)
            case .arrayStart:
                try scanner.readArrayStart()
                stack.append(0b10)
            case .string:
                _ = try scanner.readString()
            case .number:
                _ = try scanner.readDecimal()
            case .bool:
                _ = try scanner.readBool()
            case .null:
                _ = try scanner.readNull()
            case let token:
                throw scanner.mismatch(expected: "a value", found: token)
            }
            deepest = max(deepest, stack.count)
            // Move to the next value inside the open containers, closing finished ones.
            while let top = stack.last {
                var first = top & 0b10 != 0
                let more: Bool
                if top & 1 != 0 {
                    more = try scanner.readNextObjectMember(isFirst: &first)
                    if more { _ = try scanner.readKey() }
                } else {
                    more = try scanner.readNextArrayElement(isFirst: &first)
                }
                if more {
                    stack[stack.count - 1] = top & 1
                    break
                }
                stack.removeLast()
            }
        } while !stack.isEmpty
        if deepest > maxDepth { return .tooDeep }
        return deepest == 0 ? .scalar : .container
    }

    /// The scanner every Blueflood decoder uses: its own depth limit is effectively off, since
    /// nothing is read recursively and ``skip(_:maxDepth:stack:)`` enforces the configured one.
    static func scanner(_ body: UnsafeRawBufferPointer) -> JSONScanner {
        JSONScanner(bytes: body, maxDepth: Int.max - 1)
    }
}
