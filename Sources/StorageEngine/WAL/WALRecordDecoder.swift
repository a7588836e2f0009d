import BasinModel

/// Why a record could not be read.
enum WALRecordDefect: Error, Equatable, CustomStringConvertible {
    /// The bytes end inside a record header or payload (a torn write).
    case truncated(offset: Int)
    /// The payload's CRC32C does not match its header.
    case checksumMismatch(offset: Int)
    /// The length field is out of range, or the payload is not a valid record.
    case malformed(offset: Int, reason: String)

    var offset: Int {
        switch self {
        case .truncated(let o), .checksumMismatch(let o), .malformed(let o, _): o
        }
    }

    var description: String {
        switch self {
        case .truncated(let o): "torn record at byte \(o)"
        case .checksumMismatch(let o): "CRC32C mismatch in record at byte \(o)"
        case .malformed(let o, let reason): "malformed record at byte \(o): \(reason)"
        }
    }
}

/// Reads framed records from a segment's bytes, one at a time, into a reused ``MetricBatch``.
///
/// The bytes are borrowed for the decoder's lifetime. Decoding allocates for the organisation
/// only when it changes, and for a label set only the first time it is seen (``interner``),
/// never per sample.
struct WALRecordDecoder: ~Copyable {
    private let bytes: UnsafeRawBufferPointer
    /// Offset of the next record.
    private(set) var offset: Int
    private var lastOrgBytes: [UInt8] = []
    private var lastOrg = OrgID("")
    /// Label sets decoded so far; replay moves it from one segment's decoder to the next.
    var interner = LabelsInterner()
    /// The ``interner`` id of each series slot of the last decoded record.
    private(set) var seriesIDs: [Int32] = []
    /// Series defined so far in this segment by type-2 records, by definition number.
    private var definitions: [(labels: Labels, id: Int32)] = []

    init(bytes: UnsafeRawBufferPointer, startOffset: Int) {
        self.bytes = bytes
        self.offset = startOffset
    }

    /// Whether every byte was consumed.
    var atEnd: Bool { offset >= bytes.count }

    /// Decodes the next record into `batch` (cleared first) and returns its organisation.
    ///
    /// - Returns: nil at the clean end of the bytes.
    /// - Throws: the defect; ``offset`` then still points at the bad record.
    mutating func next(into batch: inout MetricBatch) throws(WALRecordDefect) -> OrgID? {
        let start = offset
        guard let payload = try Self.frame(bytes, at: start) else { return nil }
        let length = payload.count
        var cursor = PayloadCursor(bytes: payload)
        // A record that does not decode leaves no series definitions behind.
        let definitionsBefore = definitions.count
        let org: OrgID
        do {
            org = try decodeBatch(&cursor, into: &batch, recordStart: start)
        } catch {
            definitions.removeSubrange(definitionsBefore...)
            throw error
        }
        offset = start + WALRecord.headerSize + length
        return org
    }

