import BasinModel

/// The encoding of one top-level field across a partition's rows (layout in `Docs/records.md`):
/// a run-length list of per-row type tags, then one stream per type: ints and timestamps as
/// zigzag deltas, floats as 8 bytes, bools as bytes, strings plain (lengths, then bytes) or
/// dictionary-coded, arrays and objects in ``RecordEncoding``.
enum RecordColumn {
    /// The tag of a row without the field.
    static let absentTag: UInt8 = 0xFF

    static func tag(of type: FieldType) -> UInt8 {
        UInt8(FieldType.allCases.firstIndex(of: type)!)
    }
}

/// Collects one column's values row by row, with its statistics.
struct RecordColumnEncoder {
    private var runs: [(tag: UInt8, count: Int)] = []
    private var ints: [UInt8] = []
    private var lastInt: Int64 = 0
    private var floats: [UInt8] = []
    private var bools: [UInt8] = []
    private var timestamps: [UInt8] = []
    private var lastTimestamp: Int64 = 0
    private var nested: [UInt8] = []
    private var strings: [String] = []
    private var distinctStrings: Set<String> = []
    private var distinctNumbers: Set<UInt64> = []
    private(set) var stats = ColumnStats()

    /// A column first seen at row `rows`: the rows before it lack the field.
    init(absentRows rows: Int) {
        if rows > 0 {
            runs.append((RecordColumn.absentTag, rows))
            stats.absent = rows
        }
    }

    private mutating func push(_ tag: UInt8) {
        if let last = runs.last, last.tag == tag {
            runs[runs.count - 1].count += 1
        } else {
            runs.append((tag, 1))
        }
    }

    mutating func appendAbsent() {
        push(RecordColumn.absentTag)
        stats.absent += 1
    }

    mutating func append(_ value: FieldValue) {
        push(RecordColumn.tag(of: value.type))
        stats.note(value.type)
        switch value {
        case .null:
            stats.nulls += 1
        case .bool(let b):
            bools.append(b ? 1 : 0)
        case .int(let i):
            RecordEncoding.appendVarint(i &- lastInt, to: &ints)
            lastInt = i
            stats.intRange = stats.intRange.map { min($0.lowerBound, i)...max($0.upperBound, i) } ?? i...i
            distinctNumbers.insert(UInt64(bitPattern: i))
        case .float(let d):
            RecordEncoding.appendFixed64(d.bitPattern, to: &floats)
            if !d.isNaN {
                stats.floatRange = stats.floatRange.map { min($0.lowerBound, d)...max($0.upperBound, d) } ?? d...d
            }
            distinctNumbers.insert(d.bitPattern ^ 0x8000_0000_0000_0001)
        case .timestamp(let t):
            RecordEncoding.appendVarint(t &- lastTimestamp, to: &timestamps)
            lastTimestamp = t
            stats.timestampRange = stats.timestampRange.map { min($0.lowerBound, t)...max($0.upperBound, t) } ?? t...t
        case .string(let s):
            strings.append(s)
            distinctStrings.insert(s)
        case .array, .object:
            RecordEncoding.encode(value, into: &nested)
        }
    }

    /// The encoded column; finishes the statistics.
    mutating func finish() -> [UInt8] {
        var out: [UInt8] = []
        WALRecord.appendUVarint(UInt64(runs.count), to: &out)
        for r in runs {
            out.append(r.tag)
            WALRecord.appendUVarint(UInt64(r.count), to: &out)
        }
        for stream in [ints, floats, bools, timestamps, nested] {
            WALRecord.appendUVarint(UInt64(stream.count), to: &out)
            out.append(contentsOf: stream)
        }
        encodeStrings(into: &out)
        stats.distinct = distinctStrings.count + distinctNumbers.count
        if !distinctStrings.isEmpty {
            var bloom = BloomFilter(distinctValues: distinctStrings.count)
            var lo: String?, hi: String?
            for s in distinctStrings {
                bloom.insert(s)
                if lo.map({ s.utf8.lexicographicallyPrecedes($0.utf8) }) ?? true { lo = s }
                if hi.map({ $0.utf8.lexicographicallyPrecedes(s.utf8) }) ?? true { hi = s }
            }
            stats.bloom = bloom
            stats.stringMin = lo.map { String(decoding: $0.utf8.prefix(ColumnStats.stringBoundBytes), as: UTF8.self) }
            if let hi, hi.utf8.count <= ColumnStats.stringBoundBytes { stats.stringMax = hi }
        }
        return out
    }

