import BasinModel
import StorageAPI

/// `blocks/metric-metadata`: unit, description, display name and dialect per metric name (the
/// snapshot), and `blocks/metric-metadata.journal`: the changes since the snapshot, appended and
/// synced one frame per update, so a new metric name costs one small append, not a rewrite of
/// every name. When the journal outgrows the snapshot (and 64 KiB) the table is written as a new
/// snapshot, atomically, and the journal removed. Loading applies the journal's frames in order
/// over the snapshot; a torn or damaged frame ends the journal (what follows it is cut off).
///
/// Snapshot:
///
/// ```
/// "BMMD" │ version <1 byte> = 2 │ entry count <uvarint>
/// entry: org <uvarint length + bytes> │ name <uvarint length + bytes> │ present fields <1 byte: bit 0 unit,
///        1 description, 2 display name, 3 dialect, 4 interval, 5 vendor type, 6 TTL> │ each present
///        text field of bits 0-3 <uvarint length + UTF-8 bytes> │ interval seconds <uvarint> when
///        bit 4 is set │ vendor type <uvarint length + UTF-8 bytes> when bit 5 is set │ TTL seconds
///        <uvarint> when bit 6 is set
/// CRC32C of everything before it <u32>
/// ```
///
/// Version 1 (still read) is the same without bits 5 and 6.
///
/// Journal frame (each holds the whole metadata of the names it lists, after the update):
///
/// ```
/// payload length <u32> │ CRC32C of the payload <u32> │ payload: entry count <uvarint> │ entries as above
/// ```
enum MetricMetadataFile {
    static let name = "metric-metadata"
    static let journalName = "metric-metadata.journal"
    static let magic: [UInt8] = [0x42, 0x4D, 0x4D, 0x44]
    /// The journal is folded into a new snapshot once it is larger than the snapshot and this.
    static let journalCompactionBytes = 64 * 1024

    static func encode(_ table: [OrgID: [String: MetricMetadata]]) -> [UInt8] {
        var out = magic + [2]
        appendEntries(table, to: &out)
        BlockBytes.appendU32(out.withUnsafeBytes { CRC32C.checksum($0) }, to: &out)
        return out
    }

    /// Appends `count <uvarint>` and the entries of `table`, sorted by organisation and name.
    static func appendEntries(_ table: [OrgID: [String: MetricMetadata]], to out: inout [UInt8]) {
        let entries = table.flatMap { org, names in names.map { (org.name, $0.key, $0.value) } }.sorted { ($0.0, $0.1) < ($1.0, $1.1) }
        WALRecord.appendUVarint(UInt64(entries.count), to: &out)
        for (org, metric, m) in entries {
            BlockBytes.appendBytes(Array(org.utf8), to: &out)
            BlockBytes.appendBytes(Array(metric.utf8), to: &out)
            let fields = [m.unit, m.description, m.displayName, m.dialect]
            var present: UInt8 = 0
            for (i, f) in fields.enumerated() where f != nil { present |= 1 << i }
            if m.intervalSeconds != nil { present |= 1 << 4 }
            if m.vendorType != nil { present |= 1 << 5 }
            if m.ttlSeconds != nil { present |= 1 << 6 }
            out.append(present)
            for f in fields { if let f { BlockBytes.appendBytes(Array(f.utf8), to: &out) } }
            if let interval = m.intervalSeconds { WALRecord.appendUVarint(UInt64(max(0, interval)), to: &out) }
            if let vendorType = m.vendorType { BlockBytes.appendBytes(Array(vendorType.utf8), to: &out) }
            if let ttl = m.ttlSeconds { WALRecord.appendUVarint(UInt64(max(0, ttl)), to: &out) }
        }
    }

    static func decode(_ bytes: [UInt8]) -> [OrgID: [String: MetricMetadata]]? {
        bytes.withUnsafeBytes { raw -> [OrgID: [String: MetricMetadata]]? in
            guard raw.count >= 9, raw.prefix(4).elementsEqual(magic), raw[4] == 1 || raw[4] == 2 else { return nil }
            let body = UnsafeRawBufferPointer(rebasing: raw[..<(raw.count - 4)])
            guard CRC32C.checksum(body) == BlockBytes.u32(raw, at: raw.count - 4) else { return nil }
            var c = PayloadCursor(bytes: body, position: 5)
            var table: [OrgID: [String: MetricMetadata]] = [:]
            guard readEntries(&c, version: raw[4], into: &table) else { return nil }
            return c.remaining == 0 ? table : nil
        }
    }

