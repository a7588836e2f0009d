/// The protobuf wire types (https://protobuf.dev/programming-guides/encoding/).
public enum ProtobufWireType: UInt8, Sendable {
    /// int32, int64, uint*, sint*, bool, enum.
    case varint = 0
    /// fixed64, sfixed64, double.
    case fixed64 = 1
    /// string, bytes, embedded messages, packed repeated fields.
    case lengthDelimited = 2
    /// Deprecated groups; refused by ``ProtobufReader/skip(_:)``.
    case startGroup = 3
    /// End of a deprecated group.
    case endGroup = 4
    /// fixed32, sfixed32, float.
    case fixed32 = 5
}

/// A cursor over protobuf-encoded bytes: reads tags, varints, fixed-width values and
/// length-delimited slices, and skips fields it does not know.
///
/// Shared by the dialects that decode protobuf by hand (SignalFx datapoints and events,
/// Datadog `MetricPayload` and `SketchPayload`) instead of through generated code: the
/// messages are small, and reading them in place keeps the hot path free of allocations.
/// Strings and embedded messages come back as slices of the input, valid as long as the
/// buffer the reader was created over.
///
/// Every length from the wire is checked against the bytes that remain before use, so
/// truncated or hostile input throws ``WireError`` instead of reading out of bounds.
///
/// The reading methods are `@inlinable` so the dialect modules get them specialised and
/// inlined into their field loops: the common one-byte tag or length then costs a load, a
/// compare and an add, not a cross-module call. The rare paths (multi-byte varints, errors,
/// whose messages are built with string interpolation) stay out of line.
public struct ProtobufReader {
    /// The message's bytes.
    public let bytes: UnsafeRawBufferPointer
    /// The offset of the next unread byte (see ``position``).
    @usableFromInline var _position: Int
    /// Where `bytes` starts inside the whole request body, for error offsets.
    public let baseOffset: Int

    /// The offset of the next unread byte.
    @inlinable
    public var position: Int { _position }

    /// Creates a reader over `bytes`, which lie at `baseOffset` inside the request body.
    ///
    /// - Parameters:
    ///   - bytes: the encoded message; must stay valid while the reader and the slices it
    ///     returns are used.
    ///   - baseOffset: the offset of `bytes` in the request body, added to error offsets.
    @inlinable
    public init(_ bytes: UnsafeRawBufferPointer, baseOffset: Int = 0) {
        self.bytes = bytes
        self._position = 0
        self.baseOffset = baseOffset
    }

    /// Whether every byte was read.
    @inlinable
    public var isAtEnd: Bool { _position >= bytes.count }

    /// Reads the next field key.
    ///
    /// - Returns: the field number and wire type, or nil at the end of the message.
    /// - Throws: ``WireError`` for field number 0, an unknown wire type or a malformed varint.
    @inlinable
    public mutating func readTag() throws(WireError) -> (field: UInt64, wireType: ProtobufWireType)? {
        let position = _position
        guard position < bytes.count else { return nil }
        let first = bytes.load(fromByteOffset: position, as: UInt8.self)
        // Fields 1…15 have one-byte keys: the whole schema of every message decoded here.
        if first < 0x80, first >= 0x08, let wireType = ProtobufWireType(rawValue: first & 7) {
            _position = position + 1
            return (UInt64(first >> 3), wireType)
        }
        return try readTagSlow()
    }

    @usableFromInline
    mutating func readTagSlow() throws(WireError) -> (field: UInt64, wireType: ProtobufWireType)? {
        let start = _position
        let key = try readVarint()
        let field = key >> 3
        guard field != 0, field <= 0x1FFF_FFFF, let wireType = ProtobufWireType(rawValue: UInt8(key & 7)) else {
            throw WireError(.unexpectedByte, "invalid protobuf field key \(key)", offset: baseOffset + start)
        }
        return (field, wireType)
    }

