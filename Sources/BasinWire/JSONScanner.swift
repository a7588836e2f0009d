/// The kind of the next JSON value or structural byte, as seen by ``JSONScanner/peekToken()``.
public enum JSONToken: Sendable, Equatable {
    case objectStart, objectEnd, arrayStart, arrayEnd, string, number, bool, null, end, invalid

    /// A phrase for error messages (`an object`, `a string`, …).
    public var phrase: String {
        switch self {
        case .objectStart: "an object"
        case .objectEnd: "'}'"
        case .arrayStart: "an array"
        case .arrayEnd: "']'"
        case .string: "a string"
        case .number: "a number"
        case .bool: "a boolean"
        case .null: "null"
        case .end: "the end of input"
        case .invalid: "an invalid byte"
        }
    }
}

/// A pull scanner over JSON bytes: the caller asks for the value it expects next.
///
/// The scanner never builds a tree and never allocates per value. Strings without escapes are
/// returned as slices of the input; strings with escapes are unescaped (including `\uXXXX`
/// surrogate pairs) into one scratch buffer that the scanner owns and reuses. Numbers are
/// parsed from bytes by ``DecimalParser``.
///
/// Objects and arrays are walked with a loop:
/// ```swift
/// try scanner.readObjectStart()
/// var first = true
/// while try scanner.readNextObjectMember(isFirst: &first) {
///     let key = try scanner.readKey()
///     ...read or skip the value...
/// }
/// ```
///
/// Lifetime: the scanner borrows `bytes`; it must not outlive the buffer it was created over
/// (typically the closure of `ByteBuffer.withUnsafeReadableBytes`). A buffer returned by
/// ``readString()`` or ``readKey()`` is valid until the next call that reads a string.
///
/// Every error carries the byte offset where it was found. Nesting deeper than ``maxDepth``
/// is an error, so hostile input cannot exhaust the stack through ``skipValue()``.
public struct JSONScanner: ~Copyable {
    /// The input.
    public let bytes: UnsafeRawBufferPointer
    /// The offset of the next unread byte.
    public var position: Int { cursor }
    /// The number of containers currently open.
    public var depth: Int { nesting }

    @usableFromInline var cursor: Int
    @usableFromInline var nesting: Int = 0
    /// The deepest nesting of objects and arrays allowed.
    public let maxDepth: Int
    /// Whether the literals `NaN`, `Infinity` and `-Infinity` (Python's `json.dumps`) are read as numbers.
    public let allowsNonFiniteLiterals: Bool

    @usableFromInline var scratch: UnsafeMutableRawBufferPointer
    @usableFromInline var scratchCount: Int = 0

    /// Creates a scanner over borrowed bytes.
    ///
    /// - Parameters:
    ///   - bytes: the input; must stay valid for the scanner's lifetime.
    ///   - maxDepth: the deepest nesting of objects and arrays accepted (default 64).
    ///   - allowsNonFiniteLiterals: accept `NaN`, `Infinity`, `-Infinity` where numbers are read.
    public init(bytes: UnsafeRawBufferPointer, maxDepth: Int = 64, allowsNonFiniteLiterals: Bool = false) {
        self.bytes = bytes
        self.cursor = 0
        self.maxDepth = maxDepth
        self.allowsNonFiniteLiterals = allowsNonFiniteLiterals
        self.scratch = UnsafeMutableRawBufferPointer(start: nil, count: 0)
    }

    deinit {
        scratch.deallocate()
    }

    // MARK: Whitespace and peeking

    /// Skips JSON whitespace (space, tab, line feed, carriage return).
    @inlinable @inline(__always)
    public mutating func skipWhitespace() {
        let bytes = self.bytes
        let end = bytes.count
        var i = cursor
        while i < end {
            let b = bytes[i]
            // One compare rejects every byte above the space (all structural bytes and values).
            guard b <= 0x20, b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 else { break }
            i += 1
        }
        cursor = i
    }

