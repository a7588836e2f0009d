import BasinModel

/// Writes one sealed partition: the records of one dataset incarnation, sorted by time,
/// stored column by column.
struct RecordPartitionWriter {
    private var out: [UInt8] = RecordPartitionFormat.magic

    /// Encodes `rows` (any order; records are decoded one at a time through `record`) into
    /// the bytes of a partition file.
    ///
    /// - Parameters:
    ///   - times: the record time of each row.
    ///   - record: decodes row `i`.
    ///   - sealBoundary: the log segment boundary of the seal writing it.
    static func encode(key: DatasetKey, sealBoundary: UInt64, times: [Int64], record: (Int) -> Record) -> [UInt8] {
        var writer = RecordPartitionWriter()
        return writer.write(key: key, sealBoundary: sealBoundary, times: times, record: record)
    }

    private mutating func write(key: DatasetKey, sealBoundary: UInt64, times: [Int64], record: (Int) -> Record) -> [UInt8] {
        let order = times.indices.sorted { times[$0] < times[$1] || (times[$0] == times[$1] && $0 < $1) }
        var timeBytes: [UInt8] = []
        var last: Int64 = 0
        for i in order {
            RecordEncoding.appendVarint(times[i] &- last, to: &timeBytes)
            last = times[i]
        }
        var names: [String] = []
        var columnIndex: [String: Int] = [:]
        var encoders: [RecordColumnEncoder] = []
        var shapes: [[Int]: Int] = [:]
        var shapeList: [[Int]] = []
        var shapeIDs: [UInt8] = []
        var raw: [UInt8] = []
        var rawCount = 0
        var present: [Bool] = []
        for (row, i) in order.enumerated() {
            let r = record(i)
            var shape: [Int] = []
            shape.reserveCapacity(r.fields.count)
            var duplicate = false
            for f in r.fields {
                let c: Int
                if let known = columnIndex[f.name] {
                    c = known
                } else {
                    c = encoders.count
                    columnIndex[f.name] = c
                    names.append(f.name)
                    encoders.append(RecordColumnEncoder(absentRows: row))
                    present.append(false)
                }
                if present[c] { duplicate = true }
                present[c] = true
                shape.append(c)
            }
            for c in shape { present[c] = false }
            if duplicate {
                // A repeated top-level name: the row is kept whole; its columns say absent.
                for c in encoders.indices { encoders[c].appendAbsent() }
                WALRecord.appendUVarint(0, to: &shapeIDs)
                WALRecord.appendUVarint(UInt64(row), to: &raw)
                RecordEncoding.encode(r, into: &raw)
                rawCount += 1
                continue
            }
            let id: Int
            if let known = shapes[shape] {
                id = known
            } else {
                shapeList.append(shape)
                id = shapeList.count
                shapes[shape] = id
            }
            WALRecord.appendUVarint(UInt64(id), to: &shapeIDs)
            var fieldAt = 0
            for c in encoders.indices {
                if fieldAt < shape.count, let pos = shape.firstIndex(of: c) {
                    encoders[c].append(r.fields[pos].value)
                    fieldAt += 1
                } else {
                    encoders[c].appendAbsent()
                }
            }
        }
        let timesRef = section(timeBytes)
        var shapeBytes: [UInt8] = []
        WALRecord.appendUVarint(UInt64(shapeList.count), to: &shapeBytes)
        for s in shapeList {
            WALRecord.appendUVarint(UInt64(s.count), to: &shapeBytes)
            for c in s { WALRecord.appendUVarint(UInt64(c), to: &shapeBytes) }
        }
        shapeBytes.append(contentsOf: shapeIDs)
        let shapesRef = section(shapeBytes)
        var rawBytes: [UInt8] = []
        if rawCount > 0 {
            WALRecord.appendUVarint(UInt64(rawCount), to: &rawBytes)
            rawBytes.append(contentsOf: raw)
        }
        let rawRef = rawBytes.isEmpty ? SectionRef.empty : section(rawBytes)
        var columns: [PartitionColumn] = []
        for c in encoders.indices {
            let bytes = encoders[c].finish()
            columns.append(PartitionColumn(name: names[c], section: section(bytes), stats: encoders[c].stats))
        }
        let index = PartitionIndex(
            org: key.org, dataset: key.dataset, incarnation: key.incarnation, sealBoundary: sealBoundary, rows: times.count,
            minTime: order.first.map { times[$0] } ?? 0, maxTime: order.last.map { times[$0] } ?? 0,
            times: timesRef, shapes: shapesRef, rawRows: rawRef, columns: columns)
        let indexBytes = index.encode()
        let indexOffset = out.count
        out.append(contentsOf: indexBytes)
        BlockBytes.appendU64(UInt64(indexOffset), to: &out)
        BlockBytes.appendU32(UInt32(indexBytes.count), to: &out)
        BlockBytes.appendU32(indexBytes.withUnsafeBytes { CRC32C.checksum($0) }, to: &out)
        out.append(contentsOf: RecordPartitionFormat.magic)
        return out
    }

    /// Appends a section, deflated when that pays.
    private mutating func section(_ bytes: [UInt8]) -> SectionRef {
        let offset = out.count
        let stored: [UInt8]
        let rawLength: Int
        if let packed = Deflate.compress(bytes) {
            stored = packed
            rawLength = bytes.count
        } else {
            stored = bytes
            rawLength = 0
        }
        out.append(contentsOf: stored)
        return SectionRef(
            offset: offset, storedLength: stored.count, rawLength: rawLength, crc: stored.withUnsafeBytes { CRC32C.checksum($0) })
    }
}
