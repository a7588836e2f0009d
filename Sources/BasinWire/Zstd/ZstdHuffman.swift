/// A Huffman decoding table for literals (RFC 8878 section 4.2): indexed by the next `maxBits`
/// bits of a stream, each entry holds `symbol << 8 | bitsToConsume`.
struct ZstdHuffmanTable {
    var entries: [UInt16]
    var maxBits: Int
}

/// Huffman tree descriptions and literal streams.
enum ZstdHuffman {
    static let maxCodeBits = 11
    private static let maxWeightsAccuracyLog = 6

    /// Reads the tree description at the start of `bytes`; returns the table and the bytes it took.
    static func readTable(_ bytes: UnsafeRawBufferPointer) throws(ZstdError) -> (table: ZstdHuffmanTable, size: Int) {
        guard let header = bytes.first else { throw .corrupt("Huffman tree description is truncated") }
        var weights: [UInt8] = []
        let size: Int
        if header < 128 {
            size = 1 + Int(header)
            guard header > 0, size <= bytes.count else { throw .corrupt("Huffman tree description is truncated") }
            weights = try decodeCompressedWeights(UnsafeRawBufferPointer(rebasing: bytes[1..<size]))
        } else {
            let count = Int(header) - 127
            size = 1 + (count + 1) / 2
            guard size <= bytes.count else { throw .corrupt("Huffman tree description is truncated") }
            weights.reserveCapacity(count)
            for i in 0..<count {
                let byte = bytes[1 + i / 2]
                weights.append(i & 1 == 0 ? byte >> 4 : byte & 0x0F)
            }
        }
        return (try buildTable(weights), size)
    }

    /// Decodes FSE-compressed weights: two interleaved states share one backward bitstream.
    private static func decodeCompressedWeights(_ bytes: UnsafeRawBufferPointer) throws(ZstdError) -> [UInt8] {
        let distribution = try ZstdFSE.readDistribution(
            bytes, maxAccuracyLog: maxWeightsAccuracyLog, maxSymbol: maxCodeBits, what: "Huffman weights")
        let table = try ZstdFSE.buildTable(distribution.counts, accuracyLog: distribution.accuracyLog, what: "Huffman weights")
        let accuracyLog = distribution.accuracyLog
        var reader = try ZstdBackwardBitReader(
            UnsafeRawBufferPointer(rebasing: bytes[distribution.size...]), what: "Huffman weights")
        var weights: [UInt8] = []
        weights.reserveCapacity(256)
        var state1 = Int(reader.read(accuracyLog))
        var state2 = Int(reader.read(accuracyLog))
        reader.reload()
        while weights.count < 255 {
            weights.append(table[state1].symbol)
            state1 = Int(table[state1].baseline) + Int(reader.read(Int(table[state1].nbBits)))
            reader.reload()
            if reader.isOverflowed {
                weights.append(table[state2].symbol)
                break
            }
            weights.append(table[state2].symbol)
            state2 = Int(table[state2].baseline) + Int(reader.read(Int(table[state2].nbBits)))
            reader.reload()
            if reader.isOverflowed {
                weights.append(table[state1].symbol)
                break
            }
        }
        guard weights.count <= 255, reader.isOverflowed else { throw .corrupt("Huffman weights are corrupt") }
        return weights
    }

    /// Builds the decoding table from the weights of all symbols but the last, whose weight is
    /// implied by the others summing to a power of two.
    static func buildTable(_ weights: [UInt8]) throws(ZstdError) -> ZstdHuffmanTable {
        var sum = 0
        for weight in weights {
            guard weight <= maxCodeBits else { throw .corrupt("Huffman weight \(weight) is out of range") }
            if weight > 0 { sum += 1 << (Int(weight) - 1) }
        }
        guard sum > 0 else { throw .corrupt("Huffman weights are all zero") }
        let maxBits = Int.bitWidth - sum.leadingZeroBitCount
        guard maxBits <= maxCodeBits else { throw .corrupt("Huffman codes are longer than \(maxCodeBits) bits") }
        let rest = (1 << maxBits) - sum
        guard rest & (rest - 1) == 0 else { throw .corrupt("Huffman weights do not form a complete tree") }
        let lastWeight = UInt8(Int.bitWidth - rest.leadingZeroBitCount)
        var all = weights
        all.append(lastWeight)
        var entries = [UInt16](repeating: 0, count: 1 << maxBits)
        var position = 0
        for weight in 1...maxBits {
            let span = 1 << (weight - 1)
            let value = UInt16(maxBits + 1 - weight)
            for (symbol, w) in all.enumerated() where Int(w) == weight {
                let entry = UInt16(truncatingIfNeeded: symbol) << 8 | value
                for i in position..<(position + span) { entries[i] = entry }
                position += span
            }
        }
        return ZstdHuffmanTable(entries: entries, maxBits: maxBits)
    }

