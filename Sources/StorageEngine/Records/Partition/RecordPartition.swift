import BasinModel
import StorageAPI

/// A sealed partition opened for reading (memory-mapped; its index decoded at open).
final class RecordPartition: Sendable {
    let path: String
    let sequence: Int
    let index: PartitionIndex
    let fileBytes: Int
    private let file: MappedFile

    private init(path: String, sequence: Int, index: PartitionIndex, file: MappedFile) {
        self.path = path
        self.sequence = sequence
        self.index = index
        self.file = file
        self.fileBytes = file.bytes.count
    }

    /// Opens a partition, checking its magic, footer and index checksum.
    ///
    /// - Throws: ``StorageError`` `internalError` naming the file and the defect.
    static func open(path: String, sequence: Int) throws -> RecordPartition {
        let file = try MappedFile.open(path)
        let bytes = file.bytes
        func bad(_ why: String) -> StorageError {
            StorageError(kind: .internalError, message: "record partition \(path) is damaged: \(why)")
        }
        let magic = RecordPartitionFormat.magic
        guard bytes.count >= magic.count + RecordPartitionFormat.footerSize,
              bytes.prefix(4).elementsEqual(magic), bytes.suffix(4).elementsEqual(magic) else { throw bad("bad magic or too short") }
        let footer = bytes.count - RecordPartitionFormat.footerSize
        let indexOffset = Int(BlockBytes.u64(bytes, at: footer))
        let indexLength = Int(BlockBytes.u32(bytes, at: footer + 8))
        let crc = BlockBytes.u32(bytes, at: footer + 12)
        guard indexOffset >= magic.count, indexLength >= 0, indexOffset + indexLength == footer else { throw bad("bad footer") }
        let raw = UnsafeRawBufferPointer(rebasing: bytes[indexOffset..<footer])
        guard CRC32C.checksum(raw) == crc else { throw bad("index checksum mismatch") }
        guard let index = PartitionIndex.decode(raw) else { throw bad("malformed index") }
        for ref in [index.times, index.shapes, index.rawRows] + index.columns.map(\.section)
        where ref.offset + ref.storedLength > indexOffset {
            throw bad("section beyond the index")
        }
        return RecordPartition(path: path, sequence: sequence, index: index, file: file)
    }

    /// The bytes of a section, checked and inflated.
    private func section(_ ref: SectionRef) throws(StorageError) -> [UInt8] {
        if ref.storedLength == 0 { return [] }
        let stored = UnsafeRawBufferPointer(rebasing: file.bytes[ref.offset..<(ref.offset + ref.storedLength)])
        guard CRC32C.checksum(stored) == ref.crc else {
            throw StorageError(kind: .internalError, message: "record partition \(path) is damaged: section at byte \(ref.offset) fails its checksum")
        }
        if ref.rawLength == 0 { return Array(stored) }
        guard let raw = Deflate.decompress(stored, rawCount: ref.rawLength) else {
            throw StorageError(kind: .internalError, message: "record partition \(path) is damaged: section at byte \(ref.offset) does not inflate")
        }
        return raw
    }

    private func malformed(_ what: String) -> StorageError {
        StorageError(kind: .internalError, message: "record partition \(path) is damaged: malformed \(what)")
    }

    /// Record times, ascending.
    ///
    /// Decoded into the result's memory with the varint loop inline: every query over the
    /// partition reads this column, and appending decoded times one by one took more time than
    /// the group counting of a `count by bin(_time, 1m), status` over them.
    func times() throws(StorageError) -> [Int64] {
        let bytes = try section(index.times)
        let rows = index.rows
        var ok = true
        let out = [Int64](unsafeUninitializedCapacity: rows) { buffer, initialized in
            bytes.withUnsafeBytes { raw in
                let n = raw.count
                var p = 0
                var last: Int64 = 0
                for row in 0..<rows {
                    // A uvarint as `PayloadCursor.readUVarint` reads it, then zigzag.
                    var u: UInt64 = 0
                    var shift: UInt64 = 0
                    while true {
                        guard p < n, shift < 64 else {
                            ok = false
                            return
                        }
                        let b = raw[p]
                        p &+= 1
                        u |= UInt64(b & 0x7F) << shift
                        if b & 0x80 == 0 { break }
                        shift &+= 7
                    }
                    last = last &+ (Int64(bitPattern: u >> 1) ^ -Int64(bitPattern: u & 1))
                    buffer.initializeElement(at: row, to: last)
                    initialized = row &+ 1
                }
                ok = p == n
            }
        }
        guard ok else { throw malformed("times") }
        return out
    }

    /// The values of a top-level field, one per row (nil where absent; all nil for a field the
    /// partition lacks).
    func column(_ name: String) throws(StorageError) -> FieldColumn {
        let base: FieldColumn
        if let col = index.columns.first(where: { $0.name == name }) {
            let bytes = try section(col.section)
            guard let values = bytes.withUnsafeBytes({ RecordColumnDecoder.decodeColumn($0, rows: index.rows) }) else {
                throw malformed("column \(name)")
            }
            base = FieldColumn(values, range: 0..<index.rows)
        } else {
            base = .absent(count: index.rows)
        }
        guard index.rawRows.storedLength > 0 else { return base }
        // Rows stored whole are not in the columns: fill them in (rare: repeated names).
        var values = (0..<index.rows).map { base[$0] }
        for (row, record) in try rawRows() { values[row] = record[field: name] }
        return FieldColumn(values)
    }

    /// Rows stored whole (they repeat a top-level name), by row number.
    func rawRows() throws(StorageError) -> [(Int, Record)] {
        guard index.rawRows.storedLength > 0 else { return [] }
        let bytes = try section(index.rawRows)
        let rows = bytes.withUnsafeBytes { raw -> [(Int, Record)]? in
            var c = PayloadCursor(bytes: raw)
            guard let n = c.readUVarint(), n <= UInt64(index.rows) else { return nil }
            var out: [(Int, Record)] = []
            for _ in 0..<Int(n) {
                guard let row = c.readUVarint(), row < UInt64(index.rows), let r = RecordEncoding.decodeRecord(&c) else { return nil }
                out.append((Int(row), r))
            }
            return c.remaining == 0 ? out : nil
        }
        guard let rows else { throw malformed("raw rows") }
        return rows
    }

    /// Per row, the column numbers of its fields in their order (nil for a row stored whole).
    func shapes() throws(StorageError) -> [[Int]?] {
        let bytes = try section(index.shapes)
        let columnCount = index.columns.count
        let result = bytes.withUnsafeBytes { raw -> [[Int]?]? in
            var c = PayloadCursor(bytes: raw)
            guard let n = c.readUVarint(), n <= UInt64(raw.count) else { return nil }
            var table: [[Int]] = []
            for _ in 0..<Int(n) {
                guard let k = c.readUVarint(), k <= UInt64(columnCount) else { return nil }
                var shape: [Int] = []
                for _ in 0..<Int(k) {
                    guard let col = c.readUVarint(), col < UInt64(columnCount) else { return nil }
                    shape.append(Int(col))
                }
                table.append(shape)
            }
            var rows: [[Int]?] = []
            rows.reserveCapacity(index.rows)
            for _ in 0..<index.rows {
                guard let id = c.readUVarint(), id <= UInt64(table.count) else { return nil }
                rows.append(id == 0 ? nil : table[Int(id) - 1])
            }
            return c.remaining == 0 ? rows : nil
        }
        guard let result else { throw malformed("shapes") }
        return result
    }
}
