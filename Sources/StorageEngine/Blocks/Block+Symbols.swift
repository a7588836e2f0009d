import BasinModel

/// Version-2 index entries: strings are symbol ids into the sorted SYMBOLS section
/// (`Docs/blocks.md`). Because symbols are sorted bytewise, comparing two ids compares their
/// strings, so every lookup resolves its strings to ids once and then compares integers.
extension Block {
    /// The bytes of symbol `id` (borrowed from the mapping), or nil when out of range.
    func symbolBytes(_ id: UInt64) -> UnsafeRawBufferPointer? {
        guard id < UInt64(symbolCount) else { return nil }
        let offset = Int(BlockBytes.u32(file.bytes, at: symbolOffsets.lowerBound + Int(id) * 4))
        guard offset < symbols.count else { return nil }
        var cursor = PayloadCursor(bytes: UnsafeRawBufferPointer(rebasing: file.bytes[symbols]), position: offset)
        return cursor.readLengthPrefixed()
    }

    /// The id of the symbol equal to `string`, or nil when the block does not hold it.
    ///
    /// - Complexity: O(log S) comparisons for S symbols.
    func symbolID(_ string: String) -> UInt64? {
        var target = string
        return target.withUTF8 { utf8 -> UInt64? in
            let t = UnsafeRawBufferPointer(utf8)
            let i = partition(symbolCount) { id in BlockBytes.compare(symbolBytes(UInt64(id)) ?? .init(start: nil, count: 0), t) < 0 }
            guard i < symbolCount, let found = symbolBytes(UInt64(i)), BlockBytes.compare(found, t) == 0 else { return nil }
            return UInt64(i)
        }
    }

    /// Decodes a version-2 series entry at `cursor`, or nil when it is malformed.
    func entryV2(_ cursor: inout PayloadCursor) -> SeriesEntry? {
        guard let orgID = cursor.readUVarint(), let org = symbolBytes(orgID),
              let labelCount = cursor.readUVarint(), labelCount <= UInt64(cursor.remaining) else { return nil }
        var labels: [UInt8] = []
        labels.reserveCapacity(Int(labelCount) * 16)
        for _ in 0..<labelCount {
            guard let n = cursor.readUVarint(), let name = symbolBytes(n), let v = cursor.readUVarint(), let value = symbolBytes(v) else {
                return nil
            }
            BlockBytes.appendBytes(name, to: &labels)
            BlockBytes.appendBytes(value, to: &labels)
        }
        guard let kindByte = cursor.readByte(), let chunkCount = cursor.readUVarint(), chunkCount <= UInt64(cursor.remaining) else {
            return nil
        }
        var metas: [ChunkMeta] = []
        metas.reserveCapacity(Int(chunkCount))
        // The first chunk's time is from the block's minimum and its offset is explicit; each
        // later chunk starts after the previous chunk's maximum and right behind its bytes.
        var previousMax = meta.minTimeMillis
        var nextOffset: UInt64 = 0
        for k in 0..<chunkCount {
            guard let gap = cursor.readUVarint(), let span = cursor.readUVarint(), let count = cursor.readUVarint() else { return nil }
            let chunkOffset: UInt64
            if k == 0 {
                guard let explicit = cursor.readUVarint() else { return nil }
                chunkOffset = explicit
            } else {
                chunkOffset = nextOffset
            }
            guard let length = cursor.readUVarint(), isValidChunk(offset: chunkOffset, length: length, count: count) else { return nil }
            let minT = previousMax &+ Int64(bitPattern: gap)
            let maxT = minT &+ Int64(bitPattern: span)
            metas.append(ChunkMeta(minTimeMillis: minT, maxTimeMillis: maxT, count: Int(count), offset: Int(chunkOffset), length: Int(length)))
            previousMax = maxT
            nextOffset = chunkOffset &+ 4 &+ length
        }
        return SeriesEntry(
            org: OrgID(String(decoding: org, as: UTF8.self)), labels: Labels(uncheckedBytes: labels),
            kind: MetricKind(rawValue: kindByte) ?? .unspecified, chunks: metas)
    }

    /// The organisation symbol of version-2 series `id`.
    func orgSymbolV2(ofSeries id: Int) -> UInt64? {
        let offset = seriesOffset(id)
        guard offset >= 0, offset < series.count else { return nil }
        var cursor = PayloadCursor(bytes: seriesBytes, position: offset)
        return cursor.readUVarint()
    }

    /// Reads the key of version-2 postings entry `i` as symbol ids, and a cursor at its id list.
    func postingsKeyV2(_ i: Int) -> (org: UInt64, name: UInt64, value: UInt64, cursor: PayloadCursor)? {
        let offset = postingsOffset(i)
        guard offset >= 0, offset < postings.count else { return nil }
        var cursor = PayloadCursor(bytes: postingsBytes, position: offset)
        guard let org = cursor.readUVarint(), let name = cursor.readUVarint(), let value = cursor.readUVarint() else { return nil }
        return (org, name, value, cursor)
    }

    /// The first version-2 postings entry whose key is not below (org, name, value).
    func postingsLowerBoundV2(org: UInt64, name: UInt64, value: UInt64) -> Int {
        partition(postingsCount) { i in
            guard let key = postingsKeyV2(i) else { return false }
            return (key.org, key.name, key.value) < (org, name, value)
        }
    }
}
