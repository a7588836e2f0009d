import BasinModel

/// The kind first written for each metric name, kept beside the blocks (`blocks/metric-kinds`).
///
/// Blocks are ordered by sequence number, and a compacted block gets a fresh one, so the
/// blocks alone cannot tell which kind was written first. The table is small (one entry per
/// metric name) and rewritten whole, atomically, each time the head is cut.
///
/// ```
/// "BKND" │ version <1 byte> = 1 │ entry count <uvarint>
/// entries: org <uvarint length + bytes> │ metric name <uvarint length + bytes> │ kind <1 byte>
/// CRC32C of everything before it <u32>
/// ```
enum MetricKindsFile {
    static let name = "metric-kinds"
    static let magic: [UInt8] = [0x42, 0x4B, 0x4E, 0x44]

    static func encode(_ table: [OrgID: [String: MetricKind]]) -> [UInt8] {
        var out = magic + [1]
        let entries = table.flatMap { org, kinds in kinds.map { (org.name, $0.key, $0.value) } }.sorted { ($0.0, $0.1) < ($1.0, $1.1) }
        WALRecord.appendUVarint(UInt64(entries.count), to: &out)
        for (org, name, kind) in entries {
            BlockBytes.appendBytes(Array(org.utf8), to: &out)
            BlockBytes.appendBytes(Array(name.utf8), to: &out)
            out.append(kind.rawValue)
        }
        BlockBytes.appendU32(out.withUnsafeBytes { CRC32C.checksum($0) }, to: &out)
        return out
    }

    static func decode(_ bytes: [UInt8]) -> [OrgID: [String: MetricKind]]? {
        bytes.withUnsafeBytes { raw -> [OrgID: [String: MetricKind]]? in
            guard raw.count >= 9, raw.prefix(4).elementsEqual(magic), raw[4] == 1 else { return nil }
            let body = UnsafeRawBufferPointer(rebasing: raw[..<(raw.count - 4)])
            guard CRC32C.checksum(body) == BlockBytes.u32(raw, at: raw.count - 4) else { return nil }
            var cursor = PayloadCursor(bytes: body, position: 5)
            guard let count = cursor.readUVarint(), count <= UInt64(body.count) else { return nil }
            var table: [OrgID: [String: MetricKind]] = [:]
            for _ in 0..<count {
                guard let org = cursor.readLengthPrefixed(), let name = cursor.readLengthPrefixed(), let kind = cursor.readByte() else { return nil }
                table[OrgID(String(decoding: org, as: UTF8.self)), default: [:]][String(decoding: name, as: UTF8.self)] = MetricKind(rawValue: kind) ?? .unspecified
            }
            return cursor.remaining == 0 ? table : nil
        }
    }

    /// Reads the table; a missing file is an empty table, a damaged one is nil.
    static func load(directory: String) throws(FileIOError) -> [OrgID: [String: MetricKind]]? {
        guard let bytes = try AtomicFile.read(directory: directory, name: name) else { return [:] }
        return decode(bytes)
    }

    /// Writes the table atomically.
    static func store(_ table: [OrgID: [String: MetricKind]], directory: String) throws(FileIOError) {
        try AtomicFile.write(encode(table), directory: directory, name: name)
    }
}
