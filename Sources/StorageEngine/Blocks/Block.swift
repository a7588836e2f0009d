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
/// (symbols, series, offsets, postings, meta); each chunk carries its own CRC32C, checked when
/// it is read, so opening stays cheap however many samples the block holds. Nothing of the
/// index is copied onto the heap: lookups binary-search the mapped offset tables.
///
/// Reads format versions 1 and 2. Version 1 stores strings inline in series and postings;
/// version 2 stores symbol ids into a sorted SYMBOLS section (`Block+Symbols.swift`).
final class Block: Sendable {
    let meta: BlockMeta
    let path: String
    /// The format version of the file (one of ``BlockFormat/readableVersions``).
    let version: UInt8
    /// The mapping; the ranges below are where each section lies in it (verified at open).
    let file: MappedFile
    let chunks: Range<Int>
    let series: Range<Int>
    let seriesOffsets: Range<Int>
    let postings: Range<Int>
    let postingsOffsets: Range<Int>
    /// SYMBOLS and SYMBOL_OFFSETS: version 2 only (empty in version 1).
    let symbols: Range<Int>
    let symbolOffsets: Range<Int>
    /// Bytes per entry of the offset tables: 8 in version 1, 4 from version 2.
    let offsetWidth: Int
    /// When this process wrote the block (a cut or a merge), in wall-clock milliseconds;
    /// `Int64.min` for blocks found at start-up. Compaction merges a window whole once its
    /// newest block is old enough (``EmbeddedMetricStore/mergeRun(_:settled:)``).
    let writtenMillis: Int64

    /// Bytes of the file on disk.
    var sizeBytes: Int { file.bytes.count }
    var seriesCount: Int { seriesOffsets.count / offsetWidth }
    var postingsCount: Int { postingsOffsets.count / offsetWidth }
    var symbolCount: Int { symbolOffsets.count / 4 }

    /// Maps and verifies a block file; `writtenMillis` is when this process wrote it, if it did.
    init(path: String, writtenMillis: Int64 = .min) throws(BlockError) {
        self.path = path
        self.writtenMillis = writtenMillis
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
        let version = bytes[4]
        guard BlockFormat.readableVersions.contains(version) else { throw fail("unsupported format version \(version)") }
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
        let width = BlockFormat.offsetWidth(version: version)
        let symbols = ranges[.symbols] ?? 0..<0
        let symbolOffsets = ranges[.symbolOffsets] ?? 0..<0
        if version >= 2, ranges[.symbols] == nil || ranges[.symbolOffsets] == nil { throw fail("a required section is missing") }
        guard seriesOffsets.count % width == 0, postingsOffsets.count % width == 0, symbolOffsets.count % 4 == 0,
              UInt64(seriesOffsets.count / width) == meta.seriesCount else {
            throw fail("offset tables malformed")
        }
        self.version = version
        self.offsetWidth = width
        self.symbols = symbols
        self.symbolOffsets = symbolOffsets
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
            startMillis <= endMillis && chunks.contains { $0.minTimeMillis <= endMillis && $0.maxTimeMillis >= startMillis }
        }
    }

    var seriesBytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: file.bytes[series]) }

    /// The offset of series `id`'s entry within SERIES (unchecked: the caller checks `id`).
    func seriesOffset(_ id: Int) -> Int {
        BlockBytes.offset(file.bytes, table: seriesOffsets.lowerBound, width: offsetWidth, index: id)
    }

    /// Decodes series `id`.
    func entry(_ id: Int) throws(BlockError) -> SeriesEntry {
        guard id >= 0, id < seriesCount else { throw BlockError(path: path, reason: "series \(id) out of range") }
        let offset = seriesOffset(id)
        guard offset >= 0, offset < series.count else { throw BlockError(path: path, reason: "series \(id) out of range") }
        var cursor = PayloadCursor(bytes: seriesBytes, position: offset)
        let decoded = version == 1 ? entryV1(&cursor) : entryV2(&cursor)
        guard let decoded else { throw BlockError(path: path, reason: "series entry \(id) malformed") }
        return decoded
    }

    /// Whether a chunk's place lies inside CHUNKS and its count is one a chunk can hold.
    func isValidChunk(offset: UInt64, length: UInt64, count: UInt64) -> Bool {
        offset < UInt64(chunks.count) && length <= UInt64(chunks.count) - offset && count <= 65_535
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
}
