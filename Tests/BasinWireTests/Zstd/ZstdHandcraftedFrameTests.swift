import BasinModel
import BasinWire
import Testing

/// Frames written by hand for block features the zstd CLI rarely emits for small inputs.
@Suite("Zstandard decoder: hand-written frames")
struct ZstdHandcraftedFrameTests {
    /// A frame without content size or checksum, a 1 KiB window, and `blocks` as compressed blocks.
    static func frame(_ blocks: [[UInt8]]) -> [UInt8] {
        var out: [UInt8] = [0x28, 0xB5, 0x2F, 0xFD, 0x00, 0x00]
        for (index, block) in blocks.enumerated() {
            let header = block.count << 3 | 2 << 1 | (index == blocks.count - 1 ? 1 : 0)
            out += [UInt8(header & 0xFF), UInt8(header >> 8 & 0xFF), UInt8(header >> 16 & 0xFF)]
            out += block
        }
        return out
    }

    /// Huffman tree description with direct 4-bit weights: 'a' (97) has weight 1, and 'b' (98)
    /// gets the implied last weight 1, so 'a' is the bit 0 and 'b' the bit 1.
    static let directTree: [UInt8] = [127 + 98] + [UInt8](repeating: 0, count: 48) + [0x01]

    static let cases: [(what: String, input: [UInt8], expected: String)] = [
        ("RLE literals and no sequences",
         frame([[5 << 3 | 1, UInt8(ascii: "q"), 0x00]]), "qqqqq"),
        ("raw literals and no sequences",
         frame([[3 << 3, UInt8(ascii: "x"), UInt8(ascii: "y"), UInt8(ascii: "z"), 0x00]]), "xyz"),
        // Three sequences with RLE tables (literal length 2, offset code 0 = repeat offset 1,
        // match length 4) need no bits at all; the second block repeats all three tables.
        ("RLE sequence tables, then repeat mode",
         frame([
            [6 << 3] + Array("abcdef".utf8) + [0x03, 0x54, 0x02, 0x00, 0x01, 0x01],
            [2 << 3] + Array("gh".utf8) + [0x01, 0xFC, 0x01],
         ]), "abbbbbcdddddefffffghhhhh"),
        // Huffman literals with a direct-weights tree ("abba" = bits 0110 under the end marker),
        // then treeless literals reusing that tree ("baab" = 1001).
        ("direct Huffman weights, then treeless literals",
         frame([
            [0x42, 0xC0, 0x0C] + directTree + [0x16, 0x00],
            [0x43, 0x40, 0x00, 0x19, 0x00],
         ]), "abbabaab"),
    ]

    @Test("decodes", arguments: cases)
    func decodes(what: String, input: [UInt8], expected: String) throws {
        let output = try zstdDecompress(input).get()
        #expect(String(decoding: output, as: UTF8.self) == expected, "\(what)")
    }

    @Test("a new frame forgets the previous frame's tables")
    func tablesDoNotCrossFrames() throws {
        let first = Self.frame([[0x42, 0xC0, 0x0C] + Self.directTree + [0x16, 0x00]])
        let second = Self.frame([[0x43, 0x40, 0x00, 0x19, 0x00]])
        let error = try #require(zstdDecompress(first + second).failure)
        #expect(error.message.contains("treeless literals without a previous Huffman table"))
    }
}
