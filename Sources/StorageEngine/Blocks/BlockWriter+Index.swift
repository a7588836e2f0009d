#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import BasinModel

/// Encoding of the version-2 index sections (layout in `Docs/blocks.md`): symbols, series and
/// postings, with `u32` offset tables.
extension BlockWriter {
    /// Encodes SYMBOLS, SYMBOL_OFFSETS, SERIES, SERIES_OFFSETS, POSTINGS and POSTINGS_OFFSETS,
    /// in file order.
    ///
    /// Symbols are sorted bytewise, so comparing two symbol ids compares their strings: series
    /// and postings keep the byte order of version 1 while storing only ids.
    ///
    /// - Parameter minTimeMillis: the block's first sample time; chunk times are stored from it.
    /// - Throws: ``FileIOError`` (`EFBIG`) when an index section would reach 4 GiB, beyond what a
    ///   `u32` offset addresses.
    func encodeIndex(minTimeMillis: Int64, path: String) throws(FileIOError) -> [(BlockFormat.Section, [UInt8])] {
        let order = symbolList.indices.sorted { symbolList[$0].lexicographicallyPrecedes(symbolList[$1]) }
        var final = [UInt32](repeating: 0, count: symbolList.count)
        for (rank, provisional) in order.enumerated() { final[provisional] = UInt32(rank) }
        var symbols: [UInt8] = []
        var symbolOffsets: [UInt8] = []
        symbolOffsets.reserveCapacity(order.count * 4)
        for provisional in order {
            try Self.appendOffset(symbols.count, to: &symbolOffsets, path: path)
            BlockBytes.appendBytes(symbolList[provisional], to: &symbols)
        }
        let (series, seriesOffsets) = try encodeSeries(final, minTimeMillis: minTimeMillis, path: path)
        let (postingsBytes, postingsOffsets) = try encodePostings(final, path: path)
        return [(.symbols, symbols), (.symbolOffsets, symbolOffsets), (.series, series), (.seriesOffsets, seriesOffsets),
                (.postings, postingsBytes), (.postingsOffsets, postingsOffsets)]
    }

    /// Series entries in the order they were added, with final symbol ids.
    private func encodeSeries(_ final: [UInt32], minTimeMillis: Int64, path: String) throws(FileIOError) -> (bytes: [UInt8], offsets: [UInt8]) {
        var bytes: [UInt8] = []
        var offsets: [UInt8] = []
        bytes.reserveCapacity(seriesSymbols.count * 2 + seriesTails.count + seriesHeads.count * 8)
        offsets.reserveCapacity(seriesHeads.count * 4)
        var s = 0
        var tailStart = 0
        for (i, head) in seriesHeads.enumerated() {
            try Self.appendOffset(bytes.count, to: &offsets, path: path)
            WALRecord.appendUVarint(UInt64(final[Int(seriesSymbols[s])]), to: &bytes)
            let labelCount = Int(seriesSymbols[s + 1])
            WALRecord.appendUVarint(UInt64(labelCount), to: &bytes)
            s += 2
            for _ in 0..<(2 * labelCount) {
                WALRecord.appendUVarint(UInt64(final[Int(seriesSymbols[s])]), to: &bytes)
                s += 1
            }
            bytes.append(head.kind.rawValue)
            WALRecord.appendUVarint(UInt64(head.chunkCount), to: &bytes)
            WALRecord.appendUVarint(UInt64(bitPattern: head.firstMillis &- minTimeMillis), to: &bytes)
            bytes.append(contentsOf: seriesTails[tailStart..<seriesTailEnds[i]])
            tailStart = seriesTailEnds[i]
        }
        return (bytes, offsets)
    }

    /// Postings sorted by (organisation, name, value), which sorted symbol ids give directly.
    private func encodePostings(_ final: [UInt32], path: String) throws(FileIOError) -> (bytes: [UInt8], offsets: [UInt8]) {
        let keys = postings.keys.map { k in
            (final: PostingKey(org: final[Int(k.org)], name: final[Int(k.name)], value: final[Int(k.value)]), provisional: k)
        }.sorted { a, b in
            (a.final.org, a.final.name, a.final.value) < (b.final.org, b.final.name, b.final.value)
        }
        var bytes: [UInt8] = []
        var offsets: [UInt8] = []
        offsets.reserveCapacity(keys.count * 4)
        for key in keys {
            try Self.appendOffset(bytes.count, to: &offsets, path: path)
            WALRecord.appendUVarint(UInt64(key.final.org), to: &bytes)
            WALRecord.appendUVarint(UInt64(key.final.name), to: &bytes)
            WALRecord.appendUVarint(UInt64(key.final.value), to: &bytes)
            let ids = postings[key.provisional] ?? []
            WALRecord.appendUVarint(UInt64(ids.count), to: &bytes)
            var previous: UInt32 = 0
            for id in ids {
                WALRecord.appendUVarint(UInt64(id - previous), to: &bytes)
                previous = id
            }
        }
        return (bytes, offsets)
    }

    /// Appends a `u32` offset, or throws when the section has outgrown it.
    private static func appendOffset(_ offset: Int, to out: inout [UInt8], path: String) throws(FileIOError) {
        guard offset <= Int(UInt32.max) else {
            throw FileIOError(operation: "block index section over 4 GiB", path: path, errnoValue: EFBIG)
        }
        BlockBytes.appendU32(UInt32(offset), to: &out)
    }
}
