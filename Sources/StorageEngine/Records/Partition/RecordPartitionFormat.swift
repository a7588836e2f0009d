import BasinModel

/// Where a section lies in a partition file, and how to read it back.
struct SectionRef: Sendable, Hashable {
    var offset: Int
    /// Bytes stored in the file.
    var storedLength: Int
    /// Bytes once inflated; 0 when stored as is.
    var rawLength: Int
    /// CRC32C of the stored bytes.
    var crc: UInt32

    static let empty = SectionRef(offset: 0, storedLength: 0, rawLength: 0, crc: 0)

    func encode(into out: inout [UInt8]) {
        WALRecord.appendUVarint(UInt64(offset), to: &out)
        WALRecord.appendUVarint(UInt64(storedLength), to: &out)
        WALRecord.appendUVarint(UInt64(rawLength), to: &out)
        BlockBytes.appendU32(crc, to: &out)
    }

    static func decode(_ c: inout PayloadCursor) -> SectionRef? {
        guard let o = c.readUVarint(), let s = c.readUVarint(), let r = c.readUVarint(), o < 1 << 40, s < 1 << 32, r < 1 << 32,
              c.remaining >= 4 else { return nil }
        let crc = BlockBytes.u32(c.bytes, at: c.position)
        _ = c.skip(4)
        return SectionRef(offset: Int(o), storedLength: Int(s), rawLength: Int(r), crc: crc)
    }
}

/// One column of a partition as its index lists it.
struct PartitionColumn: Sendable, Hashable {
    var name: String
    var section: SectionRef
    var stats: ColumnStats
}

/// A partition's index: whose records it holds, their time range and its columns.
struct PartitionIndex: Sendable, Hashable {
    var org: OrgID
    var dataset: String
    var incarnation: UInt64
    /// The seal that wrote it: it holds records of log segments below this one. Valid once the
    /// store's seal marker (`records/sealed`) reaches it; a partition of a seal the marker does
    /// not cover was cut short by a crash and is deleted at start-up (the log still holds it).
    var sealBoundary: UInt64
    var rows: Int
    var minTime: Int64
    var maxTime: Int64
    var times: SectionRef
    var shapes: SectionRef
    /// Rows that repeat a top-level name, stored whole.
    var rawRows: SectionRef
    var columns: [PartitionColumn]

    var key: DatasetKey { DatasetKey(org: org, dataset: dataset, incarnation: incarnation) }

    func encode() -> [UInt8] {
        var out: [UInt8] = []
        RecordEncoding.appendString(org.name, to: &out)
        RecordEncoding.appendString(dataset, to: &out)
        WALRecord.appendUVarint(incarnation, to: &out)
        WALRecord.appendUVarint(sealBoundary, to: &out)
        WALRecord.appendUVarint(UInt64(rows), to: &out)
        RecordEncoding.appendVarint(minTime, to: &out)
        RecordEncoding.appendVarint(maxTime, to: &out)
        times.encode(into: &out)
        shapes.encode(into: &out)
        rawRows.encode(into: &out)
        WALRecord.appendUVarint(UInt64(columns.count), to: &out)
        for col in columns {
            RecordEncoding.appendString(col.name, to: &out)
            col.section.encode(into: &out)
            col.stats.encode(into: &out)
        }
        return out
    }

    static func decode(_ raw: UnsafeRawBufferPointer) -> PartitionIndex? {
        var c = PayloadCursor(bytes: raw)
        guard let org = RecordEncoding.readString(&c), let dataset = RecordEncoding.readString(&c),
              let incarnation = c.readUVarint(), let sealBoundary = c.readUVarint(), let rows = c.readUVarint(), rows < 1 << 40,
              let minTime = RecordEncoding.readVarint(&c), let maxTime = RecordEncoding.readVarint(&c),
              let times = SectionRef.decode(&c), let shapes = SectionRef.decode(&c), let rawRows = SectionRef.decode(&c),
              let count = c.readUVarint(), count <= UInt64(c.remaining) else { return nil }
        var columns: [PartitionColumn] = []
        for _ in 0..<Int(count) {
            guard let name = RecordEncoding.readString(&c), let section = SectionRef.decode(&c),
                  let stats = ColumnStats.decode(&c) else { return nil }
            columns.append(PartitionColumn(name: name, section: section, stats: stats))
        }
        guard c.remaining == 0 else { return nil }
        return PartitionIndex(
            org: OrgID(org), dataset: dataset, incarnation: incarnation, sealBoundary: sealBoundary, rows: Int(rows), minTime: minTime, maxTime: maxTime,
            times: times, shapes: shapes, rawRows: rawRows, columns: columns)
    }
}

/// File-level constants of sealed record partitions (`records/parts/<sequence>.brp`).
///
/// ```
/// "BRP1" │ sections (times, shapes, raw rows, one per column), each deflated when that pays
/// index (PartitionIndex) │ index offset <u64> │ index length <u32> │ index CRC32C <u32> │ "BRP1"
/// ```
enum RecordPartitionFormat {
    static let magic: [UInt8] = [0x42, 0x52, 0x50, 0x31]
    static let footerSize = 8 + 4 + 4 + 4
    static let fileExtension = ".brp"

    static func fileName(_ sequence: Int) -> String {
        let digits = String(sequence)
        return String(repeating: "0", count: max(0, 12 - digits.count)) + digits + fileExtension
    }

    static func sequence(ofName name: String) -> Int? {
        guard name.hasSuffix(fileExtension) else { return nil }
        return Int(name.dropLast(fileExtension.count))
    }
}

/// The seal marker (`records/sealed`): the log segment boundary of the last seal whose
/// partitions are all on disk. Replay starts at that segment; partitions of a later seal are
/// leftovers of a crash.
///
/// ```
/// "BSEL" │ version <1 byte> = 1 │ boundary segment <uvarint> │ CRC32C of everything before it <u32>
/// ```
enum SealMarker {
    static let fileName = "sealed"
    static let magic: [UInt8] = [0x42, 0x53, 0x45, 0x4C]

    static func encode(_ boundary: UInt64) -> [UInt8] {
        var out = magic + [1]
        WALRecord.appendUVarint(boundary, to: &out)
        BlockBytes.appendU32(out.withUnsafeBytes { CRC32C.checksum($0) }, to: &out)
        return out
    }

    static func decode(_ bytes: [UInt8]) -> UInt64? {
        bytes.withUnsafeBytes { raw -> UInt64? in
            guard raw.count >= 10, raw.prefix(4).elementsEqual(magic), raw[4] == 1 else { return nil }
            let body = UnsafeRawBufferPointer(rebasing: raw[..<(raw.count - 4)])
            guard CRC32C.checksum(body) == BlockBytes.u32(raw, at: raw.count - 4) else { return nil }
            var c = PayloadCursor(bytes: body, position: 5)
            guard let b = c.readUVarint(), c.remaining == 0 else { return nil }
            return b
        }
    }
}
