import BasinModel
import Glibc

/// The binary form of records and field values, used by the records log, the head and the
/// nested-value columns of sealed partitions (layout in `Docs/records.md`).
///
/// A value is a tag byte then its payload: null 0, false 1, true 2, int 3 (zigzag varint),
/// float 4 (8 bytes little-endian IEEE 754), string 5 (varint length, UTF-8), timestamp 6
/// (zigzag varint ns), array 7 (varint count, values), object 8 (varint count, then per member
/// varint name length, name, value). A record is its time (zigzag varint ns), then its fields
/// as an object body (count, then name and value per field).
enum RecordEncoding {
    enum Tag: UInt8 {
        case null = 0, boolFalse = 1, boolTrue = 2, int = 3, float = 4, string = 5, timestamp = 6, array = 7, object = 8
    }

    /// Nesting deeper than this does not decode (decoders cut input nesting well before it).
    static let maxDepth = 128

    static func encode(_ record: Record, into out: inout [UInt8]) {
        appendVarint(record.timeNanos, to: &out)
        encodeMembers(record.fields, into: &out)
    }

    static func encode(_ value: FieldValue, into out: inout [UInt8]) {
        switch value {
        case .null: out.append(Tag.null.rawValue)
        case .bool(let b): out.append(b ? Tag.boolTrue.rawValue : Tag.boolFalse.rawValue)
        case .int(let i):
            out.append(Tag.int.rawValue)
            appendVarint(i, to: &out)
        case .float(let d):
            out.append(Tag.float.rawValue)
            appendFixed64(d.bitPattern, to: &out)
        case .string(let s):
            out.append(Tag.string.rawValue)
            appendString(s, to: &out)
        case .timestamp(let t):
            out.append(Tag.timestamp.rawValue)
            appendVarint(t, to: &out)
        case .array(let items):
            out.append(Tag.array.rawValue)
            WALRecord.appendUVarint(UInt64(items.count), to: &out)
            for item in items { encode(item, into: &out) }
        case .object(let members):
            out.append(Tag.object.rawValue)
            encodeMembers(members, into: &out)
        }
    }

    private static func encodeMembers(_ members: [RecordField], into out: inout [UInt8]) {
        WALRecord.appendUVarint(UInt64(members.count), to: &out)
        for m in members {
            appendString(m.name, to: &out)
            encode(m.value, into: &out)
        }
    }

    static func appendString(_ s: String, to out: inout [UInt8]) {
        var s = s
        s.withUTF8 { utf8 in
            WALRecord.appendUVarint(UInt64(utf8.count), to: &out)
            out.append(contentsOf: utf8)
        }
    }

    @inline(__always)
    static func appendVarint(_ v: Int64, to out: inout [UInt8]) {
        WALRecord.appendUVarint(UInt64(bitPattern: (v << 1) ^ (v >> 63)), to: &out)
    }

    @inline(__always)
    static func appendFixed64(_ v: UInt64, to out: inout [UInt8]) {
        withUnsafeBytes(of: v.littleEndian) { out.append(contentsOf: $0) }
    }

    /// Decodes one record; nil when the bytes are not a valid record.
    static func decodeRecord(_ c: inout PayloadCursor) -> Record? {
        guard let time = readVarint(&c), let fields = decodeMembers(&c, depth: 0) else { return nil }
        return Record(timeNanos: time, fields: fields)
    }

    /// Decodes one value; nil when the bytes are not a valid value.
    static func decodeValue(_ c: inout PayloadCursor, depth: Int = 0) -> FieldValue? {
        guard depth < maxDepth, let raw = c.readByte(), let tag = Tag(rawValue: raw) else { return nil }
        switch tag {
        case .null: return .null
        case .boolFalse: return .bool(false)
        case .boolTrue: return .bool(true)
        case .int: return readVarint(&c).map(FieldValue.int)
        case .float: return readFixed64(&c).map { .float(Double(bitPattern: $0)) }
        case .string: return readString(&c).map(FieldValue.string)
        case .timestamp: return readVarint(&c).map(FieldValue.timestamp)
        case .array:
            guard let n = c.readUVarint(), n <= UInt64(c.remaining) else { return nil }
            var items: [FieldValue] = []
            items.reserveCapacity(Int(n))
            for _ in 0..<Int(n) {
                guard let v = decodeValue(&c, depth: depth + 1) else { return nil }
                items.append(v)
            }
            return .array(items)
        case .object:
            return decodeMembers(&c, depth: depth + 1).map(FieldValue.object)
        }
    }

