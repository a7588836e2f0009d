/// Memory and entropy state for decoding compressed blocks, shared by the frames of one
/// decompression and allocated on its first compressed block (raw and RLE blocks never pay for
/// it). The tables and repeat offsets carry over between the blocks of one frame and are reset
/// by ``startFrame()``.
final class ZstdWorkspace {
    static let maxBlockSize = 128 * 1024

    /// Where a block's literals are regenerated (with slack for 16-byte copies).
    let literals: UnsafeMutablePointer<UInt8>
    var huffman: ZstdHuffmanTable?
    var tables: [ZstdSequenceTableSlot]
    var repeatOffsets: (Int, Int, Int) = (1, 4, 8)

    init() {
        literals = .allocate(capacity: Self.maxBlockSize + ZstdOutputBuffer.slack)
        literals.initialize(repeating: 0, count: Self.maxBlockSize + ZstdOutputBuffer.slack)
        tables = ZstdSequenceField.allCases.map { ZstdSequenceTableSlot(maxAccuracyLog: $0.maxAccuracyLog) }
    }

    deinit {
        literals.deallocate()
        for slot in tables { slot.deallocate() }
    }

    func startFrame() {
        huffman = nil
        for i in tables.indices { tables[i].isDefined = false }
        repeatOffsets = (1, 4, 8)
    }
}
