import BasinModel
import Logging

/// Replays the records log (type-3 records) at start-up, with the metrics log's torn-tail
/// repair and quarantine (``WALReplay/replaySegments(directory:logger:decode:)``).
enum RecordLogReplay {
    /// Applies the records of segments numbered `fromSegment` and up (earlier ones are in
    /// partitions of a committed seal).
    static func run(
        directory: String, fromSegment: Int = 0, logger: Logger, apply: (RecordLogEntry, OrgID) -> Void
    ) throws(FileIOError) -> WALReplay.Summary {
        try WALReplay.replaySegments(directory: directory, logger: logger) { summary, bytes, index in
            if index < fromSegment { return (bytes.count, nil) }
            guard bytes.count >= WALSegment.headerSize else { return (0, .truncated(offset: 0)) }
            guard WALSegment.isKnownHeader(bytes) else { return (0, .malformed(offset: 0, reason: "bad segment header")) }
            return bytes.withUnsafeBytes { raw in
                var offset = WALSegment.headerSize
                while true {
                    do throws(WALRecordDefect) {
                        guard let payload = try WALRecordDecoder.frame(raw, at: offset) else { return (offset, nil) }
                        guard let (org, entry) = decode(payload) else {
                            throw .malformed(offset: offset, reason: "not a records batch")
                        }
                        apply(entry, org)
                        summary.records += 1
                        summary.samples += entry.records.count
                        offset += WALRecord.headerSize + payload.count
                    } catch {
                        return (offset, error)
                    }
                }
            }
        }
    }

    /// Decodes a type-3 payload.
    static func decode(_ payload: UnsafeRawBufferPointer) -> (OrgID, RecordLogEntry)? {
        var c = PayloadCursor(bytes: payload)
        guard c.readByte() == WALRecord.RecordType.recordBatch.rawValue, let org = RecordEncoding.readString(&c),
              let dataset = RecordEncoding.readString(&c), let incarnation = c.readUVarint(),
              let count = c.readUVarint(), count <= UInt64(c.remaining),
              let records = EncodedRecords(validating: UnsafeRawBufferPointer(rebasing: payload[c.position...]), count: Int(count))
        else { return nil }
        return (OrgID(org), RecordLogEntry(dataset: dataset, incarnation: incarnation, records: records))
    }
}
