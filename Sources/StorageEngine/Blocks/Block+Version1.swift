import BasinModel

/// Version-1 index entries: organisation and label strings stored inline (`Docs/blocks.md`,
/// "Version 1"). Kept so that blocks written before version 2 stay readable.
extension Block {
    /// Decodes a version-1 series entry at `cursor`, or nil when it is malformed.
    func entryV1(_ cursor: inout PayloadCursor) -> SeriesEntry? {
        guard let org = cursor.readLengthPrefixed(), let labels = cursor.readLengthPrefixed(),
              let kindByte = cursor.readByte(), let chunkCount = cursor.readUVarint(), chunkCount <= UInt64(cursor.remaining) else {
            return nil
        }
        var metas: [ChunkMeta] = []
        metas.reserveCapacity(Int(chunkCount))
        for _ in 0..<chunkCount {
            guard let minT = cursor.readZVarint(), let span = cursor.readUVarint(), let count = cursor.readUVarint(),
                  let chunkOffset = cursor.readUVarint(), let length = cursor.readUVarint(),
                  isValidChunk(offset: chunkOffset, length: length, count: count) else {
                return nil
            }
            metas.append(ChunkMeta(
                minTimeMillis: minT, maxTimeMillis: minT &+ Int64(bitPattern: span), count: Int(count),
                offset: Int(chunkOffset), length: Int(length)))
        }
        return SeriesEntry(
            org: OrgID(String(decoding: org, as: UTF8.self)), labels: Labels(uncheckedBytes: Array(labels)),
            kind: MetricKind(rawValue: kindByte) ?? .unspecified, chunks: metas)
    }

    /// The organisation bytes of version-1 series `id` (borrowed from the mapping).
    func orgBytesV1(ofSeries id: Int) -> UnsafeRawBufferPointer? {
        let offset = seriesOffset(id)
        guard offset >= 0, offset < series.count else { return nil }
        var cursor = PayloadCursor(bytes: seriesBytes, position: offset)
        return cursor.readLengthPrefixed()
    }

    /// Reads the key of version-1 postings entry `i`: (org, name, value) and a cursor at its id list.
    func postingsKeyV1(_ i: Int) -> (org: UnsafeRawBufferPointer, name: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer, cursor: PayloadCursor)? {
        let offset = postingsOffset(i)
        guard offset >= 0, offset < postings.count else { return nil }
        var cursor = PayloadCursor(bytes: postingsBytes, position: offset)
        guard let org = cursor.readLengthPrefixed(), let name = cursor.readLengthPrefixed(), let value = cursor.readLengthPrefixed() else {
            return nil
        }
        return (org, name, value, cursor)
    }

    /// The version-1 postings entries of one (organisation, label name), as an index range.
    func postingsRangeV1(org: [UInt8], name: [UInt8]) -> Range<Int> {
        org.withUnsafeBytes { o in
            name.withUnsafeBytes { n in
                func order(_ i: Int) -> Int {
                    guard let key = postingsKeyV1(i) else { return 1 }
                    let c = BlockBytes.compare(key.org, o)
                    return c != 0 ? c : BlockBytes.compare(key.name, n)
                }
                let lower = partition(postingsCount) { order($0) < 0 }
                let upper = partition(postingsCount) { order($0) <= 0 }
                return lower..<max(lower, upper)
            }
        }
    }
}