    /// The checked payload of the framed record at `start`; nil at the clean end of `bytes`.
    ///
    /// - Throws: the defect (torn, checksum mismatch, bad length).
    static func frame(_ bytes: UnsafeRawBufferPointer, at start: Int) throws(WALRecordDefect) -> UnsafeRawBufferPointer? {
        let remaining = bytes.count - start
        if remaining == 0 { return nil }
        guard remaining >= WALRecord.headerSize else { throw .truncated(offset: start) }
        let length = Int(UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: start, as: UInt32.self)))
        let crc = UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: start + 4, as: UInt32.self))
        guard length > 0, length <= WALRecord.maxPayloadBytes else {
            // A zero length is what a preallocated or zero-filled tail looks like.
            if length == 0, isZero(bytes, from: start) { throw .truncated(offset: start) }
            throw .malformed(offset: start, reason: "payload length \(length)")
        }
        guard remaining - WALRecord.headerSize >= length else { throw .truncated(offset: start) }
        let payload = UnsafeRawBufferPointer(rebasing: bytes[(start + WALRecord.headerSize)..<(start + WALRecord.headerSize + length)])
        guard CRC32C.checksum(payload) == crc else { throw .checksumMismatch(offset: start) }
        return payload
    }

    private static func isZero(_ bytes: UnsafeRawBufferPointer, from start: Int) -> Bool {
        var i = start
        while i < bytes.count {
            if bytes[i] != 0 { return false }
            i += 1
        }
        return true
    }

    private mutating func decodeBatch(
        _ c: inout PayloadCursor, into batch: inout MetricBatch, recordStart: Int
    ) throws(WALRecordDefect) -> OrgID {
        func bad(_ reason: String) -> WALRecordDefect { .malformed(offset: recordStart, reason: reason) }
        batch.removeAll()
        seriesIDs.removeAll(keepingCapacity: true)
        guard let typeByte = c.readByte(), let type = WALRecord.RecordType(rawValue: typeByte) else {
            throw bad("unknown record type")
        }
        guard let orgLength = c.readUVarint(), orgLength <= UInt64(c.remaining) else { throw bad("organisation length") }
        let orgSlice = c.readBytes(Int(orgLength))
        if !orgSlice.elementsEqual(lastOrgBytes) {
            lastOrgBytes = Array(orgSlice)
            lastOrg = OrgID(String(decoding: lastOrgBytes, as: UTF8.self))
        }
        // Each series takes at least 2 bytes, each sample at least 10: check before reserving.
        guard let seriesCount = c.readUVarint(), seriesCount <= UInt64(c.remaining / 2) else { throw bad("series count") }
        for _ in 0..<Int(seriesCount) {
            var reference: UInt64 = 0
            if type == .metricBatchWithReferences {
                guard let tag = c.readUVarint() else { throw bad("series reference") }
                reference = tag
            }
            guard let kindByte = c.readByte(), let kind = MetricKind(rawValue: kindByte) else { throw bad("metric kind") }
            if reference > 0 {
                // Earlier in the segment, or earlier in this record (one label set in two slots).
                guard reference <= UInt64(definitions.count) else { throw bad("reference to undefined series \(reference - 1)") }
                let defined = definitions[Int(reference - 1)]
                _ = batch.beginSeries(defined.labels, kind: kind)
                seriesIDs.append(defined.id)
                continue
            }
            guard let labelsLength = c.readUVarint(), labelsLength <= UInt64(c.remaining) else { throw bad("labels length") }
            let (labels, id) = interner.intern(c.readBytes(Int(labelsLength)))
            _ = batch.beginSeries(labels, kind: kind)
            seriesIDs.append(id)
            if type == .metricBatchWithReferences { definitions.append((labels, id)) }
        }
        guard let sampleCount = c.readUVarint(), sampleCount <= UInt64(c.remaining / 10) else { throw bad("sample count") }
        let n = Int(sampleCount)
        // Slots, timestamps and values are three consecutive columns; find the value column
        // first so one pass can read all three.
        let slotsStart = c.position
        guard c.skipUVarints(n) else { throw bad("slot column") }
        let timesStart = c.position
        guard c.skipUVarints(n) else { throw bad("timestamp column") }
        let valuesStart = c.position
        guard c.remaining == n * 8 else { throw bad("value column length") }
        var slots = PayloadCursor(bytes: c.bytes, position: slotsStart)
        var times = PayloadCursor(bytes: c.bytes, position: timesStart)
        var previous: Int64 = 0
        for i in 0..<n {
            // Both skips above succeeded, so these reads cannot fail.
            let slot = slots.readUVarint() ?? 0
            let zz = times.readUVarint() ?? 0
            guard slot < seriesCount else { throw bad("series slot \(slot) out of range") }
            let delta = Int64(bitPattern: (zz >> 1) ^ (0 &- (zz & 1)))
            previous = previous &+ delta
            let bits = UInt64(littleEndian: c.bytes.loadUnaligned(fromByteOffset: valuesStart + i * 8, as: UInt64.self))
            batch.append(seriesSlot: UInt32(slot), timestampMillis: previous, value: Double(bitPattern: bits))
        }
        return lastOrg
    }
}

/// A read cursor over a record payload; reads return nil instead of running past the end.
struct PayloadCursor {
    let bytes: UnsafeRawBufferPointer
    private(set) var position: Int

    init(bytes: UnsafeRawBufferPointer, position: Int = 0) {
        self.bytes = bytes
        self.position = position
    }

    var remaining: Int { bytes.count - position }

    @inline(__always)
    mutating func readByte() -> UInt8? {
        guard position < bytes.count else { return nil }
        defer { position += 1 }
        return bytes[position]
    }

    @inline(__always)
    mutating func readUVarint() -> UInt64? {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while position < bytes.count, shift < 64 {
            let b = bytes[position]
            position += 1
            result |= UInt64(b & 0x7F) << shift
            if b & 0x80 == 0 { return result }
            shift += 7
        }
        return nil
    }

    /// Skips `count` varints; false when the bytes end first.
    mutating func skipUVarints(_ count: Int) -> Bool {
        var left = count
        while left > 0 {
            guard position < bytes.count else { return false }
            if bytes[position] & 0x80 == 0 { left -= 1 }
            position += 1
        }
        return true
    }

    /// The next `count` bytes (the caller checked `count <= remaining`).
    mutating func readBytes(_ count: Int) -> UnsafeRawBufferPointer {
        defer { position += count }
        return UnsafeRawBufferPointer(rebasing: bytes[position..<(position + count)])
    }
}
