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
public struct ProtobufReader {
    /// The message's bytes.
    public let bytes: UnsafeRawBufferPointer
    /// The offset of the next unread byte.
    public private(set) var position: Int
    /// Where `bytes` starts inside the whole request body, for error offsets.
    public let baseOffset: Int

    /// Creates a reader over `bytes`, which lie at `baseOffset` inside the request body.
    ///
    /// - Parameters:
    ///   - bytes: the encoded message; must stay valid while the reader and the slices it
    ///     returns are used.
    ///   - baseOffset: the offset of `bytes` in the request body, added to error offsets.
    public init(_ bytes: UnsafeRawBufferPointer, baseOffset: Int = 0) {
        self.bytes = bytes
        self.position = 0
        self.baseOffset = baseOffset
    }

    /// Whether every byte was read.
    public var isAtEnd: Bool { position >= bytes.count }

    /// Reads the next field key.
    ///
    /// - Returns: the field number and wire type, or nil at the end of the message.
    /// - Throws: ``WireError`` for field number 0, an unknown wire type or a malformed varint.
    public mutating func readTag() throws(WireError) -> (field: UInt64, wireType: ProtobufWireType)? {
        guard !isAtEnd else { return nil }
        let start = position
        let key = try readVarint()
        let field = key >> 3
        guard field != 0, field <= 0x1FFF_FFFF, let wireType = ProtobufWireType(rawValue: UInt8(key & 7)) else {
            throw WireError(.unexpectedByte, "invalid protobuf field key \(key)", offset: baseOffset + start)
        }
        return (field, wireType)
    }

    /// Reads a base-128 varint of at most ten bytes.
    ///
    /// - Throws: ``WireError`` when the varint is truncated or does not fit 64 bits.
    public mutating func readVarint() throws(WireError) -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        let start = position
        while position < bytes.count {
            let byte = bytes[position]
            position += 1
            if shift == 63, byte > 1 {
                throw WireError(.invalidNumber, "protobuf varint overflows 64 bits", offset: baseOffset + start)
            }
            result |= UInt64(byte & 0x7F) << shift
            if byte < 0x80 { return result }
            shift += 7
            if shift > 63 {
                throw WireError(.invalidNumber, "protobuf varint longer than 10 bytes", offset: baseOffset + start)
            }
        }
        throw WireError(.unexpectedEnd, "truncated protobuf varint", offset: baseOffset + start)
    }

    /// Reads an `int64`/`int32` varint (two's complement; negatives take ten bytes).
    public mutating func readInt64() throws(WireError) -> Int64 {
        Int64(bitPattern: try readVarint())
    }

    /// Reads a `sint32`/`sint64` varint (zig-zag encoded).
    public mutating func readSignedVarint() throws(WireError) -> Int64 {
        Self.zigZagDecode(try readVarint())
    }

    /// Decodes a zig-zag encoded value: 0 → 0, 1 → −1, 2 → 1, 3 → −2, …
    @inline(__always)
    public static func zigZagDecode(_ raw: UInt64) -> Int64 {
        Int64(bitPattern: raw >> 1) ^ -Int64(bitPattern: raw & 1)
    }

    /// Reads a little-endian 64-bit value (wire type 1).
    ///
    /// - Throws: ``WireError`` when fewer than eight bytes remain.
    public mutating func readFixed64() throws(WireError) -> UInt64 {
        guard bytes.count - position >= 8 else {
            throw WireError(.unexpectedEnd, "truncated protobuf fixed64", offset: baseOffset + position)
        }
        let value = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: position, as: UInt64.self))
        position += 8
        return value
    }

    /// Reads a `double` (wire type 1).
    public mutating func readDouble() throws(WireError) -> Double {
        Double(bitPattern: try readFixed64())
    }

    /// Reads a length-delimited field (wire type 2).
    ///
    /// - Returns: the payload as a slice of the input and its offset in the request body.
    /// - Throws: ``WireError`` when the length runs past the end of the message.
    public mutating func readLengthDelimited() throws(WireError) -> (bytes: UnsafeRawBufferPointer, offset: Int) {
        let start = position
        let length = try readVarint()
        guard length <= UInt64(bytes.count - position) else {
            throw WireError(.unexpectedEnd, "protobuf length \(length) runs past the end of the message", offset: baseOffset + start)
        }
        let count = Int(length)
        let slice = UnsafeRawBufferPointer(rebasing: bytes[position..<(position + count)])
        let offset = baseOffset + position
        position += count
        return (slice, offset)
    }

    /// Skips the value of a field with `wireType`: how unknown fields, and known fields sent
    /// with an unexpected wire type, are treated (as protobuf runtimes do).
    ///
    /// - Throws: ``WireError`` for groups (no schema decoded here has them) and for truncated values.
    public mutating func skip(_ wireType: ProtobufWireType) throws(WireError) {
        switch wireType {
        case .varint:
            _ = try readVarint()
        case .fixed64:
            _ = try readFixed64()
        case .lengthDelimited:
            _ = try readLengthDelimited()
        case .fixed32:
            guard bytes.count - position >= 4 else {
                throw WireError(.unexpectedEnd, "truncated protobuf fixed32", offset: baseOffset + position)
            }
            position += 4
        case .startGroup, .endGroup:
            throw WireError(.unexpectedByte, "protobuf groups are not supported", offset: baseOffset + position)
        }
    }
}

extension ProtobufReader {
    /// Whether `bytes` are well-formed UTF-8 (protobuf `string` fields must be).
    public static func isValidUTF8(_ bytes: UnsafeRawBufferPointer) -> Bool {
        // ASCII fast path: most names, tags and dimensions are plain ASCII; eight bytes at a time.
        if let base = bytes.baseAddress {
            let count = bytes.count
            var i = 0
            var high: UInt64 = 0
            while i + 8 <= count {
                high |= base.loadUnaligned(fromByteOffset: i, as: UInt64.self)
                i += 8
            }
            while i < count {
                high |= UInt64(base.load(fromByteOffset: i, as: UInt8.self))
                i += 1
            }
            if high & 0x8080_8080_8080_8080 == 0 { return true }
        } else {
            return true
        }
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
