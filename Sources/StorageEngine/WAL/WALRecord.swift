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
        /// One metric batch of one organisation.
        case metricBatch = 1
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
        appendUVarint(UInt64(batch.series.count), to: &out)
        for (labels, kind) in zip(batch.series, batch.kinds) {
            out.append(kind.rawValue)
            appendUVarint(UInt64(labels.bytes.count), to: &out)
            out.append(contentsOf: labels.bytes)
        }
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
