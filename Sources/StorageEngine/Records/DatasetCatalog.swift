import BasinModel
import StorageAPI

/// One dataset's entry in the catalog.
struct DatasetEntry: Sendable, Hashable {
    var name: String
    var description: String
    var createdNanos: Int64
    var retentionDays: Int
    /// Distinguishes a dataset from an earlier one of the same name that was deleted: records
    /// (in the log and in partitions) carry it, and only the current incarnation's are read.
    var incarnation: UInt64
    /// Records older than this (exclusive) were trimmed away.
    var trimmedBeforeNanos: Int64

    var reserved: Bool { ReservedDataset(rawValue: name) != nil }

    var info: DatasetInfo {
        DatasetInfo(name: name, description: description, createdNanos: createdNanos, retentionDays: retentionDays, reserved: reserved)
    }

    /// The entry a reserved dataset has before anything changed it (incarnation 0).
    static func reservedDefault(_ dataset: ReservedDataset) -> DatasetEntry {
        DatasetEntry(name: dataset.rawValue, description: "", createdNanos: 0, retentionDays: 0, incarnation: 0, trimmedBeforeNanos: .min)
    }
}

/// The datasets of every organisation (`records/datasets`), rewritten whole and atomically on
/// every change; the source of truth for which records are visible.
///
/// ```
/// "BDSC" │ version <1 byte> = 1 │ next incarnation <uvarint> │ entry count <uvarint>
/// entries: org, name, description <uvarint length + UTF-8 each> │ created ns <zigzag varint>
///          retention days <uvarint> │ incarnation <uvarint> │ trimmed before ns <zigzag varint>
/// CRC32C of everything before it <u32>
/// ```
struct DatasetCatalog: Sendable {
    static let fileName = "datasets"
    static let magic: [UInt8] = [0x42, 0x44, 0x53, 0x43]

    private(set) var entries: [OrgID: [String: DatasetEntry]] = [:]
    /// Incarnations start at 1 (0 is a reserved dataset never changed).
    private(set) var nextIncarnation: UInt64 = 1

    /// The entry of `name`, the default one for a reserved dataset, or nil.
    func entry(org: OrgID, name: String) -> DatasetEntry? {
        if let e = entries[org]?[name] { return e }
        return ReservedDataset(rawValue: name).map(DatasetEntry.reservedDefault)
    }

    /// Every entry of an organisation (reserved ones included), sorted by name.
    func all(org: OrgID) -> [DatasetEntry] {
        var byName = entries[org] ?? [:]
        for r in ReservedDataset.allCases where byName[r.rawValue] == nil {
            byName[r.rawValue] = .reservedDefault(r)
        }
        return byName.values.sorted { $0.name < $1.name }
    }

    /// Every (org, entry) pair stored (reserved defaults not included).
    var stored: [(OrgID, DatasetEntry)] {
        entries.flatMap { org, byName in byName.values.map { (org, $0) } }
    }

    mutating func create(org: OrgID, _ spec: DatasetSpec, nowNanos: Int64) -> DatasetEntry {
        let e = DatasetEntry(
            name: spec.name, description: spec.description, createdNanos: nowNanos, retentionDays: spec.retentionDays,
            incarnation: nextIncarnation, trimmedBeforeNanos: .min)
        nextIncarnation += 1
        entries[org, default: [:]][spec.name] = e
        return e
    }

    mutating func set(org: OrgID, _ entry: DatasetEntry) {
        entries[org, default: [:]][entry.name] = entry
    }

    mutating func remove(org: OrgID, name: String) {
        entries[org]?[name] = nil
        // The counter keeps moving, so a dataset created again never reuses an incarnation.
    }

    func encode() -> [UInt8] {
        var out = Self.magic + [1]
        WALRecord.appendUVarint(nextIncarnation, to: &out)
        let all = stored.sorted { ($0.0.name, $0.1.name) < ($1.0.name, $1.1.name) }
        WALRecord.appendUVarint(UInt64(all.count), to: &out)
        for (org, e) in all {
            RecordEncoding.appendString(org.name, to: &out)
            RecordEncoding.appendString(e.name, to: &out)
            RecordEncoding.appendString(e.description, to: &out)
            RecordEncoding.appendVarint(e.createdNanos, to: &out)
            WALRecord.appendUVarint(UInt64(max(0, e.retentionDays)), to: &out)
            WALRecord.appendUVarint(e.incarnation, to: &out)
            RecordEncoding.appendVarint(e.trimmedBeforeNanos, to: &out)
        }
        BlockBytes.appendU32(out.withUnsafeBytes { CRC32C.checksum($0) }, to: &out)
        return out
    }

    static func decode(_ bytes: [UInt8]) -> DatasetCatalog? {
        bytes.withUnsafeBytes { raw -> DatasetCatalog? in
            guard raw.count >= 9, raw.prefix(4).elementsEqual(magic), raw[4] == 1 else { return nil }
            let body = UnsafeRawBufferPointer(rebasing: raw[..<(raw.count - 4)])
            guard CRC32C.checksum(body) == BlockBytes.u32(raw, at: raw.count - 4) else { return nil }
            var c = PayloadCursor(bytes: body, position: 5)
            var catalog = DatasetCatalog()
            guard let next = c.readUVarint(), let count = c.readUVarint(), count <= UInt64(body.count) else { return nil }
            catalog.nextIncarnation = next
            for _ in 0..<count {
                guard let org = RecordEncoding.readString(&c), let name = RecordEncoding.readString(&c),
                      let description = RecordEncoding.readString(&c), let created = RecordEncoding.readVarint(&c),
                      let retention = c.readUVarint(), retention < 1 << 31, let incarnation = c.readUVarint(),
                      let trimmed = RecordEncoding.readVarint(&c) else { return nil }
                catalog.entries[OrgID(org), default: [:]][name] = DatasetEntry(
                    name: name, description: description, createdNanos: created, retentionDays: Int(retention),
                    incarnation: incarnation, trimmedBeforeNanos: trimmed)
            }
            return c.remaining == 0 ? catalog : nil
        }
    }

    /// Reads the catalog; a missing file is an empty catalog.
    /// - Throws: ``StorageError`` `internalError` when the file is damaged (an operator must look).
    static func load(directory: String) throws -> DatasetCatalog {
        guard let bytes = try AtomicFile.read(directory: directory, name: fileName) else { return DatasetCatalog() }
        guard let catalog = decode(bytes) else {
            throw StorageError(kind: .internalError, message: "dataset catalog \(directory)/\(fileName) is damaged (bad magic, version or checksum)")
        }
        return catalog
    }

    func save(directory: String) throws(FileIOError) {
        try AtomicFile.write(encode(), directory: directory, name: Self.fileName)
    }
}
