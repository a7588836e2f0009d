#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Constants and small helpers of the block file format (layout in `Docs/blocks.md`).
enum BlockFormat {
    /// The first four bytes of a block file and its last four: "BBLK".
    static let magic: [UInt8] = [0x42, 0x42, 0x4C, 0x4B]
    /// The format version this engine writes; it reads every version in ``readableVersions``.
    static let version: UInt8 = 2
    /// The versions this engine reads (the table in `Docs/blocks.md`).
    static let readableVersions: ClosedRange<UInt8> = 1...2
    /// Bytes before the first section: magic, version, three reserved bytes.
    static let headerSize = 8
    /// Bytes of one table-of-contents entry: `u32 id, u64 offset, u64 length, u32 crc32c`.
    static let tocEntrySize = 24
    /// Bytes at the very end: `u64 toc offset`, magic.
    static let trailerSize = 12
    /// The most samples the writer puts into one chunk.
    static let samplesPerChunk = 240
    /// File name suffix of a complete block.
    static let fileSuffix = ".block"
    /// File name suffix of a block being written (deleted at start-up).
    static let temporarySuffix = ".tmp"

    /// Section identifiers (the `id` of a table-of-contents entry).
    enum Section: UInt32, CaseIterable {
        /// Chunks: for each chunk `u32 crc32c` then the chunk bytes (`Docs/chunks.md`).
        case chunks = 1
        /// Series entries, sorted by organisation and labels.
        case series = 2
        /// Offset of each series entry within ``series`` (`u64` in version 1, `u32` from
        /// version 2); the index is the series id.
        case seriesOffsets = 3
        /// Postings entries sorted by (organisation, label name, label value).
        case postings = 4
        /// Offset of each postings entry within ``postings`` (`u64` / `u32` as above).
        case postingsOffsets = 5
        /// Time range, window, counts and provenance.
        case meta = 6
        /// Version 2: every distinct organisation, label name and label value, sorted bytewise.
        case symbols = 7
        /// Version 2: `u32` offset of each symbol within ``symbols``; the index is the symbol id.
        case symbolOffsets = 8
    }

    /// Bytes of one entry of an offset table in a block of `version`: 8 in version 1, then 4.
    static func offsetWidth(version: UInt8) -> Int { version == 1 ? 8 : 4 }

    /// The file name of the block with sequence number `seq`.
    static func fileName(seq: UInt64) -> String {
        let hex = String(seq, radix: 16)
        return String(repeating: "0", count: max(0, 16 - hex.count)) + hex + fileSuffix
    }

    /// The sequence number in a block file name, or nil for other names.
    static func seq(ofFileName name: String) -> UInt64? {
        guard name.hasSuffix(fileSuffix) else { return nil }
        let stem = name.dropLast(fileSuffix.count)
        guard stem.count == 16 else { return nil }
        return UInt64(stem, radix: 16)
    }
}

/// What a block's META section records.
struct BlockMeta: Sendable, Equatable {
    /// Orders blocks: where two blocks hold the same (series, timestamp), the higher `seq` wins.
    var seq: UInt64
    /// The first and last sample timestamp in the block (inclusive).
    var minTimeMillis: Int64
    var maxTimeMillis: Int64
    /// The aligned time window the block belongs to: every sample lies in
    /// `windowStartMillis ..< windowEndMillis`. Compaction merges blocks of one window.
    var windowStartMillis: Int64
    var windowEndMillis: Int64
    var seriesCount: UInt64
    var sampleCount: UInt64
    /// The blocks this one was compacted from (empty for a block cut from the head). At
    /// start-up a block listed here is deleted: the compacted block replaced it.
    var sources: [UInt64]

    var windowMillis: Int64 { windowEndMillis &- windowStartMillis }

    func encode(into out: inout [UInt8]) {
        for v in [seq, UInt64(bitPattern: minTimeMillis), UInt64(bitPattern: maxTimeMillis),
                  UInt64(bitPattern: windowStartMillis), UInt64(bitPattern: windowEndMillis),
                  seriesCount, sampleCount, UInt64(sources.count)] + sources {
            BlockBytes.appendU64(v, to: &out)
        }
    }

    static func decode(_ bytes: UnsafeRawBufferPointer) -> BlockMeta? {
        guard bytes.count >= 64 else { return nil }
        func u64(_ i: Int) -> UInt64 { UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: i * 8, as: UInt64.self)) }
        let sourceCount = u64(7)
        guard sourceCount <= UInt64((bytes.count - 64) / 8), bytes.count == 64 + Int(sourceCount) * 8 else { return nil }
        return BlockMeta(
            seq: u64(0), minTimeMillis: Int64(bitPattern: u64(1)), maxTimeMillis: Int64(bitPattern: u64(2)),
            windowStartMillis: Int64(bitPattern: u64(3)), windowEndMillis: Int64(bitPattern: u64(4)),
            seriesCount: u64(5), sampleCount: u64(6), sources: (0..<Int(sourceCount)).map { u64(8 + $0) })
    }
}

/// Little-endian and varint helpers shared by the block writer and reader.
enum BlockBytes {
    @inline(__always)
    static func appendU64(_ v: UInt64, to out: inout [UInt8]) {
        withUnsafeBytes(of: v.littleEndian) { out.append(contentsOf: $0) }
    }

    @inline(__always)
    static func appendU32(_ v: UInt32, to out: inout [UInt8]) {
        withUnsafeBytes(of: v.littleEndian) { out.append(contentsOf: $0) }
    }

    @inline(__always)
    static func appendZVarint(_ v: Int64, to out: inout [UInt8]) {
        WALRecord.appendUVarint(UInt64(bitPattern: (v << 1) ^ (v >> 63)), to: &out)
    }

    @inline(__always)
    static func appendBytes(_ bytes: some Collection<UInt8>, to out: inout [UInt8]) {
        WALRecord.appendUVarint(UInt64(bytes.count), to: &out)
        out.append(contentsOf: bytes)
    }

    @inline(__always)
    static func u64(_ bytes: UnsafeRawBufferPointer, at offset: Int) -> UInt64 {
        UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }

    /// The entry `index` of an offset table of `width`-byte little-endian integers at `start`.
    @inline(__always)
    static func offset(_ bytes: UnsafeRawBufferPointer, table start: Int, width: Int, index: Int) -> Int {
        let at = start + index * width
        return width == 4 ? Int(u32(bytes, at: at)) : Int(truncatingIfNeeded: u64(bytes, at: at))
    }

    @inline(__always)
    static func u32(_ bytes: UnsafeRawBufferPointer, at offset: Int) -> UInt32 {
        UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
    }

    /// Byte-wise lexicographic order of two byte strings.
    @inline(__always)
    static func compare(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Int {
        let n = min(a.count, b.count)
        if n > 0, let pa = a.baseAddress, let pb = b.baseAddress {
            let c = memcmp(pa, pb, n)
            if c != 0 { return c < 0 ? -1 : 1 }
        }
        return a.count == b.count ? 0 : (a.count < b.count ? -1 : 1)
    }
}

extension PayloadCursor {
    /// A length-prefixed byte string, or nil when the bytes end first.
    @inline(__always)
    mutating func readLengthPrefixed() -> UnsafeRawBufferPointer? {
        guard let n = readUVarint(), n <= UInt64(remaining) else { return nil }
        return readBytes(Int(n))
    }

    /// A zigzag varint, or nil when the bytes end first.
    @inline(__always)
    mutating func readZVarint() -> Int64? {
        guard let u = readUVarint() else { return nil }
        return Int64(bitPattern: (u >> 1) ^ (0 &- (u & 1)))
    }
}
