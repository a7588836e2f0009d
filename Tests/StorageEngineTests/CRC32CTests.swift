import BasinTestKit
import Testing
@testable import StorageEngine

@Suite("CRC32C")
struct CRC32CTests {
    @Test("known vectors give the Castagnoli check values", arguments: [
        ("", UInt32(0)),
        ("a", UInt32(0xC1D0_4330)),
        ("123456789", UInt32(0xE306_9283)),
        ("The quick brown fox jumps over the lazy dog", UInt32(0x2262_0404)),
    ])
    func knownVectors(input: String, expected: UInt32) {
        #expect(CRC32C.checksum(Array(input.utf8)) == expected)
    }

    @Test("32 zero bytes and 32 0xFF bytes match RFC 3720")
    func rfc3720Vectors() {
        #expect(CRC32C.checksum([UInt8](repeating: 0, count: 32)) == 0x8A91_36AA)
        #expect(CRC32C.checksum([UInt8](repeating: 0xFF, count: 32)) == 0x62A8_AB43)
        #expect(CRC32C.checksum((0..<32).map { UInt8($0) }) == 0x46DD_794E)
    }

    @Test("updating in pieces equals one pass, at every split point")
    func incremental() {
        let bytes = (0..<100).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
        let whole = CRC32C.checksum(bytes)
        for split in 0...bytes.count {
            let a = bytes.withUnsafeBytes { CRC32C.checksum(UnsafeRawBufferPointer(rebasing: $0[..<split])) }
            let ab = bytes.withUnsafeBytes { CRC32C.update(a, UnsafeRawBufferPointer(rebasing: $0[split...])) }
            #expect(ab == whole, "split at \(split)")
        }
    }
}

@Suite("CRC32C, hardware and tables")
struct CRC32CHardwareTests {
    @Test("the instruction path and the table path agree on every length and alignment")
    func pathsAgree() {
        var rng = SeededGenerator(seed: SeededGenerator.seed("CRC32CHardwareTests.pathsAgree"))
        let bytes = (0..<4_096).map { _ in UInt8.random(in: 0...255, using: &rng) }
        bytes.withUnsafeBytes { raw in
            for start in 0..<9 {
                for length in [0, 1, 7, 8, 9, 15, 16, 63, 64, 65, 1_000, 4_000] where start + length <= raw.count {
                    let slice = UnsafeRawBufferPointer(rebasing: raw[start..<(start + length)])
                    let seed = UInt32(truncatingIfNeeded: start &* 0x9E37_79B9)
                    #expect(CRC32C.update(seed, slice) == CRC32C.updateWithTables(seed, slice), "start \(start) length \(length)")
                }
            }
        }
        print("CRC32C uses the CPU instruction: \(CRC32C.usesHardware)")
    }
}