    /// Reads `count <uvarint>` entries into `table` (later entries replace earlier ones);
    /// false when they are malformed.
    static func readEntries(_ c: inout PayloadCursor, version: UInt8, into table: inout [OrgID: [String: MetricMetadata]]) -> Bool {
        guard let count = c.readUVarint(), count <= UInt64(c.remaining) else { return false }
        for _ in 0..<count {
            guard let org = c.readLengthPrefixed(), let metric = c.readLengthPrefixed(), let present = c.readByte() else { return false }
            var fields: [String?] = []
            for i in 0..<4 {
                if present & (1 << i) == 0 { fields.append(nil); continue }
                guard let f = c.readLengthPrefixed() else { return false }
                fields.append(String(decoding: f, as: UTF8.self))
            }
            var interval: Int64?
            if present & (1 << 4) != 0 {
                guard let v = c.readUVarint(), v <= UInt64(Int64.max) else { return false }
                interval = Int64(v)
            }
            guard version >= 2 || present & 0b0110_0000 == 0 else { return false }
            var vendorType: String?
            if present & (1 << 5) != 0 {
                guard let f = c.readLengthPrefixed() else { return false }
                vendorType = String(decoding: f, as: UTF8.self)
            }
            var ttl: Int64?
            if present & (1 << 6) != 0 {
                guard let v = c.readUVarint(), v <= UInt64(Int64.max) else { return false }
                ttl = Int64(v)
            }
            table[OrgID(String(decoding: org, as: UTF8.self)), default: [:]][String(decoding: metric, as: UTF8.self)] =
                MetricMetadata(
                    unit: fields[0], description: fields[1], displayName: fields[2], dialect: fields[3],
                    intervalSeconds: interval, vendorType: vendorType, ttlSeconds: ttl)
        }
        return true
    }

    /// Reads the snapshot; a missing file is empty, a damaged one nil.
    static func load(directory: String) throws(FileIOError) -> [OrgID: [String: MetricMetadata]]? {
        guard let bytes = try AtomicFile.read(directory: directory, name: name) else { return [:] }
        return decode(bytes)
    }

    /// What ``open(directory:)`` found.
    struct Opened {
        /// The snapshot with the journal applied; nil when the snapshot is damaged (the journal
        /// is then applied over an empty table).
        var table: [OrgID: [String: MetricMetadata]]?
        /// The snapshot's size in bytes (0 when missing).
        var snapshotBytes: Int
        /// The journal's size after any torn or damaged tail was cut off.
        var journalBytes: Int
        /// Bytes cut off the journal's tail (a torn last append, or damage).
        var discardedJournalBytes: Int
    }

    /// Loads the snapshot, applies the journal's whole frames, and cuts a torn tail off the
    /// journal so the next append follows the last good frame.
    static func open(directory: String) throws(FileIOError) -> Opened {
        let snapshot = try AtomicFile.read(directory: directory, name: name)
        var table = snapshot.map(decode) ?? [:]
        let journal = try AtomicFile.read(directory: directory, name: journalName) ?? []
        var applied = table ?? [:]
        let good = applyJournal(journal, to: &applied)
        if good < journal.count {
            let file = try PosixFile.openReadWrite(directory + "/" + journalName, create: false)
            defer { file.close() }
            try file.truncate(to: good)
            try file.sync()
        }
        if table != nil || !journal.isEmpty { table = applied }
        return Opened(table: table, snapshotBytes: snapshot?.count ?? 0, journalBytes: good, discardedJournalBytes: journal.count - good)
    }

    /// Applies the journal's frames in order; returns the length of its good prefix.
    static func applyJournal(_ journal: [UInt8], to table: inout [OrgID: [String: MetricMetadata]]) -> Int {
        journal.withUnsafeBytes { raw -> Int in
            var at = 0
            while raw.count - at >= 8 {
                let length = Int(BlockBytes.u32(raw, at: at))
                guard length <= raw.count - at - 8 else { break }
                let payload = UnsafeRawBufferPointer(rebasing: raw[(at + 8)..<(at + 8 + length)])
                guard CRC32C.checksum(payload) == BlockBytes.u32(raw, at: at + 4) else { break }
                var c = PayloadCursor(bytes: payload, position: 0)
                var frame: [OrgID: [String: MetricMetadata]] = [:]
                guard readEntries(&c, version: 2, into: &frame), c.remaining == 0 else { break }
                for (org, names) in frame {
                    for (metric, metadata) in names { table[org, default: [:]][metric] = metadata }
                }
                at += 8 + length
            }
            return at
        }
    }

    /// One journal frame holding `changes` (each name's whole metadata after the update).
    static func journalFrame(_ changes: [OrgID: [String: MetricMetadata]]) -> [UInt8] {
        var payload: [UInt8] = []
        appendEntries(changes, to: &payload)
        var frame: [UInt8] = []
        frame.reserveCapacity(payload.count + 8)
        BlockBytes.appendU32(UInt32(payload.count), to: &frame)
        BlockBytes.appendU32(CRC32C.checksum(payload), to: &frame)
        frame.append(contentsOf: payload)
        return frame
    }

    /// Appends `frame` to the journal at `offset` (its current length) and syncs it; a new
    /// journal's directory entry is synced too. Returns the journal's new length.
    static func appendToJournal(_ frame: [UInt8], at offset: Int, directory: String) throws(FileIOError) -> Int {
        let file = try PosixFile.openReadWrite(directory + "/" + journalName, create: true)
        defer { file.close() }
        try file.write(frame, at: offset)
        try file.sync()
        if offset == 0 { try Directory.sync(directory) }
        return offset + frame.count
    }

    /// Writes the table as the new snapshot, atomically, then removes the journal it contains.
    /// Returns the snapshot's size.
    static func store(_ table: [OrgID: [String: MetricMetadata]], directory: String) throws(FileIOError) -> Int {
        let bytes = encode(table)
        try AtomicFile.write(bytes, directory: directory, name: name)
        try AtomicFile.remove(directory: directory, name: journalName)
        return bytes.count
    }
}
