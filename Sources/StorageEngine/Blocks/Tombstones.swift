import BasinModel
import StorageAPI

/// One deletion: the samples in `[startMillis, endMillis]` of the organisation's series that
/// match all `matchers`, in blocks up to sequence number `maxSeq`.
///
/// A deletion first cuts the head into blocks, so everything written before it is in a block
/// numbered at most `maxSeq`; anything written later lands in the head or in blocks numbered
/// higher, which the tombstone does not touch. Compaction drops the deleted samples from what
/// it rewrites (its output is numbered higher), and a tombstone is forgotten once no block it
/// applies to remains.
struct Tombstone: Sendable, Equatable {
    var org: OrgID
    var matchers: [LabelMatcher]
    var startMillis: Int64
    var endMillis: Int64
    var maxSeq: UInt64

    /// Whether the tombstone deletes anything of this series of this block.
    func applies(to block: BlockMeta, org: OrgID, labels: Labels, minMillis: Int64, maxMillis: Int64) -> Bool {
        block.seq <= maxSeq && org == self.org && minMillis <= endMillis && maxMillis >= startMillis
            && matchers.allSatisfy { $0.matches(labels[$0.name] ?? "") }
    }
}

extension [Tombstone] {
    /// Those that apply to a series of a block (usually none: the common path costs one loop).
    func applying(to block: BlockMeta, _ entry: Block.SeriesEntry) -> [Tombstone] {
        guard !isEmpty else { return [] }
        return filter { $0.applies(to: block, org: entry.org, labels: entry.labels, minMillis: entry.minTimeMillis, maxMillis: entry.maxTimeMillis) }
    }

    /// Removes the samples the tombstones delete from sorted columns (in place).
    static func remove(_ tombstones: [Tombstone], timestamps: inout [Int64], values: inout [Double], from start: Int = 0) {
        guard !tombstones.isEmpty, start < timestamps.count else { return }
        var w = start
        for r in start..<timestamps.count {
            let t = timestamps[r]
            if tombstones.contains(where: { t >= $0.startMillis && t <= $0.endMillis }) { continue }
            timestamps[w] = t
            values[w] = values[r]
            w += 1
        }
        timestamps.removeSubrange(w...)
        values.removeSubrange(w...)
    }
}

/// `blocks/tombstones`: every pending deletion, rewritten whole and atomically when it changes.
///
/// ```
/// "BTMB" │ version <1 byte> = 1 │ count <uvarint>
/// tombstone: org <uvarint length + bytes> │ start <zvarint ms> │ end <zvarint ms> │ max seq <uvarint>
///            │ matcher count <uvarint> │ matchers: op <1 byte: 0 =, 1 !=, 2 =~, 3 !~>
///              │ name <uvarint length + bytes> │ value <uvarint length + bytes>
/// CRC32C of everything before it <u32>
/// ```
enum TombstonesFile {
    static let name = "tombstones"
    static let magic: [UInt8] = [0x42, 0x54, 0x4D, 0x42]
    private static let ops: [LabelMatcher.Operator] = [.equal, .notEqual, .regexMatch, .regexNoMatch]

    static func encode(_ tombstones: [Tombstone]) -> [UInt8] {
        var out = magic + [1]
        WALRecord.appendUVarint(UInt64(tombstones.count), to: &out)
        for t in tombstones {
            BlockBytes.appendBytes(Array(t.org.name.utf8), to: &out)
            BlockBytes.appendZVarint(t.startMillis, to: &out)
            BlockBytes.appendZVarint(t.endMillis, to: &out)
            WALRecord.appendUVarint(t.maxSeq, to: &out)
            WALRecord.appendUVarint(UInt64(t.matchers.count), to: &out)
            for m in t.matchers {
                out.append(UInt8(ops.firstIndex(of: m.op) ?? 0))
                BlockBytes.appendBytes(Array(m.name.utf8), to: &out)
                BlockBytes.appendBytes(Array(m.value.utf8), to: &out)
            }
        }
        BlockBytes.appendU32(out.withUnsafeBytes { CRC32C.checksum($0) }, to: &out)
        return out
    }

    static func decode(_ bytes: [UInt8]) -> [Tombstone]? {
        bytes.withUnsafeBytes { raw -> [Tombstone]? in
            guard raw.count >= 9, raw.prefix(4).elementsEqual(magic), raw[4] == 1 else { return nil }
            let body = UnsafeRawBufferPointer(rebasing: raw[..<(raw.count - 4)])
            guard CRC32C.checksum(body) == BlockBytes.u32(raw, at: raw.count - 4) else { return nil }
            var c = PayloadCursor(bytes: body, position: 5)
            guard let count = c.readUVarint(), count <= UInt64(body.count) else { return nil }
            var out: [Tombstone] = []
            for _ in 0..<count {
                guard let org = c.readLengthPrefixed(), let start = c.readZVarint(), let end = c.readZVarint(),
                      let maxSeq = c.readUVarint(), let n = c.readUVarint(), n <= UInt64(c.remaining) else { return nil }
                var matchers: [LabelMatcher] = []
                for _ in 0..<n {
                    guard let op = c.readByte(), Int(op) < ops.count, let name = c.readLengthPrefixed(), let value = c.readLengthPrefixed(),
                          let m = try? LabelMatcher(name: String(decoding: name, as: UTF8.self), op: ops[Int(op)], value: String(decoding: value, as: UTF8.self))
                    else { return nil }
                    matchers.append(m)
                }
                out.append(Tombstone(org: OrgID(String(decoding: org, as: UTF8.self)), matchers: matchers, startMillis: start, endMillis: end, maxSeq: maxSeq))
            }
            return c.remaining == 0 ? out : nil
        }
    }

    /// Reads the file; missing is empty, damaged is nil.
    static func load(directory: String) throws(FileIOError) -> [Tombstone]? {
        guard let bytes = try AtomicFile.read(directory: directory, name: name) else { return [] }
        return decode(bytes)
    }

    /// Writes the file atomically (removes it when there is nothing to keep).
    static func store(_ tombstones: [Tombstone], directory: String) throws(FileIOError) {
        if tombstones.isEmpty {
            try AtomicFile.remove(directory: directory, name: name)
        } else {
            try AtomicFile.write(encode(tombstones), directory: directory, name: name)
        }
    }
}
