import BasinModel

/// What a partition knows about one column without reading it: the types seen, counts,
/// value ranges and a Bloom filter of its strings. Scans use it to skip partitions.
struct ColumnStats: Sendable, Hashable {
    /// One bit per ``FieldType`` (by `allCases` position) seen in the column.
    var typeBits: UInt16 = 0
    /// Rows without the field.
    var absent = 0
    /// Rows whose value is an explicit null.
    var nulls = 0
    /// Distinct non-null scalar values (exact, counted while writing).
    var distinct = 0
    var intRange: ClosedRange<Int64>?
    var floatRange: ClosedRange<Double>?
    var timestampRange: ClosedRange<Int64>?
    /// The smallest string, cut to ``stringBoundBytes`` (a cut prefix is still a lower bound).
    var stringMin: String?
    /// The largest string when it is at most ``stringBoundBytes`` long (a cut one is no bound).
    var stringMax: String?
    var bloom: BloomFilter?

    static let stringBoundBytes = 64

    var types: [FieldType] {
        FieldType.allCases.enumerated().compactMap { typeBits & (1 << $0.offset) != 0 ? $0.element : nil }
    }

    func has(_ type: FieldType) -> Bool {
        typeBits & (1 << FieldType.allCases.firstIndex(of: type)!) != 0
    }

    mutating func note(_ type: FieldType) {
        typeBits |= 1 << FieldType.allCases.firstIndex(of: type)!
    }

    func encode(into out: inout [UInt8]) {
        WALRecord.appendUVarint(UInt64(typeBits), to: &out)
        WALRecord.appendUVarint(UInt64(absent), to: &out)
        WALRecord.appendUVarint(UInt64(nulls), to: &out)
        WALRecord.appendUVarint(UInt64(distinct), to: &out)
        var flags: UInt8 = 0
        if intRange != nil { flags |= 1 }
        if floatRange != nil { flags |= 2 }
        if timestampRange != nil { flags |= 4 }
        if stringMin != nil { flags |= 8 }
        if stringMax != nil { flags |= 16 }
        if bloom != nil { flags |= 32 }
        out.append(flags)
        if let r = intRange {
            RecordEncoding.appendVarint(r.lowerBound, to: &out)
            RecordEncoding.appendVarint(r.upperBound, to: &out)
        }
        if let r = floatRange {
            RecordEncoding.appendFixed64(r.lowerBound.bitPattern, to: &out)
            RecordEncoding.appendFixed64(r.upperBound.bitPattern, to: &out)
        }
        if let r = timestampRange {
            RecordEncoding.appendVarint(r.lowerBound, to: &out)
            RecordEncoding.appendVarint(r.upperBound, to: &out)
        }
        if let s = stringMin { RecordEncoding.appendString(s, to: &out) }
        if let s = stringMax { RecordEncoding.appendString(s, to: &out) }
        if let b = bloom {
            WALRecord.appendUVarint(UInt64(b.words.count), to: &out)
            for w in b.words { RecordEncoding.appendFixed64(w, to: &out) }
        }
    }

    static func decode(_ c: inout PayloadCursor) -> ColumnStats? {
        var s = ColumnStats()
        guard let bits = c.readUVarint(), bits <= UInt64(UInt16.max), let absent = c.readUVarint(), let nulls = c.readUVarint(),
              let distinct = c.readUVarint(), let flags = c.readByte(), absent < 1 << 40, nulls < 1 << 40, distinct < 1 << 40
        else { return nil }
        s.typeBits = UInt16(bits)
        s.absent = Int(absent)
        s.nulls = Int(nulls)
        s.distinct = Int(distinct)
        if flags & 1 != 0 {
            guard let lo = RecordEncoding.readVarint(&c), let hi = RecordEncoding.readVarint(&c), lo <= hi else { return nil }
            s.intRange = lo...hi
        }
        if flags & 2 != 0 {
            guard let lo = RecordEncoding.readFixed64(&c), let hi = RecordEncoding.readFixed64(&c) else { return nil }
            let l = Double(bitPattern: lo), h = Double(bitPattern: hi)
            guard l <= h else { return nil }
            s.floatRange = l...h
        }
        if flags & 4 != 0 {
            guard let lo = RecordEncoding.readVarint(&c), let hi = RecordEncoding.readVarint(&c), lo <= hi else { return nil }
            s.timestampRange = lo...hi
        }
        if flags & 8 != 0 {
            guard let v = RecordEncoding.readString(&c) else { return nil }
            s.stringMin = v
        }
        if flags & 16 != 0 {
            guard let v = RecordEncoding.readString(&c) else { return nil }
            s.stringMax = v
        }
        if flags & 32 != 0 {
            guard let n = c.readUVarint(), n > 0, n <= UInt64(c.remaining / 8) else { return nil }
            var words: [UInt64] = []
            words.reserveCapacity(Int(n))
            for _ in 0..<Int(n) {
                guard let w = RecordEncoding.readFixed64(&c) else { return nil }
                words.append(w)
            }
            s.bloom = BloomFilter(words: words)
        }
        return s
    }
}