    /// Skips whitespace and tells what comes next, without consuming it.
    @inlinable @inline(__always)
    public mutating func peekToken() -> JSONToken {
        skipWhitespace()
        guard cursor < bytes.count else { return .end }
        switch bytes[cursor] {
        case UInt8(ascii: "{"): return .objectStart
        case UInt8(ascii: "}"): return .objectEnd
        case UInt8(ascii: "["): return .arrayStart
        case UInt8(ascii: "]"): return .arrayEnd
        case UInt8(ascii: "\""): return .string
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number
        case UInt8(ascii: "t"), UInt8(ascii: "f"): return .bool
        case UInt8(ascii: "n"): return .null
        case UInt8(ascii: "N"), UInt8(ascii: "I"): return allowsNonFiniteLiterals ? .number : .invalid
        default: return .invalid
        }
    }

    // MARK: Containers

    /// Consumes `{` and opens an object.
    /// - Throws: ``WireError/Code/typeMismatch`` when the next value is not an object;
    ///   ``WireError/Code/depthExceeded`` past ``maxDepth``.
    @inlinable
    public mutating func readObjectStart() throws(WireError) {
        if cursor < bytes.count, bytes[cursor] == UInt8(ascii: "{"), nesting < maxDepth {
            nesting += 1
            cursor += 1
            return
        }
        let token = peekToken()
        guard token == .objectStart else { throw mismatch(expected: "an object", found: token) }
        try enterContainer()
    }

    /// Consumes `[` and opens an array.
    /// - Throws: as ``readObjectStart()``, for arrays.
    @inlinable
    public mutating func readArrayStart() throws(WireError) {
        if cursor < bytes.count, bytes[cursor] == UInt8(ascii: "["), nesting < maxDepth {
            nesting += 1
            cursor += 1
            return
        }
        let token = peekToken()
        guard token == .arrayStart else { throw mismatch(expected: "an array", found: token) }
        try enterContainer()
    }

    @inlinable
    mutating func enterContainer() throws(WireError) {
        nesting += 1
        if nesting > maxDepth {
            throw WireError(.depthExceeded, "JSON nested deeper than \(maxDepth) levels", offset: cursor)
        }
        cursor += 1
    }

    /// Moves to the next member of the open object.
    ///
    /// - Parameter isFirst: true before the first member; the scanner sets it to false.
    /// - Returns: true when a member follows (read it with ``readKey()`` and then its value);
    ///   false when the object closed (the `}` is consumed).
    /// - Throws: ``WireError/Code/unexpectedByte`` when neither `,` nor `}` follows a member.
    @inlinable @inline(__always)
    public mutating func readNextObjectMember(isFirst: inout Bool) throws(WireError) -> Bool {
        try readNextElement(isFirst: &isFirst, close: UInt8(ascii: "}"))
    }

    /// Moves to the next element of the open array.
    ///
    /// - Parameter isFirst: true before the first element; the scanner sets it to false.
    /// - Returns: true when an element follows; false when the array closed (the `]` is consumed).
    /// - Throws: ``WireError/Code/unexpectedByte`` when neither `,` nor `]` follows an element.
    @inlinable @inline(__always)
    public mutating func readNextArrayElement(isFirst: inout Bool) throws(WireError) -> Bool {
        try readNextElement(isFirst: &isFirst, close: UInt8(ascii: "]"))
    }

    /// The common cases inline: `,` straight before the next value, or the close. Anything
    /// else (whitespace, the first element, errors) takes ``readNextElementSlow(isFirst:close:)``.
    @inlinable @inline(__always)
    mutating func readNextElement(isFirst: inout Bool, close: UInt8) throws(WireError) -> Bool {
        let bytes = self.bytes
        let at = cursor
        if at + 1 < bytes.count {
            let b = bytes[at]
            if b == UInt8(ascii: ","), !isFirst {
                // Compact JSON: whatever follows the comma is the next value's to check.
                let next = bytes[at + 1]
                if next > 0x20, next != close {
                    cursor = at + 1
                    return true
                }
            } else if b == close {
                cursor = at + 1
                nesting -= 1
                return false
            }
        }
        return try readNextElementSlow(isFirst: &isFirst, close: close)
    }

