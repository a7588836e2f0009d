import BasinModel
import BasinWire
import Foundation
import Testing

@Suite("Zstandard decoder: fixtures made by the zstd CLI")
struct ZstdFixtureTests {
    static let fixtures = [
        "empty.level3.zst",                   // an empty frame: one empty raw block
        "tiny.level3.zst",                    // 300 bytes: single-stream Huffman literals
        "small.level3.zst",
        "small.no-check.zst",
        "random-bytes.level3.zst",            // incompressible: raw blocks
        "rle-run.level3.zst",                 // one byte 50,000 times: an RLE block
        "ndjson-logs.level1.zst",
        "ndjson-logs.level3.zst",
        "ndjson-logs.level9.zst",
        "ndjson-logs.level19.zst",
        "ndjson-logs.level22.zst",
        "ndjson-logs.check.zst",
        "ndjson-logs.no-check.zst",
        "ndjson-logs.no-content-size.zst",
        "ndjson-logs.streamed.zst",           // from a pipe: no content size, a 2 MiB window
        "text.level1.zst",
        "text.level3.zst",
        "text.level9.zst",
        "text.level19.zst",
        "text.level22.zst",
        "text.concatenated.zst",              // two frames, the second without a checksum
        "text.skippable.zst",                 // a skippable frame, then the frame
        "large-multiblock.level3.zst",        // 160 KB of output: several blocks, repeat tables
        "large-multiblock.level19.zst",
        "large-multiblock.streamed.zst",
        "ndjson-300k.level19.zst",            // treeless literals and repeat-mode tables
    ]

    @Test("decompresses to the original bytes", arguments: fixtures)
    func decompresses(name: String) throws {
        let input = try ZstdFixtures.bytes(name)
        let output = try zstdDecompress(input).get()
        let stem = ZstdFixtures.stem(name)
        if let raw = try? ZstdFixtures.bytes(stem + ".raw") {
            #expect(output.count == raw.count)
            #expect(output == raw)
        } else {
            let expected = String(decoding: try ZstdFixtures.bytes(stem + ".sha256"), as: UTF8.self)
                .trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(TestSHA256.hex(output) == expected)
        }
    }

    @Test("decompresses with the limit set to exactly the output size", arguments: fixtures)
    func decompressesAtTheExactLimit(name: String) throws {
        let input = try ZstdFixtures.bytes(name)
        let size = try zstdDecompress(input).get().count
        #expect(try zstdDecompress(input, maxOutputBytes: size).get().count == size)
        if size > 0 {
            #expect(zstdDecompress(input, maxOutputBytes: size - 1).failure?.kind == .payloadTooLarge)
        }
    }

    @Test("every committed .zst fixture is in the table")
    func everyFixtureIsListed() throws {
        let directory = try #require(ZstdFixtures.directory)
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".zst") }
        #expect(Set(names) == Set(Self.fixtures))
    }

    @Test("the test SHA-256 matches a known vector")
    func sha256KnownVector() {
        #expect(TestSHA256.hex(Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }
}