    /// Decodes `count` literals from one stream (`fourStreams == false`) or from four streams
    /// behind a 6-byte jump table into `out`.
    static func decodeLiterals(
        _ bytes: UnsafeRawBufferPointer, fourStreams: Bool, table: ZstdHuffmanTable,
        into out: UnsafeMutablePointer<UInt8>, count: Int
    ) throws(ZstdError) {
        try table.entries.withUnsafeBufferPointer { (entries) throws(ZstdError) in
            guard let entries = entries.baseAddress else { throw .corrupt("Huffman table is empty") }
            guard fourStreams else {
                try decodeStream(bytes, entries, table.maxBits, out, count)
                return
            }
            guard bytes.count >= 6 else { throw .corrupt("Huffman jump table is truncated") }
            let size1 = Int(bytes[0]) | Int(bytes[1]) << 8
            let size2 = Int(bytes[2]) | Int(bytes[3]) << 8
            let size3 = Int(bytes[4]) | Int(bytes[5]) << 8
            guard 6 + size1 + size2 + size3 < bytes.count else { throw .corrupt("Huffman jump table is invalid") }
            let segment = (count + 3) / 4
            let lastCount = count - 3 * segment
            guard lastCount >= 0 else { throw .corrupt("too few literals for four Huffman streams") }
            var start = 6
            for (index, size) in [size1, size2, size3, bytes.count - 6 - size1 - size2 - size3].enumerated() {
                let stream = UnsafeRawBufferPointer(rebasing: bytes[start..<(start + size)])
                try decodeStream(stream, entries, table.maxBits, out + index * segment, index == 3 ? lastCount : segment)
                start += size
            }
        }
    }

    @inline(__always)
    private static func decodeStream(
        _ bytes: UnsafeRawBufferPointer, _ entries: UnsafePointer<UInt16>, _ maxBits: Int,
        _ out: UnsafeMutablePointer<UInt8>, _ count: Int
    ) throws(ZstdError) {
        var reader = try ZstdBackwardBitReader(bytes, what: "Huffman literals")
        var i = 0
        while i &+ 4 <= count {
            reader.reload()
            var entry = entries[Int(reader.peek(maxBits))]
            out[i] = UInt8(truncatingIfNeeded: entry &>> 8)
            reader.skip(Int(entry & 0xFF))
            entry = entries[Int(reader.peek(maxBits))]
            out[i &+ 1] = UInt8(truncatingIfNeeded: entry &>> 8)
            reader.skip(Int(entry & 0xFF))
            entry = entries[Int(reader.peek(maxBits))]
            out[i &+ 2] = UInt8(truncatingIfNeeded: entry &>> 8)
            reader.skip(Int(entry & 0xFF))
            entry = entries[Int(reader.peek(maxBits))]
            out[i &+ 3] = UInt8(truncatingIfNeeded: entry &>> 8)
            reader.skip(Int(entry & 0xFF))
            i &+= 4
        }
        while i < count {
            reader.reload()
            let entry = entries[Int(reader.peek(maxBits))]
            out[i] = UInt8(truncatingIfNeeded: entry &>> 8)
            reader.skip(Int(entry & 0xFF))
            i &+= 1
        }
        reader.reload()
        guard reader.isFinished else { throw .corrupt("Huffman literal stream is corrupt") }
    }
}
