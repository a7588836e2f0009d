import BasinModel
import StorageAPI

/// Writes one block file: series added in (organisation, labels) order, chunks streamed to disk.
///
/// The file is written as `<seq>.tmp`, fsynced, renamed to `<seq>.block` and the directory
/// fsynced, so a block either exists whole or not at all (a leftover `.tmp` is deleted at
/// start-up). Only the series entries and postings stay in memory while writing, never the
/// samples, so compaction can merge blocks larger than memory.
struct BlockWriter {
    struct PostingKey: Hashable {
        var org: [UInt8]
        var name: [UInt8]
        var value: [UInt8]
    }

    private let directory: String
    private let file: PosixFile
    private let seq: UInt64
    private var pending: [UInt8] = []
    private var chunksCRC: UInt32 = 0
    private var chunksLength = 0
    private var series: [UInt8] = []
    private var seriesOffsets: [UInt8] = []
    private var postings: [PostingKey: [UInt32]] = [:]
    private var seriesCount: UInt32 = 0
    private var sampleCount: UInt64 = 0
    private var minTime = Int64.max
    private var maxTime = Int64.min
    private var chunkBytes: [UInt8] = []
    /// The little-endian CRC in front of each chunk (reused: no allocation per chunk).
    private var crcScratch: [UInt8] = [0, 0, 0, 0]

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
        let orgBytes = Array(org.name.utf8)
        let id = seriesCount
        seriesCount += 1
        BlockBytes.appendU64(UInt64(series.count), to: &seriesOffsets)
        BlockBytes.appendBytes(orgBytes, to: &series)
        BlockBytes.appendBytes(labels.bytes, to: &series)
        series.append(kind.rawValue)
        let chunkCount = (n + BlockFormat.samplesPerChunk - 1) / BlockFormat.samplesPerChunk
        WALRecord.appendUVarint(UInt64(chunkCount), to: &series)
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
            BlockBytes.appendZVarint(timestampsMillis[start], to: &series)
            WALRecord.appendUVarint(UInt64(bitPattern: timestampsMillis[end - 1] &- timestampsMillis[start]), to: &series)
            WALRecord.appendUVarint(UInt64(end - start), to: &series)
            WALRecord.appendUVarint(UInt64(offset), to: &series)
            WALRecord.appendUVarint(UInt64(chunkBytes.count), to: &series)
            start = end
        }
        minTime = min(minTime, timestampsMillis[0])
        maxTime = max(maxTime, timestampsMillis[n - 1])
        sampleCount += UInt64(n)
        labels.forEachBytes { name, value in
            postings[PostingKey(org: orgBytes, name: Array(name), value: Array(value)), default: []].append(id)
        }
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

    private var writtenBytes = 0

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
        section(.series, series, &pending)
        section(.seriesOffsets, seriesOffsets, &pending)
        series = []
        seriesOffsets = []
        var (postingsBytes, postingsOffsets) = encodePostings()
        section(.postings, postingsBytes, &pending)
        section(.postingsOffsets, postingsOffsets, &pending)
        postingsBytes = []
        postingsOffsets = []
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

    /// Sorts the postings by (organisation, name, value) and encodes them with their offsets.
    private func encodePostings() -> (bytes: [UInt8], offsets: [UInt8]) {
        let keys = postings.keys.sorted { a, b in
            if a.org != b.org { return a.org.lexicographicallyPrecedes(b.org) }
            if a.name != b.name { return a.name.lexicographicallyPrecedes(b.name) }
            return a.value.lexicographicallyPrecedes(b.value)
        }
        var bytes: [UInt8] = []
        var offsets: [UInt8] = []
        offsets.reserveCapacity(keys.count * 8)
        for key in keys {
            BlockBytes.appendU64(UInt64(bytes.count), to: &offsets)
            BlockBytes.appendBytes(key.org, to: &bytes)
            BlockBytes.appendBytes(key.name, to: &bytes)
            BlockBytes.appendBytes(key.value, to: &bytes)
            let ids = postings[key] ?? []
            WALRecord.appendUVarint(UInt64(ids.count), to: &bytes)
            var previous: UInt32 = 0
            for id in ids {
                WALRecord.appendUVarint(UInt64(id - previous), to: &bytes)
                previous = id
            }
        }
        return (bytes, offsets)
    }

    /// Abandons the block: closes and removes the temporary file.
    func abandon() {
        file.close()
        try? Directory.remove(directory + "/" + Self.temporaryName(seq))
    }
}