    @usableFromInline
    mutating func readNextElementSlow(isFirst: inout Bool, close: UInt8) throws(WireError) -> Bool {
        let bytes = self.bytes
        skipWhitespace()
        guard cursor < bytes.count else {
            throw WireError(.unexpectedEnd, "unexpected end of input, expected '\(Character(Unicode.Scalar(close)))'", offset: cursor)
        }
        let b = bytes[cursor]
        if b == close {
            // `[]`, `{}` and a close after a member are fine; a close right after a comma is
            // rejected on the comma path below.
            cursor += 1
            nesting -= 1
            return false
        }
        if isFirst {
            isFirst = false
            return true
        }
        guard b == UInt8(ascii: ",") else {
            throw WireError(.unexpectedByte, "expected ',' or '\(Character(Unicode.Scalar(close)))', found \(JSONScanner.describe(b))", offset: cursor)
        }
        cursor += 1
        skipWhitespace()
        if cursor < bytes.count, bytes[cursor] == close {
            throw WireError(.unexpectedByte, "trailing comma", offset: cursor)
        }
        return true
    }

    /// Reads an object key and the `:` after it.
    ///
    /// - Returns: the key's unescaped bytes, valid until the next string is read.
    @inlinable
    public mutating func readKey() throws(WireError) -> UnsafeRawBufferPointer {
        // Inline: `"key":` of plain ASCII. Whitespace, escapes, non-ASCII and errors go the
        // general way.
        let bytes = self.bytes
        let at = cursor
        if at < bytes.count, bytes[at] == UInt8(ascii: "\""),
           let end = JSONScanner.plainStringEnd(bytes, from: at + 1),
           end + 1 < bytes.count, bytes[end + 1] == UInt8(ascii: ":") {
            cursor = end + 2
            return UnsafeRawBufferPointer(rebasing: bytes[(at + 1)..<end])
        }
        return try readKeySlow()
    }

    @usableFromInline
    mutating func readKeySlow() throws(WireError) -> UnsafeRawBufferPointer {
        let token = peekToken()
        guard token == .string else { throw mismatch(expected: "an object key", found: token) }
        let key = try readString()
        skipWhitespace()
        guard cursor < bytes.count, bytes[cursor] == UInt8(ascii: ":") else {
            if cursor >= bytes.count { throw WireError(.unexpectedEnd, "unexpected end of input, expected ':'", offset: cursor) }
            throw WireError(.unexpectedByte, "expected ':' after an object key, found \(JSONScanner.describe(bytes[cursor]))", offset: cursor)
        }
        cursor += 1
        return key
    }

    /// Consumes the object key `literal` and the `:` after it when they come next.
    ///
    /// A fast path for decoders that expect known member names: the key's bytes are compared in
    /// place (a few word compares) instead of being scanned. When the next key is anything
    /// else — another name, the same name written with escapes, malformed input — nothing but
    /// whitespace is consumed and the caller reads the key with ``readKey()``, which decides.
    ///
    /// - Parameter literal: the key, ASCII without `"`, `\` or control characters.
    /// - Returns: whether the key and its `:` were consumed.
    @inlinable @inline(__always)
    public mutating func readKey(ifEqualTo literal: StaticString) -> Bool {
        skipWhitespace()
        let bytes = self.bytes
        let count = literal.utf8CodeUnitCount
        let start = cursor
        // `"literal"` and then `:`, at once (compact JSON) or after whitespace. A key of another
        // length usually fails on the closing quote, before any byte of it is compared.
        guard start + count + 3 <= bytes.count, let base = bytes.baseAddress,
              base.load(fromByteOffset: start, as: UInt8.self) == UInt8(ascii: "\""),
              base.load(fromByteOffset: start + count + 1, as: UInt8.self) == UInt8(ascii: "\""),
              ByteText.equals(base + start + 1, literal) else { return false }
        if base.load(fromByteOffset: start + count + 2, as: UInt8.self) == UInt8(ascii: ":") {
            cursor = start + count + 3
            return true
        }
        cursor = start + count + 2
        skipWhitespace()
        if cursor < bytes.count, bytes[cursor] == UInt8(ascii: ":") {
            cursor += 1
            return true
        }
        cursor = start
        return false
    }

    // MARK: Literals and end

    /// Consumes `null` when it comes next.
    /// - Returns: true when a `null` was consumed; false (consuming nothing but whitespace) otherwise.
    @inlinable
    public mutating func readNull() throws(WireError) -> Bool {
        guard peekToken() == .null else { return false }
        try readLiteral("null")
        return true
    }

