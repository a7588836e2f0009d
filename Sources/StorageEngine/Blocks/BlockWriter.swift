import BasinModel
import StorageAPI

/// Writes one block file: series added in (organisation, labels) order, chunks streamed to disk.
///
/// The file is written as `<seq>.tmp`, fsynced, renamed to `<seq>.block` and the directory
/// fsynced, so a block either exists whole or not at all (a leftover `.tmp` is deleted at
/// start-up). Only the index (symbols, each series' symbol ids and chunk list, postings) stays
/// in memory while writing, never the samples, so compaction can merge blocks larger than
/// memory. Symbol ids are provisional (first-seen order) until ``finish(windowStartMillis:windowEndMillis:sources:)``
/// sorts the symbols and encodes the index with the final ids (`BlockWriter+Index.swift`).
struct BlockWriter {
    /// A postings key in symbol ids (first-seen ids while writing, final ids when encoding).
    struct PostingKey: Hashable {
        var org: UInt32
        var name: UInt32
        var value: UInt32
    }

    private let directory: String
    private let file: PosixFile
    private let seq: UInt64
    private var pending: [UInt8] = []
    private var chunksCRC: UInt32 = 0
    private var chunksLength = 0
    /// Bytes of the file written so far (the next write's offset).
    private var writtenBytes = 0
    /// Every distinct string, in first-seen order; its index is its provisional symbol id.
    private(set) var symbolList: [[UInt8]] = []
    private var symbolIDs: [[UInt8]: UInt32] = [:]
    /// Per series, provisional symbol ids: org, label count L, then L (name, value) pairs.
    private(set) var seriesSymbols: [UInt32] = []
    /// Per series, its kind, chunk count and first sample time (stored relative to the block's
    /// minimum time, known only at `finish`).
    private(set) var seriesHeads: [(kind: MetricKind, chunkCount: Int, firstMillis: Int64)] = []
    /// Per series, the rest of its chunk list, back to back; `seriesTailEnds[i]` is where
    /// series `i`'s part ends.
    private(set) var seriesTails: [UInt8] = []
    private(set) var seriesTailEnds: [Int] = []
    private(set) var postings: [PostingKey: [UInt32]] = [:]
    private var seriesCount: UInt32 = 0
    private var sampleCount: UInt64 = 0
    private var minTime = Int64.max
    private var maxTime = Int64.min
    private var chunkBytes: [UInt8] = []
    /// The little-endian CRC in front of each chunk (reused: no allocation per chunk).
    private var crcScratch: [UInt8] = [0, 0, 0, 0]
    /// Chunk metadata of the series being added (reused: no allocation per series).
    private var chunkScratch: [(minMillis: Int64, maxMillis: Int64, count: Int, offset: Int, length: Int)] = []

    /// Creates `<directory>/<seq>.tmp`; on failure, nothing is left behind.
    init(directory: String, seq: UInt64) throws(FileIOError) {
        self.directory = directory
        self.seq = seq
        let path = directory + "/" + Self.temporaryName(seq)
        let opened = try PosixFile.openReadWrite(path, create: true)
        do throws(FileIOError) {
            try opened.truncate(to: 0)
        } catch {
            opened.close()
            try? Directory.remove(path)
            throw error
        }
        file = opened
        pending = BlockFormat.magic + [BlockFormat.version, 0, 0, 0]
        pending.reserveCapacity(1 << 20)
    }

    static func temporaryName(_ seq: UInt64) -> String {
        BlockFormat.fileName(seq: seq).dropLast(BlockFormat.fileSuffix.count) + BlockFormat.temporarySuffix
    }

    /// Whether nothing was added yet.
    var isEmpty: Bool { seriesCount == 0 }

    /// Adds one series; calls must come in ascending (organisation bytes, ``LabelsOrder``) order
    /// with unique keys, and the samples sorted by time with unique timestamps (at least one).
    mutating func add(
        org: OrgID, labels: Labels, kind: MetricKind,
        timestampsMillis: UnsafeBufferPointer<Int64>, values: UnsafeBufferPointer<Double>
    ) throws(FileIOError) {
        let n = timestampsMillis.count
        guard n > 0 else { return }
        let id = seriesCount
        seriesCount += 1
        let orgSymbol = symbol(Array(org.name.utf8))
        seriesSymbols.append(orgSymbol)
        seriesSymbols.append(UInt32(labels.count))
        labels.forEachBytes { name, value in
            let key = PostingKey(org: orgSymbol, name: symbol(Array(name)), value: symbol(Array(value)))
            seriesSymbols.append(key.name)
            seriesSymbols.append(key.value)
            postings[key, default: []].append(id)
        }
        chunkScratch.removeAll(keepingCapacity: true)
        var start = 0
        while start < n {
            let end = min(n, start + BlockFormat.samplesPerChunk)
            chunkBytes.removeAll(keepingCapacity: true)
            SampleChunk.encode(
                timestampsMillis: UnsafeBufferPointer(rebasing: timestampsMillis[start..<end]),
                values: UnsafeBufferPointer(rebasing: values[start..<end]), into: &chunkBytes)
            let offset = chunksLength
            let crc = chunkBytes.withUnsafeBytes { CRC32C.checksum($0) }
            for k in 0..<4 { crcScratch[k] = UInt8(truncatingIfNeeded: crc >> (8 * k)) }
            try emitChunkBytes(crcScratch)
            try emitChunkBytes(chunkBytes)
            chunkScratch.append((timestampsMillis[start], timestampsMillis[end - 1], end - start, offset, chunkBytes.count))
            start = end
        }
        minTime = min(minTime, timestampsMillis[0])
        maxTime = max(maxTime, timestampsMillis[n - 1])
        sampleCount += UInt64(n)
        seriesHeads.append((kind, chunkScratch.count, timestampsMillis[0]))
        // The chunk list without the first chunk's min time (`Docs/blocks.md`, SERIES): later
        // chunks' times are from the previous chunk's max, their offsets implied.
        for (k, c) in chunkScratch.enumerated() {
            if k > 0 { WALRecord.appendUVarint(UInt64(bitPattern: c.minMillis &- chunkScratch[k - 1].maxMillis), to: &seriesTails) }
            WALRecord.appendUVarint(UInt64(bitPattern: c.maxMillis &- c.minMillis), to: &seriesTails)
            WALRecord.appendUVarint(UInt64(c.count), to: &seriesTails)
            if k == 0 { WALRecord.appendUVarint(UInt64(c.offset), to: &seriesTails) }
            WALRecord.appendUVarint(UInt64(c.length), to: &seriesTails)
        }
        seriesTailEnds.append(seriesTails.count)
    }

