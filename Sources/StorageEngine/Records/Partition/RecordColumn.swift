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
        guard let c = decodeColumn(raw, rows: rows) else { return nil }
        return (0..<rows).map { c.value($0) }
    }

    /// The column as primitive arrays (strings and nested values stay bytes until read);
    /// nil when the bytes are malformed.
    static func decodeColumn(_ raw: UnsafeRawBufferPointer, rows: Int) -> PartitionColumnValues? {
        var c = PayloadCursor(bytes: raw)
        let out = PartitionColumnValues()
        guard let runCount = c.readUVarint(), runCount <= UInt64(raw.count) else { return nil }
        out.tags.reserveCapacity(rows)
        var counts = [Int](repeating: 0, count: FieldType.allCases.count)
        out.slots.reserveCapacity(rows)
        for _ in 0..<Int(runCount) {
            guard let tag = c.readByte(), let n = c.readUVarint(), n <= UInt64(rows - out.tags.count) else { return nil }
            guard tag == RecordColumn.absentTag || Int(tag) < counts.count else { return nil }
            out.tags.append(contentsOf: repeatElement(tag, count: Int(n)))
            if tag == RecordColumn.absentTag {
                out.slots.append(contentsOf: repeatElement(0, count: Int(n)))
            } else {
                let first = counts[Int(tag)]
                for k in 0..<Int(n) { out.slots.append(Int32(truncatingIfNeeded: first + k)) }
                counts[Int(tag)] += Int(n)
            }
        }
        guard out.tags.count == rows else { return nil }
        func tagCount(_ t: FieldType) -> Int { counts[Int(RecordColumn.tag(of: t))] }
        var streams: [UnsafeRawBufferPointer] = []
        for _ in 0..<5 {
            guard let n = c.readUVarint(), n <= UInt64(c.remaining) else { return nil }
            streams.append(c.readBytes(Int(n)))
        }
        guard decodeDeltas(streams[0], count: tagCount(.int), into: &out.ints),
              decodeDeltas(streams[3], count: tagCount(.timestamp), into: &out.timestamps) else { return nil }
        let floatCount = tagCount(.float)
        guard streams[1].count == floatCount * 8, streams[2].count == tagCount(.bool) else { return nil }
        out.floats = (0..<floatCount).map { Double(bitPattern: UInt64(littleEndian: streams[1].loadUnaligned(fromByteOffset: $0 * 8, as: UInt64.self))) }
        out.bools = streams[2].map { $0 != 0 }
        var nested = PayloadCursor(bytes: streams[4])
        let nestedCount = tagCount(.array) + tagCount(.object)
        out.nested.reserveCapacity(nestedCount)
        for _ in 0..<nestedCount {
            guard let v = RecordEncoding.decodeValue(&nested), v.type == .array || v.type == .object else { return nil }
            out.nested.append(v)
        }
        // Arrays and objects share one stream in row order: index them by their order of appearance.
        if nestedCount > 0 {
            var next: Int32 = 0
            for row in 0..<rows where out.tags[row] == RecordColumn.tag(of: .array) || out.tags[row] == RecordColumn.tag(of: .object) {
                out.slots[row] = next
                next += 1
            }
            for (row, tag) in out.tags.enumerated() where tag == RecordColumn.tag(of: .array) || tag == RecordColumn.tag(of: .object) {
                guard out.nested[Int(out.slots[row])].type == FieldType.allCases[Int(tag)] else { return nil }
            }
        }
        guard decodeStrings(&c, count: tagCount(.string), into: out), c.remaining == 0 else { return nil }
        return out
    }

    private static func decodeDeltas(_ raw: UnsafeRawBufferPointer, count: Int, into out: inout [Int64]) -> Bool {
        var c = PayloadCursor(bytes: raw)
        out.reserveCapacity(count)
        var last: Int64 = 0
        for _ in 0..<count {
            guard let d = RecordEncoding.readVarint(&c) else { return false }
            last = last &+ d
            out.append(last)
        }
        return c.remaining == 0
    }

    private static func decodeStrings(_ c: inout PayloadCursor, count: Int, into out: PartitionColumnValues) -> Bool {
        guard let mode = c.readByte(), mode <= 1 else { return false }
        var dictionaryCount = 0
        if mode == 1 {
            guard let n = c.readUVarint(), n <= UInt64(c.remaining) else { return false }
            dictionaryCount = Int(n)
        }
        var streams: [UnsafeRawBufferPointer] = []
        for _ in 0..<(mode == 1 ? 3 : 2) {
            guard let n = c.readUVarint(), n <= UInt64(c.remaining) else { return false }
            streams.append(c.readBytes(Int(n)))
        }
        var lengths = PayloadCursor(bytes: streams[0])
        var starts: [Int32] = [0]
        var offset = 0
        while lengths.remaining > 0 {
            guard let n = lengths.readUVarint(), n <= UInt64(streams[1].count - offset) else { return false }
            offset += Int(n)
            starts.append(Int32(truncatingIfNeeded: offset))
        }
        guard offset == streams[1].count, streams[1].count < Int(Int32.max) else { return false }
        if mode == 0 {
            guard starts.count == count + 1 else { return false }
            out.stringBytes = Array(streams[1])
            out.stringStarts = starts
            return true
        }
        guard starts.count == dictionaryCount + 1 else { return false }
        out.usesDictionary = true
        out.dictionary = (0..<dictionaryCount).map { i in
            String(decoding: UnsafeRawBufferPointer(rebasing: streams[1][Int(starts[i])..<Int(starts[i + 1])]), as: UTF8.self)
        }
        var ids = PayloadCursor(bytes: streams[2])
        out.dictionaryIDs.reserveCapacity(count)
        while ids.remaining > 0 {
            guard let id = ids.readUVarint(), id < UInt64(dictionaryCount) else { return false }
            out.dictionaryIDs.append(Int32(id))
        }
        return out.dictionaryIDs.count == count
    }
}
