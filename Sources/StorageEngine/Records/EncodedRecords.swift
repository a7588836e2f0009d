import BasinModel

/// Records in their binary form (``RecordEncoding``), back to back, with where each starts
/// and its time: what the records log writes and the head keeps, so a batch is encoded once
/// on its way in and a replay copies bytes instead of decoding and encoding again.
struct EncodedRecords: Sendable {
    private(set) var bytes: [UInt8] = []
    private(set) var starts: [Int] = []
    private(set) var times: [Int64] = []

    var count: Int { times.count }

    init(_ records: [Record]) {
        starts.reserveCapacity(records.count)
        times.reserveCapacity(records.count)
        for r in records {
            starts.append(bytes.count)
            times.append(r.timeNanos)
            RecordEncoding.encode(r, into: &bytes)
        }
    }

    /// `count` encoded records filling `raw` exactly; nil when they are not well-formed.
    init?(validating raw: UnsafeRawBufferPointer, count: Int) {
        var c = PayloadCursor(bytes: raw)
        starts.reserveCapacity(count)
        times.reserveCapacity(count)
        for _ in 0..<count {
            let start = c.position
            guard let time = RecordEncoding.skipRecord(&c) else { return nil }
            starts.append(start)
            times.append(time)
        }
        guard c.remaining == 0 else { return nil }
        bytes = Array(raw)
    }

    /// The bytes of record `i`.
    func withRecordBytes<R>(_ i: Int, _ body: (UnsafeRawBufferPointer) -> R) -> R {
        let end = i + 1 < starts.count ? starts[i + 1] : bytes.count
        return bytes.withUnsafeBytes { body(UnsafeRawBufferPointer(rebasing: $0[starts[i]..<end])) }
    }
}