    private func encodeStrings(into out: inout [UInt8]) {
        let useDictionary = !strings.isEmpty && distinctStrings.count * 2 <= strings.count && distinctStrings.count < 1 << 20
        out.append(useDictionary ? 1 : 0)
        var lengths: [UInt8] = []
        var bytes: [UInt8] = []
        func add(_ s: String) {
            var s = s
            s.withUTF8 { utf8 in
                WALRecord.appendUVarint(UInt64(utf8.count), to: &lengths)
                bytes.append(contentsOf: utf8)
            }
        }
        if useDictionary {
            let dictionary = distinctStrings.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
            var ids: [String: Int] = [:]
            for (i, s) in dictionary.enumerated() {
                ids[s] = i
                add(s)
            }
            WALRecord.appendUVarint(UInt64(dictionary.count), to: &out)
            var idStream: [UInt8] = []
            for s in strings { WALRecord.appendUVarint(UInt64(ids[s]!), to: &idStream) }
            for stream in [lengths, bytes, idStream] {
                WALRecord.appendUVarint(UInt64(stream.count), to: &out)
                out.append(contentsOf: stream)
            }
        } else {
            for s in strings { add(s) }
            for stream in [lengths, bytes] {
                WALRecord.appendUVarint(UInt64(stream.count), to: &out)
                out.append(contentsOf: stream)
            }
        }
    }
}

/// Decodes a column written by ``RecordColumnEncoder``.
enum RecordColumnDecoder {
    /// One value per row (nil where a row lacks the field); nil when the bytes are malformed.
    static func decode(_ raw: UnsafeRawBufferPointer, rows: Int) -> [FieldValue?]? {
        var c = PayloadCursor(bytes: raw)
        guard let runCount = c.readUVarint(), runCount <= UInt64(raw.count) else { return nil }
        var tags: [(UInt8, Int)] = []
        tags.reserveCapacity(Int(runCount))
        var total = 0
        for _ in 0..<Int(runCount) {
            guard let tag = c.readByte(), let n = c.readUVarint(), n <= UInt64(rows - total) else { return nil }
            tags.append((tag, Int(n)))
            total += Int(n)
        }
        guard total == rows else { return nil }
        var streams: [UnsafeRawBufferPointer] = []
        for _ in 0..<5 {
            guard let n = c.readUVarint(), n <= UInt64(c.remaining) else { return nil }
            streams.append(c.readBytes(Int(n)))
        }
        guard let strings = decodeStrings(&c) else { return nil }
        var ints = PayloadCursor(bytes: streams[0]), floats = PayloadCursor(bytes: streams[1])
        var bools = PayloadCursor(bytes: streams[2]), stamps = PayloadCursor(bytes: streams[3])
        var nested = PayloadCursor(bytes: streams[4])
        var stringIndex = 0
        var lastInt: Int64 = 0, lastStamp: Int64 = 0
        var out: [FieldValue?] = []
        out.reserveCapacity(rows)
        for (tag, count) in tags {
            if tag == RecordColumn.absentTag {
                out.append(contentsOf: repeatElement(nil, count: count))
                continue
            }
            guard Int(tag) < FieldType.allCases.count else { return nil }
            let type = FieldType.allCases[Int(tag)]
            for _ in 0..<count {
                switch type {
                case .null: out.append(.null)
                case .bool:
                    guard let b = bools.readByte() else { return nil }
                    out.append(.bool(b != 0))
                case .int:
                    guard let d = RecordEncoding.readVarint(&ints) else { return nil }
                    lastInt = lastInt &+ d
                    out.append(.int(lastInt))
                case .float:
                    guard let bits = RecordEncoding.readFixed64(&floats) else { return nil }
                    out.append(.float(Double(bitPattern: bits)))
                case .timestamp:
                    guard let d = RecordEncoding.readVarint(&stamps) else { return nil }
                    lastStamp = lastStamp &+ d
                    out.append(.timestamp(lastStamp))
                case .string:
                    guard let s = strings(stringIndex) else { return nil }
                    stringIndex += 1
                    out.append(.string(s))
                case .array, .object:
                    guard let v = RecordEncoding.decodeValue(&nested), v.type == type else { return nil }
                    out.append(v)
                }
            }
        }
        return out
    }

    /// A function giving the i-th string value of the column.
    private static func decodeStrings(_ c: inout PayloadCursor) -> ((Int) -> String?)? {
        guard let mode = c.readByte(), mode <= 1 else { return nil }
        var dictionaryCount = 0
        if mode == 1 {
            guard let n = c.readUVarint(), n <= UInt64(c.remaining) else { return nil }
            dictionaryCount = Int(n)
        }
        var streams: [UnsafeRawBufferPointer] = []
        for _ in 0..<(mode == 1 ? 3 : 2) {
            guard let n = c.readUVarint(), n <= UInt64(c.remaining) else { return nil }
            streams.append(c.readBytes(Int(n)))
        }
        var lengths = PayloadCursor(bytes: streams[0])
        var values: [String] = []
        var offset = 0
        while lengths.remaining > 0 {
            guard let n = lengths.readUVarint(), n <= UInt64(streams[1].count - offset) else { return nil }
            values.append(String(decoding: UnsafeRawBufferPointer(rebasing: streams[1][offset..<(offset + Int(n))]), as: UTF8.self))
            offset += Int(n)
        }
        if mode == 0 {
            return { i in i < values.count ? values[i] : nil }
        }
        guard values.count == dictionaryCount else { return nil }
        var ids = PayloadCursor(bytes: streams[2])
        var decoded: [String] = []
        while ids.remaining > 0 {
            guard let id = ids.readUVarint(), id < UInt64(values.count) else { return nil }
            decoded.append(values[Int(id)])
        }
        return { i in i < decoded.count ? decoded[i] : nil }
    }
}
