extension ZstdWorkspace {
    /// Decodes the literals section at the start of a compressed block into ``literals``.
    /// - Returns: how many literals there are and how many bytes the section took.
    func decodeLiterals(
        _ block: UnsafeRawBufferPointer, maxCount: Int
    ) throws(ZstdError) -> (count: Int, size: Int) {
        guard let first = block.first else { throw .corrupt("literals section is missing") }
        let type = Int(first & 3)
        let sizeFormat = Int(first >> 2) & 3
        if type < 2 {
            let headerSize = sizeFormat & 1 == 0 ? 1 : sizeFormat == 1 ? 2 : 3
            guard block.count >= headerSize else { throw .corrupt("literals section header is truncated") }
            let count: Int
            switch headerSize {
            case 1: count = Int(first >> 3)
            case 2: count = Int(first >> 4) | Int(block[1]) << 4
            default: count = Int(first >> 4) | Int(block[1]) << 4 | Int(block[2]) << 12
            }
            guard count <= maxCount else { throw .corrupt("block has \(count) literals, over the block size") }
            if type == 0 {
                guard block.count - headerSize >= count else { throw .corrupt("raw literals are truncated") }
                if count > 0, let source = block.baseAddress {
                    literals.update(from: source.advanced(by: headerSize).assumingMemoryBound(to: UInt8.self), count: count)
                }
                return (count, headerSize + count)
            }
            guard block.count > headerSize else { throw .corrupt("RLE literals are truncated") }
            literals.update(repeating: block[headerSize], count: count)
            return (count, headerSize + 1)
        }
        let headerSize = sizeFormat < 2 ? 3 : sizeFormat + 2
        let sizeBits = [10, 10, 14, 18][sizeFormat]
        guard block.count >= headerSize else { throw .corrupt("literals section header is truncated") }
        var header: UInt64 = 0
        for i in 0..<headerSize { header |= UInt64(block[i]) << (8 * UInt64(i)) }
        let mask: UInt64 = (1 << UInt64(sizeBits)) - 1
        let count = Int((header >> 4) & mask)
        let compressedSize = Int((header >> (4 + UInt64(sizeBits))) & mask)
        guard count <= maxCount else { throw .corrupt("block has \(count) literals, over the block size") }
        guard block.count - headerSize >= compressedSize else { throw .corrupt("compressed literals are truncated") }
        var streams = UnsafeRawBufferPointer(rebasing: block[headerSize..<(headerSize + compressedSize)])
        if type == 2 {
            let (table, treeSize) = try ZstdHuffman.readTable(streams)
            huffman = table
            streams = UnsafeRawBufferPointer(rebasing: streams[treeSize...])
        }
        guard let table = huffman else {
            throw .corrupt("treeless literals without a previous Huffman table")
        }
        try ZstdHuffman.decodeLiterals(streams, fourStreams: sizeFormat != 0, table: table, into: literals, count: count)
        return (count, headerSize + compressedSize)
    }
}