    /// Reads `true` or `false`.
    @inlinable
    public mutating func readBool() throws(WireError) -> Bool {
        let token = peekToken()
        guard token == .bool else { throw mismatch(expected: "a boolean", found: token) }
        if bytes[cursor] == UInt8(ascii: "t") {
            try readLiteral("true")
            return true
        }
        try readLiteral("false")
        return false
    }

    @usableFromInline
    mutating func readLiteral(_ literal: StaticString) throws(WireError) {
        let count = literal.utf8CodeUnitCount
        guard cursor + count <= bytes.count else {
            throw WireError(.unexpectedEnd, "unexpected end of input in literal \(literal)", offset: cursor)
        }
        let start = literal.utf8Start
        for k in 0..<count where bytes[cursor + k] != start[k] {
            throw WireError(.unexpectedByte, "invalid literal, expected \(literal)", offset: cursor)
        }
        cursor += count
    }

    /// Requires that nothing but whitespace remains.
    /// - Throws: ``WireError/Code/trailingData`` otherwise.
    public mutating func readEnd() throws(WireError) {
        skipWhitespace()
        if cursor < bytes.count {
            throw WireError(.trailingData, "unexpected data after the JSON value", offset: cursor)
        }
    }

    /// Skips one complete value of any type, checking its syntax.
    public mutating func skipValue() throws(WireError) {
        switch peekToken() {
        case .objectStart:
            try readObjectStart()
            var first = true
            while try readNextObjectMember(isFirst: &first) {
                _ = try readKey()
                try skipValue()
            }
        case .arrayStart:
            try readArrayStart()
            var first = true
            while try readNextArrayElement(isFirst: &first) {
                try skipValue()
            }
        case .string:
            _ = try readString()
        case .number:
            _ = try readDouble()
        case .bool:
            _ = try readBool()
        case .null:
            _ = try readNull()
        case .end:
            throw WireError(.unexpectedEnd, "unexpected end of input, expected a value", offset: cursor)
        case .objectEnd, .arrayEnd, .invalid:
            throw WireError(.unexpectedByte, "expected a value, found \(JSONScanner.describe(bytes[cursor]))", offset: cursor)
        }
    }

    // MARK: Errors

    /// An error for a value of the wrong type at the current cursor.
    ///
    /// - Parameters:
    ///   - expected: a phrase such as `an array`.
    ///   - found: the token that was there instead.
    public func mismatch(expected: String, found: JSONToken) -> WireError {
        switch found {
        case .end:
            return WireError(.unexpectedEnd, "unexpected end of input, expected \(expected)", offset: cursor)
        case .invalid, .objectEnd, .arrayEnd:
            let byte = cursor < bytes.count ? JSONScanner.describe(bytes[cursor]) : "end of input"
            return WireError(.unexpectedByte, "expected \(expected), found \(byte)", offset: cursor)
        case .bool, .null:
            // `foobar` peeks like `false`: only a complete literal is a value of the wrong type.
            if !startsWithLiteral() {
                return WireError(.unexpectedByte, "expected \(expected), found \(JSONScanner.describe(bytes[cursor]))", offset: cursor)
            }
            return WireError(.typeMismatch, "expected \(expected), found \(found.phrase)", offset: cursor)
        default:
            return WireError(.typeMismatch, "expected \(expected), found \(found.phrase)", offset: cursor)
        }
    }

    /// Whether `true`, `false` or `null` starts at the cursor.
    func startsWithLiteral() -> Bool {
        for literal in ["true", "false", "null"] {
            let utf8 = Array(literal.utf8)
            if cursor + utf8.count <= bytes.count, (0..<utf8.count).allSatisfy({ bytes[cursor + $0] == utf8[$0] }) {
                return true
            }
        }
        return false
    }

    /// A printable description of a byte for messages: `'x'` or `0xNN`.
    public static func describe(_ byte: UInt8) -> String {
        if byte >= 0x21, byte < 0x7F { return "'\(Character(Unicode.Scalar(byte)))'" }
        let hex = String(byte, radix: 16, uppercase: true)
        return "0x" + (hex.count == 1 ? "0" + hex : hex)
    }
}
