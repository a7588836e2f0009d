import BasinModel

/// Which dataset incarnation records belong to.
struct DatasetKey: Hashable, Sendable {
    var org: OrgID
    var dataset: String
    var incarnation: UInt64
}

/// Encoded records held in memory, immutable once full (``RecordHead`` seals one every
/// ``capacity`` records), so a reader's snapshot shares them with later appends.
final class RecordHeadChunk: Sendable {
    static let capacity = 4096

    let times: [Int64]
    /// Where each record starts in `bytes`; the record ends where the next starts.
    let offsets: [Int]
    let bytes: [UInt8]

    init(times: [Int64], offsets: [Int], bytes: [UInt8]) {
        self.times = times
        self.offsets = offsets
        self.bytes = bytes
    }

    var count: Int { times.count }

    /// The encoded bytes of record `i`.
    func withRecordBytes<R>(_ i: Int, _ body: (UnsafeRawBufferPointer) -> R) -> R {
        let end = i + 1 < offsets.count ? offsets[i + 1] : bytes.count
        return bytes.withUnsafeBytes { body(UnsafeRawBufferPointer(rebasing: $0[offsets[i]..<end])) }
    }

    func record(_ i: Int) -> Record {
        withRecordBytes(i) { raw in
            var c = PayloadCursor(bytes: raw)
            return RecordEncoding.decodeRecord(&c) ?? Record(timeNanos: times[i], fields: [])
        }
    }

    /// The first top-level field `name` of record `i`, decoding only that value.
    func field(_ name: [UInt8], _ i: Int) -> FieldValue? {
        withRecordBytes(i) { raw in
            var c = PayloadCursor(bytes: raw)
            return RecordEncoding.field(name, inRecord: &c)
        }
    }
}

/// One dataset's records in the head: full chunks and the one being filled.
struct HeadDatasetRecords: Sendable {
    var chunks: [RecordHeadChunk] = []
    var openTimes: [Int64] = []
    var openOffsets: [Int] = []
    var openBytes: [UInt8] = []
    var count = 0
    var bytes = 0
    var minTime = Int64.max
    var maxTime = Int64.min

    mutating func append(_ records: EncodedRecords) {
        for i in 0..<records.count {
            let t = records.times[i]
            openOffsets.append(openBytes.count)
            openTimes.append(t)
            let length = records.withRecordBytes(i) { raw in
                openBytes.append(contentsOf: raw)
                return raw.count
            }
            bytes += length
            count += 1
            minTime = min(minTime, t)
            maxTime = max(maxTime, t)
            if openTimes.count == RecordHeadChunk.capacity { sealOpenChunk() }
        }
    }

    private mutating func sealOpenChunk() {
        chunks.append(RecordHeadChunk(times: openTimes, offsets: openOffsets, bytes: openBytes))
        openTimes = []
        openOffsets = []
        openBytes = []
        openTimes.reserveCapacity(RecordHeadChunk.capacity)
        openOffsets.reserveCapacity(RecordHeadChunk.capacity)
    }

    /// Every chunk, the partial one copied into a chunk of its own (a reader's snapshot).
    var snapshot: [RecordHeadChunk] {
        openTimes.isEmpty ? chunks : chunks + [RecordHeadChunk(times: openTimes, offsets: openOffsets, bytes: openBytes)]
    }
}

/// Records not yet sealed into partitions, by dataset incarnation.
struct RecordHead: Sendable {
    var datasets: [DatasetKey: HeadDatasetRecords] = [:]
    private(set) var records = 0
    private(set) var bytes = 0

    mutating func append(_ records: EncodedRecords, to key: DatasetKey) {
        let before = datasets[key]?.bytes ?? 0
        datasets[key, default: HeadDatasetRecords()].append(records)
        self.records += records.count
        bytes += (datasets[key]?.bytes ?? 0) - before
    }

    mutating func remove(_ key: DatasetKey) {
        guard let d = datasets.removeValue(forKey: key) else { return }
        records -= d.count
        bytes -= d.bytes
    }

    var isEmpty: Bool { records == 0 }
}
