import CBasinCRC32C

/// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78): the CPU instruction where there is one,
/// else slicing-by-8.
///
/// Frames every write-ahead log record. Slicing-by-8 consumes eight bytes per step with eight
/// 256-entry tables, which avoids the one-table-lookup-per-byte dependency chain of the plain
/// table-driven loop. Check value: `"123456789"` gives `0xE3069283`.
package enum CRC32C {
    /// Eight tables of 256 entries, flattened: table `k` starts at `k * 256`.
    static let tables: [UInt32] = {
        var t = [UInt32](repeating: 0, count: 8 * 256)
        for i in 0..<256 {
            var c = UInt32(i)
            for _ in 0..<8 {
                c = (c & 1) != 0 ? (c >> 1) ^ 0x82F6_3B78 : c >> 1
            }
            t[i] = c
        }
        for i in 0..<256 {
            var c = t[i]
            for k in 1..<8 {
                c = t[Int(c & 0xFF)] ^ (c >> 8)
                t[k * 256 + i] = c
            }
        }
        return t
    }()

    /// The checksum of `bytes`.
    package static func checksum(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        update(0, bytes)
    }

    /// The checksum of an array of bytes.
    package static func checksum(_ bytes: [UInt8]) -> UInt32 {
        bytes.withUnsafeBytes { update(0, $0) }
    }

    /// Whether the CPU's CRC32C instruction is used (checked once).
    package static let usesHardware = basin_crc32c_hw_available() != 0

    /// Continues a checksum: `update(checksum(a), b) == checksum(a + b)`.
    ///
    /// Uses the CPU's CRC32C instruction when it has one (``usesHardware``), else the tables.
    package static func update(_ crc: UInt32, _ bytes: UnsafeRawBufferPointer) -> UInt32 {
        let count = bytes.count
        guard count > 0, let base = bytes.baseAddress else { return crc }
        if usesHardware { return ~basin_crc32c_update_hw(~crc, base, count) }
        return updateWithTables(crc, bytes)
    }

    /// ``update(_:_:)`` with the slicing-by-8 tables only (the portable path; tests compare both).
    package static func updateWithTables(_ crc: UInt32, _ bytes: UnsafeRawBufferPointer) -> UInt32 {
        var c = ~crc
        let count = bytes.count
        guard count > 0, let base = bytes.baseAddress else { return crc }
        tables.withUnsafeBufferPointer { t in
            var i = 0
            while i + 8 <= count {
                let lo = UInt32(littleEndian: base.loadUnaligned(fromByteOffset: i, as: UInt32.self)) ^ c
                let hi = UInt32(littleEndian: base.loadUnaligned(fromByteOffset: i + 4, as: UInt32.self))
                c = t[7 * 256 + Int(lo & 0xFF)] ^ t[6 * 256 + Int((lo >> 8) & 0xFF)]
                    ^ t[5 * 256 + Int((lo >> 16) & 0xFF)] ^ t[4 * 256 + Int(lo >> 24)]
                    ^ t[3 * 256 + Int(hi & 0xFF)] ^ t[2 * 256 + Int((hi >> 8) & 0xFF)]
                    ^ t[1 * 256 + Int((hi >> 16) & 0xFF)] ^ t[Int(hi >> 24)]
                i += 8
            }
            while i < count {
                c = t[Int((c ^ UInt32(base.load(fromByteOffset: i, as: UInt8.self))) & 0xFF)] ^ (c >> 8)
                i += 1
            }
        }
        return ~c
    }
}