    private static func decodeMembers(_ c: inout PayloadCursor, depth: Int) -> [RecordField]? {
        guard depth < maxDepth, let n = c.readUVarint(), n <= UInt64(c.remaining) else { return nil }
        var members: [RecordField] = []
        members.reserveCapacity(Int(n))
        for _ in 0..<Int(n) {
            guard let name = readString(&c), let v = decodeValue(&c, depth: depth + 1) else { return nil }
            members.append(RecordField(name, v))
        }
        return members
    }

    /// Checks and skips one record without decoding its values; returns its time, or nil when
    /// the bytes are not a valid record.
    static func skipRecord(_ c: inout PayloadCursor) -> Int64? {
        guard let time = readVarint(&c), let n = c.readUVarint(), n <= UInt64(c.remaining) else { return nil }
        for _ in 0..<Int(n) {
            guard let len = c.readUVarint(), len <= UInt64(c.remaining), c.skip(Int(len)), skipValue(&c, depth: 1) else { return nil }
        }
        return time
    }

    /// Skips one value; false when the bytes are not a valid value.
    static func skipValue(_ c: inout PayloadCursor, depth: Int = 0) -> Bool {
        guard depth < maxDepth, let raw = c.readByte(), let tag = Tag(rawValue: raw) else { return false }
        switch tag {
        case .null, .boolFalse, .boolTrue: return true
        case .int, .timestamp: return c.readUVarint() != nil
        case .float: return c.skip(8)
        case .string:
            guard let n = c.readUVarint(), n <= UInt64(c.remaining) else { return false }
            return c.skip(Int(n))
        case .array:
            guard let n = c.readUVarint(), n <= UInt64(c.remaining) else { return false }
            for _ in 0..<Int(n) where !skipValue(&c, depth: depth + 1) { return false }
            return true
        case .object:
            guard let n = c.readUVarint(), n <= UInt64(c.remaining) else { return false }
            for _ in 0..<Int(n) {
                guard let len = c.readUVarint(), len <= UInt64(c.remaining), c.skip(Int(len)),
                      skipValue(&c, depth: depth + 1) else { return false }
            }
            return true
        }
    }

    /// The first top-level field named `name` of the encoded record at the cursor (nil when
    /// absent or malformed), decoding only that field's value.
    static func field(_ name: [UInt8], inRecord c: inout PayloadCursor) -> FieldValue? {
        guard readVarint(&c) != nil, let n = c.readUVarint(), n <= UInt64(c.remaining) else { return nil }
        for _ in 0..<Int(n) {
            guard let len = c.readUVarint(), len <= UInt64(c.remaining) else { return nil }
            let start = c.position
            guard c.skip(Int(len)) else { return nil }
            if Int(len) == name.count, name.withUnsafeBytes({ memcmp($0.baseAddress!, c.bytes.baseAddress! + start, name.count) == 0 }) {
                return decodeValue(&c, depth: 1)
            }
            guard skipValue(&c, depth: 1) else { return nil }
        }
        return nil
    }

    static func readVarint(_ c: inout PayloadCursor) -> Int64? {
        guard let u = c.readUVarint() else { return nil }
        return Int64(bitPattern: u >> 1) ^ -Int64(bitPattern: u & 1)
    }

    static func readFixed64(_ c: inout PayloadCursor) -> UInt64? {
        guard c.remaining >= 8 else { return nil }
        let v = UInt64(littleEndian: c.bytes.loadUnaligned(fromByteOffset: c.position, as: UInt64.self))
        _ = c.skip(8)
        return v
    }

    static func readString(_ c: inout PayloadCursor) -> String? {
        guard let n = c.readUVarint(), n <= UInt64(c.remaining) else { return nil }
        let raw = c.readBytes(Int(n))
        return String(decoding: raw, as: UTF8.self)
    }
}

extension PayloadCursor {
    /// Moves past `count` bytes; false (not moving) when fewer remain.
    @inline(__always)
    mutating func skip(_ count: Int) -> Bool {
        guard count >= 0, count <= remaining else { return false }
        _ = readBytes(count)
        return true
    }
}
