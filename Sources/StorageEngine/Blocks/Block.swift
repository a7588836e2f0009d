import BasinModel
import StorageAPI

/// Why a block file could not be opened or read.
struct BlockError: Error, CustomStringConvertible {
    var path: String
    var reason: String
    var description: String { "block \(path): \(reason)" }
}

/// One immutable block on disk, mapped read-only (layout in `Docs/blocks.md`).
///
/// Opening checks the magic, the table of contents and the CRC32C of every index section
/// (series, offsets, postings, meta); each chunk carries its own CRC32C, checked when it is
/// read, so opening stays cheap however many samples the block holds. Nothing of the index is
/// copied onto the heap: lookups binary-search the mapped offset tables.
final class Block: Sendable {
    let meta: BlockMeta
    let path: String
    private let file: MappedFile
    private let chunks: Range<Int>
    private let series: Range<Int>
    private let seriesOffsets: Range<Int>
    private let postings: Range<Int>
    private let postingsOffsets: Range<Int>

    /// Bytes of the file on disk.
    var sizeBytes: Int { file.bytes.count }
    var seriesCount: Int { seriesOffsets.count / 8 }
    private var postingsCount: Int { postingsOffsets.count / 8 }

    /// Maps and verifies a block file.
    init(path: String) throws(BlockError) {
        self.path = path
        let file: MappedFile
        do throws(FileIOError) {
            file = try MappedFile.open(path)
        } catch {
            throw BlockError(path: path, reason: "\(error)")
        }
        self.file = file
        let bytes = file.bytes
        func fail(_ reason: String) -> BlockError { BlockError(path: path, reason: reason) }
        guard bytes.count >= BlockFormat.headerSize + BlockFormat.trailerSize + 8,
              bytes.prefix(4).elementsEqual(BlockFormat.magic), bytes.suffix(4).elementsEqual(BlockFormat.magic) else {
            throw fail("not a block file (magic or size)")
        }
        guard bytes[4] == BlockFormat.version else { throw fail("unsupported format version \(bytes[4])") }
        let tocOffset = Int(truncatingIfNeeded: BlockBytes.u64(bytes, at: bytes.count - BlockFormat.trailerSize))
        guard tocOffset >= BlockFormat.headerSize, tocOffset <= bytes.count - BlockFormat.trailerSize - 8 else {
            throw fail("table of contents offset \(tocOffset) out of range")
        }
        let count = Int(BlockBytes.u32(bytes, at: tocOffset))
        let tocEnd = tocOffset + 4 + count * BlockFormat.tocEntrySize
        guard count <= 64, tocEnd + 4 + BlockFormat.trailerSize == bytes.count else { throw fail("table of contents malformed") }
        let tocCRC = CRC32C.checksum(UnsafeRawBufferPointer(rebasing: bytes[tocOffset..<tocEnd]))
        guard tocCRC == BlockBytes.u32(bytes, at: tocEnd) else { throw fail("table of contents checksum mismatch") }
        var ranges: [BlockFormat.Section: Range<Int>] = [:]
        for i in 0..<count {
            let at = tocOffset + 4 + i * BlockFormat.tocEntrySize
            let offset = BlockBytes.u64(bytes, at: at + 4)
            let length = BlockBytes.u64(bytes, at: at + 12)
            guard offset <= UInt64(tocOffset), length <= UInt64(tocOffset) - offset else { throw fail("section \(i) out of range") }
            let range = Int(offset)..<Int(offset + length)
            guard let id = BlockFormat.Section(rawValue: BlockBytes.u32(bytes, at: at)) else { continue }
            if id != .chunks {
                let crc = CRC32C.checksum(UnsafeRawBufferPointer(rebasing: bytes[range]))
                guard crc == BlockBytes.u32(bytes, at: at + 20) else { throw fail("section \(id) checksum mismatch") }
            }
            ranges[id] = range
        }
        guard let chunks = ranges[.chunks], let series = ranges[.series], let seriesOffsets = ranges[.seriesOffsets],
              let postings = ranges[.postings], let postingsOffsets = ranges[.postingsOffsets], let metaRange = ranges[.meta] else {
            throw fail("a required section is missing")
        }
        guard let meta = BlockMeta.decode(UnsafeRawBufferPointer(rebasing: bytes[metaRange])) else { throw fail("meta section malformed") }
        guard seriesOffsets.count % 8 == 0, postingsOffsets.count % 8 == 0, UInt64(seriesOffsets.count / 8) == meta.seriesCount else {
            throw fail("offset tables malformed")
        }
        self.meta = meta
        self.chunks = chunks
        self.series = series
        self.seriesOffsets = seriesOffsets
        self.postings = postings
        self.postingsOffsets = postingsOffsets
    }

