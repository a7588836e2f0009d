import BasinModel

/// A Zstandard frame header (RFC 8878 section 3.1.1.1).
struct ZstdFrameHeader {
    static let magic: UInt32 = 0xFD2F_B528
    /// Skippable frames have magic numbers 0x184D2A50...0x184D2A5F.
    static let skippableMagic: UInt32 = 0x184D_2A50
    /// Windows above 2^31 bytes are refused (the reference decoder's own maximum).
    static let maxWindowLog = 31

    /// The largest back-reference distance the frame may use.
    var windowSize: Int
    /// The declared decompressed size, when the frame declares it.
    var contentSize: Int?
    /// Whether a 4-byte checksum of the content follows the last block.
    var hasChecksum: Bool
    /// Bytes from the magic number to the first block.
    var size: Int

    /// Reads the header of the frame whose magic number starts at `start`.
    ///
    /// - Parameter maxContentBytes: the most output the caller still accepts; a larger declared
    ///   content size is `payloadTooLarge` before anything is allocated.
    init(_ input: UnsafeRawBufferPointer, at start: Int, maxContentBytes: Int, limit: Int) throws(ZstdError) {
        var position = start + 4
        guard position < input.count else { throw .corrupt("zstd frame header at byte \(start) is truncated") }
        let descriptor = input[position]
        position += 1
        let contentSizeFlag = Int(descriptor >> 6)
        let singleSegment = descriptor & 0x20 != 0
        guard descriptor & 0x08 == 0 else {
            throw .corrupt("zstd frame header at byte \(start) has the reserved bit set")
        }
        hasChecksum = descriptor & 0x04 != 0
        let dictionaryIDSize = [0, 1, 2, 4][Int(descriptor & 3)]
        let contentSizeSize = [singleSegment ? 1 : 0, 2, 4, 8][contentSizeFlag]
        let fieldsSize = (singleSegment ? 0 : 1) + dictionaryIDSize + contentSizeSize
        guard input.count - position >= fieldsSize else {
            throw .corrupt("zstd frame header at byte \(start) is truncated")
        }
        var windowSize = 0
        if !singleSegment {
            let windowDescriptor = Int(input[position])
            position += 1
            let windowLog = 10 + windowDescriptor >> 3
            guard windowLog <= Self.maxWindowLog else {
                throw .corrupt("zstd frame at byte \(start) needs a window of 2^\(windowLog) bytes, over the maximum of 2^\(Self.maxWindowLog)")
            }
            windowSize = (1 << windowLog) + ((1 << windowLog) >> 3) * (windowDescriptor & 7)
        }
        let dictionaryID = Self.readLittleEndian(input, at: position, size: dictionaryIDSize)
        position += dictionaryIDSize
        guard dictionaryID == 0 else {
            throw .corrupt("zstd frame at byte \(start) needs dictionary \(dictionaryID); dictionaries are not supported")
        }
        if contentSizeSize > 0 {
            var declared = Self.readLittleEndian(input, at: position, size: contentSizeSize)
            if contentSizeSize == 2 { declared += 256 }
            guard declared <= UInt64(maxContentBytes) else {
                throw ZstdError(
                    kind: .payloadTooLarge,
                    message: "zstd frame declares \(declared) bytes of content, over the limit of \(limit) bytes")
            }
            contentSize = Int(declared)
            if singleSegment { windowSize = Int(declared) }
        } else {
            contentSize = nil
        }
        position += contentSizeSize
        self.windowSize = windowSize
        size = position - start
    }

    private static func readLittleEndian(_ input: UnsafeRawBufferPointer, at position: Int, size: Int) -> UInt64 {
        var value: UInt64 = 0
        for i in 0..<size { value |= UInt64(input[position + i]) << (8 * UInt64(i)) }
        return value
    }
}