    /// Reads a base-128 varint of at most ten bytes.
    ///
    /// One- and two-byte varints (field keys, and the lengths of strings and embedded messages
    /// below 16 KiB) are read inline; longer ones out of line.
    ///
    /// - Throws: ``WireError`` when the varint is truncated or does not fit 64 bits.
    @inlinable
    public mutating func readVarint() throws(WireError) -> UInt64 {
        let position = _position
        let count = bytes.count
        if position < count {
            let first = bytes.load(fromByteOffset: position, as: UInt8.self)
            if first < 0x80 {
                _position = position + 1
                return UInt64(first)
            }
            if position + 1 < count {
                let second = bytes.load(fromByteOffset: position + 1, as: UInt8.self)
                if second < 0x80 {
                    _position = position + 2
                    return UInt64(first & 0x7F) | UInt64(second) << 7
                }
            }
        }
        return try readVarintSlow()
    }

    /// The varint at ``position`` when it is longer than two bytes (or truncated).
    @usableFromInline
    mutating func readVarintSlow() throws(WireError) -> UInt64 {
        let start = _position
        let count = bytes.count
        // Up to eight bytes (timestamps in milliseconds take six) from one word load when eight
        // bytes remain: the first byte without the continuation bit ends the varint, and the
        // 7-bit groups before it are packed together in three steps.
        if count - start >= 8, let base = bytes.baseAddress {
            let word = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: start, as: UInt64.self))
            let ends = ~word & 0x8080_8080_8080_8080
            if ends != 0 {
                let length = ends.trailingZeroBitCount &>> 3 &+ 1
                var x = length == 8 ? word : word & ((1 &<< (UInt64(length) &* 8)) &- 1)
                x &= 0x7F7F_7F7F_7F7F_7F7F
                x = (x & 0x007F_007F_007F_007F) | (x & 0x7F00_7F00_7F00_7F00) &>> 1
                x = (x & 0x0000_3FFF_0000_3FFF) | (x & 0x3FFF_0000_3FFF_0000) &>> 2
                x = (x & 0x0000_0000_0FFF_FFFF) | (x & 0x0FFF_FFFF_0000_0000) &>> 4
                _position = start &+ length
                return x
            }
        }
        var result: UInt64 = 0
        var shift: UInt64 = 0
        var position = start
        while position < count {
            let byte = bytes.load(fromByteOffset: position, as: UInt8.self)
            position += 1
            if shift == 63, byte > 1 {
                throw WireError(.invalidNumber, "protobuf varint overflows 64 bits", offset: baseOffset + start)
            }
            result |= UInt64(byte & 0x7F) << shift
            if byte < 0x80 {
                _position = position
                return result
            }
            shift += 7
            if shift > 63 {
                throw WireError(.invalidNumber, "protobuf varint longer than 10 bytes", offset: baseOffset + start)
            }
        }
        throw WireError(.unexpectedEnd, "truncated protobuf varint", offset: baseOffset + start)
    }

    /// Reads an `int64`/`int32` varint (two's complement; negatives take ten bytes).
    @inlinable
    public mutating func readInt64() throws(WireError) -> Int64 {
        Int64(bitPattern: try readVarint())
    }

    /// Reads a `sint32`/`sint64` varint (zig-zag encoded).
    @inlinable
    public mutating func readSignedVarint() throws(WireError) -> Int64 {
        Self.zigZagDecode(try readVarint())
    }

    /// Decodes a zig-zag encoded value: 0 → 0, 1 → −1, 2 → 1, 3 → −2, …
    @inlinable @inline(__always)
    public static func zigZagDecode(_ raw: UInt64) -> Int64 {
        Int64(bitPattern: raw >> 1) ^ -Int64(bitPattern: raw & 1)
    }

    /// Reads a little-endian 64-bit value (wire type 1).
    ///
    /// - Throws: ``WireError`` when fewer than eight bytes remain.
    @inlinable
    public mutating func readFixed64() throws(WireError) -> UInt64 {
        let position = _position
        guard bytes.count - position >= 8 else { throw truncated("fixed64") }
        let value = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: position, as: UInt64.self))
        _position = position + 8
        return value
    }

    /// Reads a `double` (wire type 1).
    @inlinable
    public mutating func readDouble() throws(WireError) -> Double {
        Double(bitPattern: try readFixed64())
    }

    /// Reads a length-delimited field (wire type 2).
    ///
    /// - Returns: the payload as a slice of the input and its offset in the request body.
    /// - Throws: ``WireError`` when the length runs past the end of the message.
    @inlinable
    public mutating func readLengthDelimited() throws(WireError) -> (bytes: UnsafeRawBufferPointer, offset: Int) {
        let start = _position
        let length = try readVarint()
        let position = _position
        guard length <= UInt64(bytes.count - position) else { throw pastEnd(length, start: start) }
        let count = Int(length)
        _position = position + count
        let slice = UnsafeRawBufferPointer(start: bytes.baseAddress.map { $0 + position }, count: count)
        return (slice, baseOffset + position)
    }

    /// Skips the value of a field with `wireType`: how unknown fields, and known fields sent
    /// with an unexpected wire type, are treated (as protobuf runtimes do).
    ///
    /// - Throws: ``WireError`` for groups (no schema decoded here has them) and for truncated values.
    @inlinable
    public mutating func skip(_ wireType: ProtobufWireType) throws(WireError) {
        switch wireType {
        case .varint:
            _ = try readVarint()
        case .fixed64:
            _ = try readFixed64()
        case .lengthDelimited:
            _ = try readLengthDelimited()
        case .fixed32:
            guard bytes.count - _position >= 4 else { throw truncated("fixed32") }
            _position += 4
        case .startGroup, .endGroup:
            throw groupsUnsupported()
        }
    }

    // MARK: Errors (out of line: the messages are built with interpolation)

    @usableFromInline @inline(never)
    func truncated(_ type: StaticString) -> WireError {
        WireError(.unexpectedEnd, "truncated protobuf \(type)", offset: baseOffset + _position)
    }

    @usableFromInline @inline(never)
    func pastEnd(_ length: UInt64, start: Int) -> WireError {
        WireError(.unexpectedEnd, "protobuf length \(length) runs past the end of the message", offset: baseOffset + start)
    }

    @usableFromInline @inline(never)
    func groupsUnsupported() -> WireError {
        WireError(.unexpectedByte, "protobuf groups are not supported", offset: baseOffset + _position)
    }
}

