import BasinWire

/// The protobuf wire types (https://protobuf.dev/programming-guides/encoding/).
enum ProtobufWireType: UInt8, Sendable {
    /// int32, int64, uint*, sint*, bool, enum.
    case varint = 0
    /// fixed64, sfixed64, double.
    case fixed64 = 1
    /// string, bytes, embedded messages, packed repeated fields.
    case lengthDelimited = 2
    /// Deprecated groups; refused (no SignalFx schema uses them).
    case startGroup = 3
    case endGroup = 4
    /// fixed32, sfixed32, float.
    case fixed32 = 5
}

/// A cursor over protobuf-encoded bytes: reads tags, varints, fixed-width values and
/// length-delimited slices, and skips fields it does not know.
///
/// Hand-written instead of generated code: the SignalFx messages are small (see
/// ``SignalFxProtobufSchema``), and reading them in place keeps the hot path free of
/// allocations. Strings and embedded messages come back as slices of the input, valid as long as
/// the buffer the reader was created over.
///
/// Every length from the wire is checked against the bytes that remain before use, so truncated
/// or hostile input throws ``WireError`` instead of reading out of bounds.
struct ProtobufReader {
    /// The message's bytes.
    let bytes: UnsafeRawBufferPointer
    /// The offset of the next unread byte.
    private(set) var position: Int
    /// Where `bytes` starts inside the whole request body, for error offsets.
    let baseOffset: Int

    /// Creates a reader over `bytes`, which lie at `baseOffset` inside the request body.
    init(_ bytes: UnsafeRawBufferPointer, baseOffset: Int = 0) {
        self.bytes = bytes
        self.position = 0
        self.baseOffset = baseOffset
    }

    /// Whether every byte was read.
    var isAtEnd: Bool { position >= bytes.count }

    /// Reads the next field key.
    ///
    /// - Returns: the field number and wire type, or nil at the end of the message.
    /// - Throws: for field number 0, an unknown wire type or a malformed varint.
    mutating func readTag() throws(WireError) -> (field: UInt64, wireType: ProtobufWireType)? {
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
    mutating func readVarint() throws(WireError) -> UInt64 {
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

    /// Reads a little-endian 64-bit value (wire type 1).
    mutating func readFixed64() throws(WireError) -> UInt64 {
        guard bytes.count - position >= 8 else {
            throw WireError(.unexpectedEnd, "truncated protobuf fixed64", offset: baseOffset + position)
        }
        var value: UInt64 = 0
        for k in 0..<8 { value |= UInt64(bytes[position + k]) << (8 * UInt64(k)) }
        position += 8
        return value
    }

    /// Reads a length-delimited field (wire type 2).
    ///
    /// - Returns: the payload as a slice of the input and its offset in the request body.
    mutating func readLengthDelimited() throws(WireError) -> (bytes: UnsafeRawBufferPointer, offset: Int) {
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
    /// - Throws: for groups (no SignalFx message has them) and for truncated values.
    mutating func skip(_ wireType: ProtobufWireType) throws(WireError) {
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
    static func isValidUTF8(_ bytes: UnsafeRawBufferPointer) -> Bool {
        // ASCII fast path: most names and dimensions are plain ASCII.
        var ascii = true
        for byte in bytes where byte >= 0x80 {
            ascii = false
            break
        }
        if ascii { return true }
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