    // MARK: Series entries

    /// One chunk's place and span.
    struct ChunkMeta: Sendable {
        var minTimeMillis: Int64
        var maxTimeMillis: Int64
        var count: Int
        var offset: Int
        var length: Int
    }

    /// A decoded series entry.
    struct SeriesEntry: Sendable {
        var org: OrgID
        var labels: Labels
        var kind: MetricKind
        var chunks: [ChunkMeta]

        var minTimeMillis: Int64 { chunks.first?.minTimeMillis ?? .max }
        var maxTimeMillis: Int64 { chunks.last?.maxTimeMillis ?? .min }

        func overlaps(startMillis: Int64, endMillis: Int64) -> Bool {
            chunks.contains { $0.minTimeMillis <= endMillis && $0.maxTimeMillis >= startMillis }
        }
    }

    private var seriesBytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: file.bytes[series]) }

    private func seriesOffset(_ id: Int) -> Int {
        Int(truncatingIfNeeded: BlockBytes.u64(file.bytes, at: seriesOffsets.lowerBound + id * 8))
    }

    /// The organisation bytes of series `id` (borrowed from the mapping).
    private func orgBytes(ofSeries id: Int) -> UnsafeRawBufferPointer? {
        let offset = seriesOffset(id)
        guard offset >= 0, offset < series.count else { return nil }
        var cursor = PayloadCursor(bytes: seriesBytes, position: offset)
        return cursor.readLengthPrefixed()
    }

    /// Decodes series `id`.
    func entry(_ id: Int) throws(BlockError) -> SeriesEntry {
        let offset = seriesOffset(id)
        guard id >= 0, id < seriesCount, offset >= 0, offset < series.count else {
            throw BlockError(path: path, reason: "series \(id) out of range")
        }
        var cursor = PayloadCursor(bytes: seriesBytes, position: offset)
        guard let org = cursor.readLengthPrefixed(), let labels = cursor.readLengthPrefixed(),
              let kindByte = cursor.readByte(), let chunkCount = cursor.readUVarint(), chunkCount <= UInt64(cursor.remaining) else {
            throw BlockError(path: path, reason: "series entry \(id) malformed")
        }
        var metas: [ChunkMeta] = []
        metas.reserveCapacity(Int(chunkCount))
        for _ in 0..<chunkCount {
            guard let minT = cursor.readZVarint(), let span = cursor.readUVarint(), let count = cursor.readUVarint(),
                  let chunkOffset = cursor.readUVarint(), let length = cursor.readUVarint(),
                  chunkOffset < UInt64(chunks.count), length <= UInt64(chunks.count) - chunkOffset, count <= 65_535 else {
                throw BlockError(path: path, reason: "chunk list of series \(id) malformed")
            }
            metas.append(ChunkMeta(
                minTimeMillis: minT, maxTimeMillis: minT &+ Int64(bitPattern: span), count: Int(count),
                offset: Int(chunkOffset), length: Int(length)))
        }
        return SeriesEntry(
            org: OrgID(String(decoding: org, as: UTF8.self)), labels: Labels(uncheckedBytes: Array(labels)),
            kind: MetricKind(rawValue: kindByte) ?? .unspecified, chunks: metas)
    }

    /// Appends the series' samples within `[startMillis, endMillis]` (sorted, unique).
    ///
    /// - Throws: ``BlockError`` when a chunk's checksum does not match or it does not decode.
    func readSamples(
        _ entry: SeriesEntry, startMillis: Int64, endMillis: Int64,
        timestamps: inout [Int64], values: inout [Double]
    ) throws(BlockError) {
        for chunk in entry.chunks where chunk.minTimeMillis <= endMillis && chunk.maxTimeMillis >= startMillis {
            let start = chunks.lowerBound + chunk.offset
            guard chunk.length >= 0, start + 4 + chunk.length <= chunks.upperBound else {
                throw BlockError(path: path, reason: "chunk at \(chunk.offset) out of range")
            }
            let body = UnsafeRawBufferPointer(rebasing: file.bytes[(start + 4)..<(start + 4 + chunk.length)])
            guard CRC32C.checksum(body) == BlockBytes.u32(file.bytes, at: start) else {
                throw BlockError(path: path, reason: "chunk at \(chunk.offset) checksum mismatch")
            }
            do throws(ChunkError) {
                try SampleChunk.decode(body, startMillis: startMillis, endMillis: endMillis, timestamps: &timestamps, values: &values)
            } catch {
                throw BlockError(path: path, reason: "chunk at \(chunk.offset): \(error)")
            }
        }
    }

    // MARK: Organisations and postings

    /// The ids of the organisation's series (a contiguous range: series are sorted by organisation first).
    func seriesRange(org: OrgID) -> Range<Int> {
        var key = Array(org.name.utf8)
        return key.withUnsafeMutableBytes { k -> Range<Int> in
            let target = UnsafeRawBufferPointer(k)
            let lower = partition(seriesCount) { id in BlockBytes.compare(orgBytes(ofSeries: id) ?? .init(start: nil, count: 0), target) < 0 }
            let upper = partition(seriesCount) { id in BlockBytes.compare(orgBytes(ofSeries: id) ?? .init(start: nil, count: 0), target) <= 0 }
            return lower..<max(lower, upper)
        }
    }

    /// The first index in `0..<count` for which `isBefore` is false (it must be monotone).
    private func partition(_ count: Int, _ isBefore: (Int) -> Bool) -> Int {
        var lo = 0
        var hi = count
        while lo < hi {
            let mid = (lo + hi) >> 1
            if isBefore(mid) { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }

    private var postingsBytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: file.bytes[postings]) }

    /// Reads the key of postings entry `i`: (org, name, value) and a cursor at its id list.
    private func postingsKey(_ i: Int) -> (org: UnsafeRawBufferPointer, name: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer, cursor: PayloadCursor)? {
        let offset = Int(truncatingIfNeeded: BlockBytes.u64(file.bytes, at: postingsOffsets.lowerBound + i * 8))
        guard offset >= 0, offset < postings.count else { return nil }
        var cursor = PayloadCursor(bytes: postingsBytes, position: offset)
        guard let org = cursor.readLengthPrefixed(), let name = cursor.readLengthPrefixed(), let value = cursor.readLengthPrefixed() else {
            return nil
        }
        return (org, name, value, cursor)
    }

    /// The postings entries of one (organisation, label name), as an index range.
    private func postingsRange(org: [UInt8], name: [UInt8]) -> Range<Int> {
        org.withUnsafeBytes { o in
            name.withUnsafeBytes { n in
                func order(_ i: Int) -> Int {
                    guard let key = postingsKey(i) else { return 1 }
                    let c = BlockBytes.compare(key.org, o)
                    return c != 0 ? c : BlockBytes.compare(key.name, n)
                }
                let lower = partition(postingsCount) { order($0) < 0 }
                let upper = partition(postingsCount) { order($0) <= 0 }
                return lower..<max(lower, upper)
            }
        }
    }

    /// Decodes the id list at `cursor`.
    private func ids(_ cursor: PayloadCursor) -> [SeriesRef] {
        var cursor = cursor
        guard let count = cursor.readUVarint(), count <= UInt64(cursor.remaining) else { return [] }
        var out: [SeriesRef] = []
        out.reserveCapacity(Int(count))
        var id: UInt64 = 0
        for _ in 0..<count {
            guard let delta = cursor.readUVarint() else { break }
            id &+= delta
            out.append(id)
        }
        return out
    }

    /// Calls `body` with each value of label `name` in the organisation and a lazy reader of its ids.
    func forEachValue(org: OrgID, name: String, _ body: (String, () -> [SeriesRef]) -> Void) {
        for i in postingsRange(org: Array(org.name.utf8), name: Array(name.utf8)) {
            guard let key = postingsKey(i) else { continue }
            body(String(decoding: key.value, as: UTF8.self), { self.ids(key.cursor) })
        }
    }

    /// The ids of the organisation's series with label `name` equal to `value`.
    func ids(org: OrgID, name: String, value: String) -> [SeriesRef] {
        let range = postingsRange(org: Array(org.name.utf8), name: Array(name.utf8))
        let target = Array(value.utf8)
        return target.withUnsafeBytes { v in
            let i = range.lowerBound + partition(range.count) { j in
                guard let key = postingsKey(range.lowerBound + j) else { return false }
                return BlockBytes.compare(key.value, v) < 0
            }
            guard i < range.upperBound, let key = postingsKey(i), BlockBytes.compare(key.value, v) == 0 else { return [] }
            return ids(key.cursor)
        }
    }

    /// Sorted ids of the organisation's series matching all `matchers` (Prometheus semantics,
    /// as ``Head/matchingRefs(_:in:)``).
    func matchingIDs(org: OrgID, matchers: [LabelMatcher]) -> [SeriesRef] {
        guard !matchers.isEmpty else { return [] }
        let all = seriesRange(org: org)
        guard !all.isEmpty else { return [] }
        var positives: [[SeriesRef]] = []
        var negatives: [[SeriesRef]] = []
        for m in matchers {
            if m.matchesEmpty {
                var rejected: [[SeriesRef]] = []
                forEachValue(org: org, name: m.name) { value, ids in if !m.matches(value) { rejected.append(ids()) } }
                if !rejected.isEmpty { negatives.append(SortedRefs.union(rejected)) }
            } else if m.op == .equal {
                let found = ids(org: org, name: m.name, value: m.value)
                if found.isEmpty { return [] }
                positives.append(found)
            } else {
                var accepted: [[SeriesRef]] = []
                forEachValue(org: org, name: m.name) { value, ids in if m.matches(value) { accepted.append(ids()) } }
                if accepted.isEmpty { return [] }
                positives.append(SortedRefs.union(accepted))
            }
        }
        var result: [SeriesRef]
        if positives.isEmpty {
            result = all.map { SeriesRef($0) }
        } else {
            positives.sort { $0.count < $1.count }
            result = positives[0]
            for list in positives.dropFirst() where !result.isEmpty {
                result = SortedRefs.intersect(result, list)
            }
        }
        for list in negatives where !result.isEmpty {
            result = SortedRefs.subtract(result, list)
        }
        return result
    }

    /// Ids matching any of `matcherSets`, or all of the organisation's series when empty.
    func matchingIDs(org: OrgID, anyOf matcherSets: [[LabelMatcher]]) -> [SeriesRef] {
        if matcherSets.isEmpty { return seriesRange(org: org).map { SeriesRef($0) } }
        return SortedRefs.union(matcherSets.map { matchingIDs(org: org, matchers: $0) })
    }
}
