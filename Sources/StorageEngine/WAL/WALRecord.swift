import BasinModel
import StorageAPI

/// Encoding and decoding of write-ahead log records (layout in `Docs/wal.md`).
///
/// A record is self-contained: one ``MetricBatch`` of one organisation with its label sets
/// inline. Replaying a record needs no earlier record, so segments whose samples have been cut
/// into blocks can later be deleted without rewriting series records into a checkpoint.
enum WALRecord {
    /// Bytes before the payload: `u32 length`, `u32 crc32c`.
    static let headerSize = 8
    /// The largest payload accepted, in bytes (the length field could say more; a longer
    /// length is treated as corruption).
    static let maxPayloadBytes = 1 << 30

    /// Record types (first payload byte).
    enum RecordType: UInt8 {
        /// One metric batch of one organisation, every label set inline (format version 1).
        case metricBatch = 1
        /// One metric batch of one organisation whose series are defined once per segment and
        /// referenced by number afterwards (format version 2).
        case metricBatchWithReferences = 2
        /// Records of one dataset of one organisation (the records log; layout in `Docs/records.md`).
        case recordBatch = 3
    }

    /// The writer's per-segment table of defined series (reset when a segment starts): ids in
    /// definition order, found by organisation and label bytes without building a ``Labels``.
    struct SeriesTable: Sendable {
        private var index = HashSlots()
        /// Each id's organisation.
        private var orgs: [OrgID] = []
        /// Each id's label bytes, back to back; `ends[id]` is where they end.
        private var arena: [UInt8] = []
        private var ends: [Int] = []

        /// The number of defined series.
        var count: Int { ends.count }

        /// The id of a defined series, or nil.
        func id(org: OrgID, encoded: UnsafeRawBufferPointer, hash: Int) -> UInt32? {
            index.find(hash) { id in
                let start = id == 0 ? 0 : ends[id - 1]
                guard ends[id] - start == encoded.count, orgs[id] == org else { return false }
                return arena.withUnsafeBytes { stored in
                    HashSlots.bytesEqual(UnsafeRawBufferPointer(rebasing: stored[start..<ends[id]]), encoded)
                }
            }.map { UInt32(truncatingIfNeeded: $0) }
        }

        /// Defines a series not yet in the table; returns its id (the old ``count``).
        mutating func define(org: OrgID, encoded: UnsafeRawBufferPointer, hash: Int) -> UInt32 {
            let id = index.insert(hash)
            orgs.append(org)
            if !encoded.isEmpty { arena.append(contentsOf: encoded) }
            ends.append(arena.count)
            return UInt32(truncatingIfNeeded: id)
        }

        /// Forgets the definitions from id `count` on: those made by a record that never
        /// reached the log (they are the most recent ones, so the next definitions reuse their
        /// numbers, as a replay would).
        mutating func removeLast(from count: Int) {
            guard count < ends.count else { return }
            index.removeLast(from: count)
            orgs.removeLast(orgs.count - count)
            ends.removeLast(ends.count - count)
            arena.removeLast(arena.count - (count == 0 ? 0 : ends[count - 1]))
        }
    }

    /// Appends a framed type-2 record for `batch`: each series is a reference to a definition
    /// earlier in the segment, or a definition (kind and labels) recorded in `table`. When the
    /// record is not written, the caller takes the new definitions back with
    /// `table.removeLast(from:)` and the table's count from before.
    ///
    /// - Throws: ``StorageError`` of kind `limitExceeded` when the payload is over ``maxPayloadBytes``.
    static func encodeBatch(
        _ batch: MetricBatch, org: OrgID, table: inout SeriesTable, into out: inout [UInt8]
    ) throws(StorageError) {
        let start = out.count
        out.append(contentsOf: repeatElement(0, count: headerSize))
        out.append(RecordType.metricBatchWithReferences.rawValue)
        let orgBytes = Array(org.name.utf8)
        appendUVarint(UInt64(orgBytes.count), to: &out)
        out.append(contentsOf: orgBytes)
        appendUVarint(UInt64(batch.seriesCount), to: &out)
        let seed = org.seriesSeed
        batch.labelBytes.withUnsafeBytes { all in
            for slot in 0..<batch.seriesCount {
                let kind = batch.kinds[slot]
                let encoded = UnsafeRawBufferPointer(rebasing: all[batch.labelRange(at: slot)])
                let hash = ByteHash.hash(encoded, seed: seed)
                if let id = table.id(org: org, encoded: encoded, hash: hash) {
                    appendUVarint(UInt64(id) + 1, to: &out)
                    out.append(kind.rawValue)
                } else {
                    _ = table.define(org: org, encoded: encoded, hash: hash)
                    out.append(0)
                    out.append(kind.rawValue)
                    appendUVarint(UInt64(encoded.count), to: &out)
                    out.append(contentsOf: encoded)
                }
            }
        }
        try appendColumnsAndFrame(batch, start: start, into: &out)
    }