extension ProtobufReader {
    /// Whether `bytes` are well-formed UTF-8 (protobuf `string` fields must be).
    ///
    /// - Complexity: O(n); plain ASCII (most names, tags and dimensions) is checked eight bytes
    ///   at a time inline, anything else by the standard library's decoder out of line.
    @inlinable
    public static func isValidUTF8(_ bytes: UnsafeRawBufferPointer) -> Bool {
        isASCII(bytes) || isValidNonASCIIUTF8(bytes)
    }

    /// Whether every byte is below 0x80 (then the bytes are valid UTF-8 too).
    @inlinable
    public static func isASCII(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard let base = bytes.baseAddress else { return true }
        let count = bytes.count
        var i = 0
        var high: UInt64 = 0
        while i + 8 <= count {
            high |= base.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            i += 8
        }
        if count >= 8 {
            // The last eight bytes, overlapping what was read: no byte-wise tail loop.
            high |= base.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self)
        } else {
            while i < count {
                high |= UInt64(base.load(fromByteOffset: i, as: UInt8.self))
                i += 1
            }
        }
        return high & 0x8080_8080_8080_8080 == 0
    }

    /// Full UTF-8 validation, for bytes that are not all ASCII.
    @usableFromInline
    static func isValidNonASCIIUTF8(_ bytes: UnsafeRawBufferPointer) -> Bool {
        var iterator = bytes.makeIterator()
        var decoder = UTF8()
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue: continue
            case .emptyInput: return true
            case .error: return false
            }
        }
    }
}
