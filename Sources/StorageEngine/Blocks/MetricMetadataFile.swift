import BasinModel
import StorageAPI

/// `blocks/metric-metadata`: unit, description, display name and dialect per metric name,
/// rewritten whole and atomically when an update changes it (updates are rare and small).
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
enum MetricMetadataFile {
    static let name = "metric-metadata"
    static let magic: [UInt8] = [0x42, 0x4D, 0x4D, 0x44]

    static func encode(_ table: [OrgID: [String: MetricMetadata]]) -> [UInt8] {
        var out = magic + [2]
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
        BlockBytes.appendU32(out.withUnsafeBytes { CRC32C.checksum($0) }, to: &out)
        return out
    }

    static func decode(_ bytes: [UInt8]) -> [OrgID: [String: MetricMetadata]]? {
        bytes.withUnsafeBytes { raw -> [OrgID: [String: MetricMetadata]]? in
            guard raw.count >= 9, raw.prefix(4).elementsEqual(magic), raw[4] == 1 || raw[4] == 2 else { return nil }
            let body = UnsafeRawBufferPointer(rebasing: raw[..<(raw.count - 4)])
            guard CRC32C.checksum(body) == BlockBytes.u32(raw, at: raw.count - 4) else { return nil }
            let version = raw[4]
            var c = PayloadCursor(bytes: body, position: 5)
            guard let count = c.readUVarint(), count <= UInt64(body.count) else { return nil }
            var table: [OrgID: [String: MetricMetadata]] = [:]
            for _ in 0..<count {
                guard let org = c.readLengthPrefixed(), let metric = c.readLengthPrefixed(), let present = c.readByte() else { return nil }
                var fields: [String?] = []
                for i in 0..<4 {
                    if present & (1 << i) == 0 { fields.append(nil); continue }
                    guard let f = c.readLengthPrefixed() else { return nil }
                    fields.append(String(decoding: f, as: UTF8.self))
                }
                var interval: Int64?
                if present & (1 << 4) != 0 {
                    guard let v = c.readUVarint(), v <= UInt64(Int64.max) else { return nil }
                    interval = Int64(v)
                }
                guard version >= 2 || present & 0b0110_0000 == 0 else { return nil }
                var vendorType: String?
                if present & (1 << 5) != 0 {
                    guard let f = c.readLengthPrefixed() else { return nil }
                    vendorType = String(decoding: f, as: UTF8.self)
                }
                var ttl: Int64?
                if present & (1 << 6) != 0 {
                    guard let v = c.readUVarint(), v <= UInt64(Int64.max) else { return nil }
                    ttl = Int64(v)
                }
                table[OrgID(String(decoding: org, as: UTF8.self)), default: [:]][String(decoding: metric, as: UTF8.self)] =
                    MetricMetadata(
                        unit: fields[0], description: fields[1], displayName: fields[2], dialect: fields[3],
                        intervalSeconds: interval, vendorType: vendorType, ttlSeconds: ttl)
            }
            return c.remaining == 0 ? table : nil
        }
    }

    /// Reads the table; a missing file is empty, a damaged one nil.
    static func load(directory: String) throws(FileIOError) -> [OrgID: [String: MetricMetadata]]? {
        guard let bytes = try AtomicFile.read(directory: directory, name: name) else { return [:] }
        return decode(bytes)
    }

    /// Writes the table atomically.
    static func store(_ table: [OrgID: [String: MetricMetadata]], directory: String) throws(FileIOError) {
        try AtomicFile.write(encode(table), directory: directory, name: name)
    }
}