    /// Appends a framed record for `batch` to `out`.
    ///
    /// - Throws: ``StorageError`` of kind `limitExceeded` when the payload is over ``maxPayloadBytes``.
    static func encodeBatch(_ batch: MetricBatch, org: OrgID, into out: inout [UInt8]) throws(StorageError) {
        let start = out.count
        out.append(contentsOf: repeatElement(0, count: headerSize))
        out.append(RecordType.metricBatch.rawValue)
        let orgBytes = Array(org.name.utf8)
        appendUVarint(UInt64(orgBytes.count), to: &out)
        out.append(contentsOf: orgBytes)
        appendUVarint(UInt64(batch.seriesCount), to: &out)
        batch.labelBytes.withUnsafeBytes { labelBytes in
            for slot in 0..<batch.seriesCount {
                let range = batch.labelRange(at: slot)
                out.append(batch.kinds[slot].rawValue)
                appendUVarint(UInt64(range.count), to: &out)
                out.append(contentsOf: UnsafeRawBufferPointer(rebasing: labelBytes[range]))
            }
        }
        try appendColumnsAndFrame(batch, start: start, into: &out)
    }

    /// Appends a framed type-3 record holding `entry`.
    ///
    /// - Throws: ``StorageError`` of kind `limitExceeded` when the payload is over ``maxPayloadBytes``.
    static func encodeRecords(_ entry: RecordLogEntry, org: OrgID, into out: inout [UInt8]) throws(StorageError) {
        let start = out.count
        out.append(contentsOf: repeatElement(0, count: headerSize))
        out.append(RecordType.recordBatch.rawValue)
        RecordEncoding.appendString(org.name, to: &out)
        RecordEncoding.appendString(entry.dataset, to: &out)
        appendUVarint(entry.incarnation, to: &out)
        appendUVarint(UInt64(entry.records.count), to: &out)
        out.append(contentsOf: entry.records.bytes)
        try frame(start: start, into: &out)
    }

    /// The sample columns, then the length and CRC in the frame at `start`.
    private static func appendColumnsAndFrame(_ batch: MetricBatch, start: Int, into out: inout [UInt8]) throws(StorageError) {
        let count = batch.sampleCount
        appendUVarint(UInt64(count), to: &out)
        out.reserveCapacity(out.count + count * 12)
        for slot in batch.seriesSlots {
            appendUVarint(UInt64(slot), to: &out)
        }
        var previous: Int64 = 0
        for t in batch.timestampsMillis {
            let delta = t &- previous
            appendUVarint(UInt64(bitPattern: (delta << 1) ^ (delta >> 63)), to: &out)
            previous = t
        }
        for v in batch.values {
            withUnsafeBytes(of: v.bitPattern.littleEndian) { out.append(contentsOf: $0) }
        }
        try frame(start: start, into: &out)
    }

    /// Fills in the length and CRC of the frame that starts at `start` and runs to the end of `out`.
    private static func frame(start: Int, into out: inout [UInt8]) throws(StorageError) {
        let payloadLength = out.count - start - headerSize
        guard payloadLength <= maxPayloadBytes else {
            out.removeLast(out.count - start)
            throw StorageError(kind: .limitExceeded, message: "batch encodes to \(payloadLength) bytes, over the write-ahead log record limit of \(maxPayloadBytes) bytes")
        }
        let crc = out.withUnsafeBytes { CRC32C.checksum(UnsafeRawBufferPointer(rebasing: $0[(start + headerSize)...])) }
        out.withUnsafeMutableBytes { buf in
            buf.storeBytes(of: UInt32(payloadLength).littleEndian, toByteOffset: start, as: UInt32.self)
            buf.storeBytes(of: crc.littleEndian, toByteOffset: start + 4, as: UInt32.self)
        }
    }

    @inline(__always)
    static func appendUVarint(_ value: UInt64, to out: inout [UInt8]) {
        var v = value
        while v >= 0x80 {
            out.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        out.append(UInt8(v))
    }
}
