import BasinModel

/// A Zstandard decompressor (RFC 8878) for `Content-Encoding: zstd` bodies.
///
/// Supports every frame feature but dictionaries: raw, RLE and compressed blocks; raw, RLE,
/// Huffman and treeless literals in one or four streams; predefined, RLE, FSE and repeat
/// sequence tables; repeat offsets; content checksums (verified); skippable frames; and any
/// number of concatenated frames. The whole output is kept, so the window is never copied.
public enum ZstdDecoder {
    /// Decompresses every frame of `input`; at most `maxOutputBytes` of output.
    ///
    /// - Throws: ``ZstdError`` of kind `payloadTooLarge` when the output would exceed the limit
    ///   (a declared content size over it fails before anything is allocated); `badRequest`
    ///   with a message saying what is wrong for corrupt, truncated or unsupported input.
    public static func decompress(_ input: UnsafeRawBufferPointer, maxOutputBytes: Int) throws(ZstdError) -> [UInt8] {
        guard !input.isEmpty else { throw .corrupt("input is empty, not a zstd frame") }
        var output = ZstdOutputBuffer(limit: max(0, maxOutputBytes), initialCapacity: 0)
        defer { output.deallocate() }
        var workspace: ZstdWorkspace?
        var position = 0
        while position < input.count {
            guard input.count - position >= 4 else { throw .corrupt("truncated frame at byte \(position)") }
            let magic = readUInt32(input, at: position)
            if magic & 0xFFFF_FFF0 == ZstdFrameHeader.skippableMagic {
                guard input.count - position >= 8 else { throw .corrupt("truncated skippable frame at byte \(position)") }
                let size = Int(readUInt32(input, at: position + 4))
                guard input.count - position - 8 >= size else {
                    throw .corrupt("skippable frame at byte \(position) is truncated")
                }
                position += 8 + size
                continue
            }
            guard magic == ZstdFrameHeader.magic else {
                throw .corrupt("no zstd frame at byte \(position) (magic number 0x\(String(magic, radix: 16)))")
            }
            position = try decodeFrame(input, at: position, output: &output, workspace: &workspace)
        }
        return output.makeArray()
    }

    static func readUInt32(_ input: UnsafeRawBufferPointer, at position: Int) -> UInt32 {
        UInt32(input[position]) | UInt32(input[position + 1]) << 8 | UInt32(input[position + 2]) << 16
            | UInt32(input[position + 3]) << 24
    }
}