    /// The provisional symbol id of `bytes`, adding it when new.
    private mutating func symbol(_ bytes: [UInt8]) -> UInt32 {
        if let id = symbolIDs[bytes] { return id }
        let id = UInt32(symbolList.count)
        symbolIDs[bytes] = id
        symbolList.append(bytes)
        return id
    }

    private mutating func emitChunkBytes(_ bytes: [UInt8]) throws(FileIOError) {
        chunksCRC = bytes.withUnsafeBytes { CRC32C.update(chunksCRC, $0) }
        chunksLength += bytes.count
        pending.append(contentsOf: bytes)
        if pending.count >= 1 << 20 { try flushPending() }
    }

    private mutating func flushPending() throws(FileIOError) {
        guard !pending.isEmpty else { return }
        try file.write(pending, at: writtenBytes)
        writtenBytes += pending.count
        pending.removeAll(keepingCapacity: true)
    }


    /// Writes the index, syncs and publishes the block; returns its meta (nil when empty: then
    /// the temporary file is removed and nothing is published).
    ///
    /// - Throws: the first failed write, sync or rename; then nothing is published and the
    ///   temporary file is removed, so a full disk is not left fuller by the failed attempt.
    mutating func finish(windowStartMillis: Int64, windowEndMillis: Int64, sources: [UInt64]) throws(FileIOError) -> BlockMeta? {
        let tmpPath = directory + "/" + Self.temporaryName(seq)
        guard seriesCount > 0 else {
            file.close()
            try? Directory.remove(tmpPath)
            return nil
        }
        var toc: [(BlockFormat.Section, Int, Int, UInt32)] = []
        let chunksStart = BlockFormat.headerSize
        toc.append((.chunks, chunksStart, chunksLength, chunksCRC))
        var position = chunksStart + chunksLength
        func section(_ id: BlockFormat.Section, _ bytes: [UInt8], _ pending: inout [UInt8]) {
            toc.append((id, position, bytes.count, bytes.withUnsafeBytes { CRC32C.checksum($0) }))
            position += bytes.count
            pending.append(contentsOf: bytes)
        }
        let index: [(BlockFormat.Section, [UInt8])]
        do throws(FileIOError) {
            index = try encodeIndex(minTimeMillis: minTime, path: tmpPath)
        } catch {
            abandon()
            throw error
        }
        releaseIndexInputs()
        for (id, bytes) in index { section(id, bytes, &pending) }
        let meta = BlockMeta(
            seq: seq, minTimeMillis: minTime, maxTimeMillis: maxTime, windowStartMillis: windowStartMillis,
            windowEndMillis: windowEndMillis, seriesCount: UInt64(seriesCount), sampleCount: sampleCount, sources: sources)
        var metaBytes: [UInt8] = []
        meta.encode(into: &metaBytes)
        section(.meta, metaBytes, &pending)
        var footer: [UInt8] = []
        BlockBytes.appendU32(UInt32(toc.count), to: &footer)
        for (id, offset, length, crc) in toc {
            BlockBytes.appendU32(id.rawValue, to: &footer)
            BlockBytes.appendU64(UInt64(offset), to: &footer)
            BlockBytes.appendU64(UInt64(length), to: &footer)
            BlockBytes.appendU32(crc, to: &footer)
        }
        BlockBytes.appendU32(footer.withUnsafeBytes { CRC32C.checksum($0) }, to: &footer)
        BlockBytes.appendU64(UInt64(position), to: &footer)
        footer.append(contentsOf: BlockFormat.magic)
        pending.append(contentsOf: footer)
        let blockPath = directory + "/" + BlockFormat.fileName(seq: seq)
        do throws(FileIOError) {
            try flushPending()
            try file.sync()
            file.close()
            try Directory.rename(tmpPath, blockPath)
        } catch {
            abandon()
            throw error
        }
        do throws(FileIOError) {
            try Directory.sync(directory)
        } catch {
            // Renamed but not durably: the caller treats the block as not written and retries
            // under a new sequence number, so take this one back rather than keep a duplicate.
            try? Directory.remove(blockPath)
            throw error
        }
        return meta
    }

    /// Frees what ``encodeIndex(minTimeMillis:path:)`` read, before the file is written.
    private mutating func releaseIndexInputs() {
        symbolList = []
        symbolIDs = [:]
        seriesSymbols = []
        seriesHeads = []
        seriesTails = []
        seriesTailEnds = []
        postings = [:]
    }

    /// Abandons the block: closes and removes the temporary file.
    func abandon() {
        file.close()
        try? Directory.remove(directory + "/" + Self.temporaryName(seq))
    }
}
