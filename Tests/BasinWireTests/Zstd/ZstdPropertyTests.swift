import BasinModel
import BasinTestKit
@testable import BasinWire
import Testing

@Suite("Zstandard decoder: random input")
struct ZstdPropertyTests {
    @Test("never traps on 20,000 random byte strings")
    func randomBytes() {
        let seed = SeededGenerator.seed("zstd random bytes")
        var rng = SeededGenerator(seed: seed)
        let magic: [UInt8] = [0x28, 0xB5, 0x2F, 0xFD]
        for _ in 0..<20_000 {
            let length = Int.random(in: 0...200, using: &rng)
            var input = (0..<length).map { _ in UInt8.random(in: 0...255, using: &rng) }
            // Most strings start like a frame so that decoding gets past the magic number.
            if Bool.random(using: &rng) || Bool.random(using: &rng) { input = magic + input }
            if case .failure(let error) = zstdDecompress(input, maxOutputBytes: 1 << 20) {
                #expect(error.kind == .badRequest || error.kind == .payloadTooLarge, "seed \(seed)")
            }
        }
    }

    @Test("never traps on randomly mutated compressed fixtures")
    func mutatedFixtures() throws {
        let seed = SeededGenerator.seed("zstd mutated fixtures")
        var rng = SeededGenerator(seed: seed)
        let fixtures = try ["text.level19.zst", "ndjson-logs.level3.zst", "ndjson-logs.no-check.zst"].map(ZstdFixtures.bytes)
        for _ in 0..<600 {
            var input = fixtures[Int.random(in: 0..<fixtures.count, using: &rng)]
            for _ in 0..<Int.random(in: 1...4, using: &rng) {
                input[Int.random(in: 0..<input.count, using: &rng)] = UInt8.random(in: 0...255, using: &rng)
            }
            if case .failure(let error) = zstdDecompress(input, maxOutputBytes: 1 << 20) {
                #expect(error.kind == .badRequest || error.kind == .payloadTooLarge, "seed \(seed)")
            }
        }
    }

    @Test("round-trips random data through raw and RLE block frames")
    func rawAndRLERoundTrip() throws {
        let seed = SeededGenerator.seed("zstd raw/RLE round trip")
        var rng = SeededGenerator(seed: seed)
        for _ in 0..<150 {
            var data: [UInt8] = []
            for _ in 0..<Int.random(in: 0...5, using: &rng) {
                let length = Int.random(in: 0...[40, 3_000, 70_000].randomElement(using: &rng, default: 0), using: &rng)
                if Bool.random(using: &rng) {
                    data += repeatElement(UInt8.random(in: 0...255, using: &rng), count: length)
                } else {
                    var words = (0..<(length + 7) / 8).map { _ in rng.next() }
                    words.withUnsafeMutableBytes { data += $0.prefix(length) }
                }
            }
            var options = TestZstdEncoder.Options()
            options.declaresSize = Bool.random(using: &rng)
            options.checksum = Bool.random(using: &rng)
            options.maxBlockSize = [1, 1000, 65_536, 131_072].randomElement(using: &rng, default: 131_072)
            let frames = Int.random(in: 1...3, using: &rng)
            var encoded: [UInt8] = []
            var start = 0
            for frame in 0..<frames {
                let end = frame == frames - 1 ? data.count : Int.random(in: start...data.count, using: &rng)
                if Bool.random(using: &rng) { encoded += TestZstdEncoder.skippableFrame(Int.random(in: 0...20, using: &rng)) }
                encoded += TestZstdEncoder.frame(Array(data[start..<end]), options: options)
                start = end
            }
            let decoded = zstdDecompress(encoded, maxOutputBytes: data.count)
            #expect(decoded.value == data, "seed \(seed)")
            if !data.isEmpty {
                #expect(zstdDecompress(encoded, maxOutputBytes: data.count - 1).failure?.kind == .payloadTooLarge, "seed \(seed)")
            }
        }
    }
}

extension Array {
    func randomElement(using rng: inout SeededGenerator, default value: Element) -> Element {
        randomElement(using: &rng) ?? value
    }
}

/// A test-only Zstandard encoder that writes raw and RLE blocks (no compression).
enum TestZstdEncoder {
    struct Options {
        var declaresSize = true
        var checksum = true
        var maxBlockSize = 131_072
    }

    static func frame(_ data: [UInt8], options: Options) -> [UInt8] {
        var out: [UInt8] = [0x28, 0xB5, 0x2F, 0xFD]
        let checksumFlag: UInt8 = options.checksum ? 0x04 : 0
        if options.declaresSize {
            // 8-byte content size, window descriptor for a 1 MiB... window (never single segment).
            out.append(0xC0 | checksumFlag)
            out.append(10 << 3)   // window 2^20 bytes
            for i in 0..<8 { out.append(UInt8(truncatingIfNeeded: UInt64(data.count) >> (8 * UInt64(i)))) }
        } else {
            out.append(checksumFlag)
            out.append(10 << 3)
        }
        var position = 0
        repeat {
            let size = min(options.maxBlockSize, data.count - position)
            let block = data[position..<(position + size)]
            let isLast = position + size == data.count
            let isRun = size > 1 && block.allSatisfy { $0 == block.first }
            let header = UInt32(size) << 3 | (isRun ? 1 : 0) << 1 | (isLast ? 1 : 0)
            out += [UInt8(truncatingIfNeeded: header), UInt8(truncatingIfNeeded: header >> 8), UInt8(truncatingIfNeeded: header >> 16)]
            if isRun { out.append(block.first ?? 0) } else { out += block }
            position += size
        } while position < data.count
        if options.checksum {
            let hash = data.withUnsafeBytes { XXH64.hash($0) }
            for i in 0..<4 { out.append(UInt8(truncatingIfNeeded: hash >> (8 * UInt64(i)))) }
        }
        return out
    }

    static func skippableFrame(_ size: Int) -> [UInt8] {
        [0x5F, 0x2A, 0x4D, 0x18, UInt8(size), 0, 0, 0] + [UInt8](repeating: 0xAB, count: size)
    }
}
