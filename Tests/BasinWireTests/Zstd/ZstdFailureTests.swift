import BasinModel
import BasinWire
import Testing

@Suite("Zstandard decoder: corrupt, truncated and unsupported input")
struct ZstdFailureTests {
    static let smallFixtures = ["tiny.level3.zst", "small.level3.zst", "small.no-check.zst", "empty.level3.zst"]

    @Test("fails on every truncation, never traps", arguments: smallFixtures)
    func truncated(name: String) throws {
        let input = try ZstdFixtures.bytes(name)
        for cut in 0..<input.count {
            let error = zstdDecompress(Array(input[..<cut])).failure
            #expect(error?.kind == .badRequest, "cut at \(cut) of \(input.count)")
        }
    }

    @Test("with a checksum, a corrupted byte is an error or changes nothing", arguments: [0x01, 0x80, 0xFF] as [UInt8])
    func corruptedWithChecksum(mask: UInt8) throws {
        let input = try ZstdFixtures.bytes("small.level3.zst")
        let original = try zstdDecompress(input).get()
        for index in input.indices {
            var corrupted = input
            corrupted[index] ^= mask
            switch zstdDecompress(corrupted) {
            case .success(let output):
                #expect(output == original, "byte \(index) ^ \(mask)")
            case .failure(let error):
                #expect(error.kind == .badRequest || error.kind == .payloadTooLarge, "byte \(index) ^ \(mask)")
                #expect(!error.message.isEmpty)
            }
        }
    }

    @Test("without a checksum, a corrupted byte never traps", arguments: ["small.no-check.zst", "tiny.level3.zst"])
    func corruptedWithoutChecksum(name: String) throws {
        let input = try ZstdFixtures.bytes(name)
        for index in input.indices {
            for mask: UInt8 in [0x01, 0x10, 0x80, 0xFF] {
                var corrupted = input
                corrupted[index] ^= mask
                if case .failure(let error) = zstdDecompress(corrupted) {
                    #expect(error.kind == .badRequest || error.kind == .payloadTooLarge)
                }
            }
        }
    }

    @Test("rejects a wrong content checksum")
    func wrongChecksum() throws {
        var input = try ZstdFixtures.bytes("small.level3.zst")
        input[input.count - 1] ^= 0x5A
        let error = try #require(zstdDecompress(input).failure)
        #expect(error.kind == .badRequest)
        #expect(error.message.contains("checksum"))
    }

    @Test("rejects frames that need a dictionary")
    func dictionary() throws {
        // Single segment, 1-byte dictionary ID 7, content size 0, then an empty last raw block.
        let input: [UInt8] = [0x28, 0xB5, 0x2F, 0xFD, 0x21, 0x07, 0x00, 0x01, 0x00, 0x00]
        let error = try #require(zstdDecompress(input).failure)
        #expect(error.kind == .badRequest)
        #expect(error.message.contains("dictionaries are not supported"))
        // A dictionary ID field that holds zero means "no dictionary".
        #expect(try zstdDecompress([0x28, 0xB5, 0x2F, 0xFD, 0x21, 0x00, 0x00, 0x01, 0x00, 0x00]).get() == [])
    }

    @Test("a declared content size over the limit is payloadTooLarge before anything is decoded")
    func declaredSizeOverLimit() throws {
        // 8-byte content size field declaring 2^62 bytes; no blocks follow at all.
        let huge: [UInt8] = [0x28, 0xB5, 0x2F, 0xFD, 0xE0] + [0, 0, 0, 0, 0, 0, 0, 0x40]
        let error = try #require(zstdDecompress(huge, maxOutputBytes: 1 << 30).failure)
        #expect(error.kind == .payloadTooLarge)
        #expect(error.message.contains("declares 4611686018427387904 bytes"))
        let input = try ZstdFixtures.bytes("ndjson-logs.level3.zst")
        let limited = try #require(zstdDecompress(input, maxOutputBytes: 40_000).failure)
        #expect(limited.kind == .payloadTooLarge)
        #expect(limited.message.contains("40000"))
    }

    @Test("a huge declared size within the limit is not allocated up front")
    func declaredSizeIsNotTrusted() throws {
        let huge: [UInt8] = [0x28, 0xB5, 0x2F, 0xFD, 0xE0] + [0, 0, 0, 0, 0, 0, 0, 0x40] + [0x01, 0x00, 0x00]
        let error = try #require(zstdDecompress(huge, maxOutputBytes: Int.max).failure)
        #expect(error.kind == .badRequest)
        #expect(error.message.contains("declares 4611686018427387904"))
    }

    @Test("output over the limit is payloadTooLarge when no size is declared")
    func undeclaredSizeOverLimit() throws {
        let input = try ZstdFixtures.bytes("large-multiblock.streamed.zst")
        let error = try #require(zstdDecompress(input, maxOutputBytes: 100_000).failure)
        #expect(error.kind == .payloadTooLarge)
    }

    @Test("the limit counts the output of all frames together")
    func limitSpansFrames() throws {
        let input = try ZstdFixtures.bytes("text.concatenated.zst")
        let error = try #require(zstdDecompress(input, maxOutputBytes: 15_000).failure)
        #expect(error.kind == .payloadTooLarge)
    }

    @Test("rejects a window over the maximum")
    func windowTooLarge() throws {
        // Window descriptor exponent 22: 2^32 bytes, over the 2^31 maximum.
        let input: [UInt8] = [0x28, 0xB5, 0x2F, 0xFD, 0x00, 22 << 3, 0x01, 0x00, 0x00]
        let error = try #require(zstdDecompress(input).failure)
        #expect(error.kind == .badRequest)
        #expect(error.message.contains("window"))
    }

    static let malformed: [(what: String, input: [UInt8], message: String)] = [
        ("empty input", [], "empty"),
        ("not a frame", Array("{\"a\":1}".utf8), "no zstd frame"),
        ("reserved descriptor bit", [0x28, 0xB5, 0x2F, 0xFD, 0x28, 0x00, 0x01, 0x00, 0x00], "reserved bit"),
        ("reserved block type", [0x28, 0xB5, 0x2F, 0xFD, 0x20, 0x00, 0x07, 0x00, 0x00], "reserved block type"),
        ("content size mismatch", [0x28, 0xB5, 0x2F, 0xFD, 0x20, 0x05, 0x01, 0x00, 0x00], "declares 5"),
        ("block over the window", [0x28, 0xB5, 0x2F, 0xFD, 0x20, 0x02, 0x19, 0x00, 0x00, 0x61, 0x62, 0x63], "over the maximum"),
        ("trailing garbage", [0x28, 0xB5, 0x2F, 0xFD, 0x20, 0x00, 0x01, 0x00, 0x00, 0x01], "truncated frame"),
        ("truncated skippable frame", [0x50, 0x2A, 0x4D, 0x18, 0x09, 0x00, 0x00, 0x00, 0x01], "skippable"),
        ("treeless literals first", [0x28, 0xB5, 0x2F, 0xFD, 0x20, 0x10, 0x2D, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0x00], "treeless"),
        ("repeat table first", [0x28, 0xB5, 0x2F, 0xFD, 0x20, 0x10, 0x25, 0x00, 0x00, 0x00, 0x01, 0xFC, 0x80], "repeat mode"),
    ]

    @Test("names what is wrong with malformed frames", arguments: malformed)
    func malformedFrames(what: String, input: [UInt8], message: String) throws {
        let error = try #require(zstdDecompress(input).failure, "\(what)")
        #expect(error.kind == .badRequest, "\(what)")
        #expect(error.message.contains(message), "\(what): \(error.message)")
    }
}
