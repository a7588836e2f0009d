import CBasinZlib

/// One-shot zlib compression of partition sections.
enum Deflate {
    /// `bytes` deflated at level 1, or nil when that does not save at least an eighth.
    static func compress(_ bytes: [UInt8]) -> [UInt8]? {
        guard bytes.count >= 64 else { return nil }
        var bound = compressBound(uLong(bytes.count))
        var out = [UInt8](repeating: 0, count: Int(bound))
        let status = out.withUnsafeMutableBufferPointer { dst in
            bytes.withUnsafeBufferPointer { src in
                compress2(dst.baseAddress, &bound, src.baseAddress, uLong(src.count), 1)
            }
        }
        guard status == Z_OK, Int(bound) < bytes.count - bytes.count / 8 else { return nil }
        out.removeLast(out.count - Int(bound))
        return out
    }

    /// Inflates `bytes` that held exactly `rawCount` bytes; nil when they do not.
    static func decompress(_ bytes: UnsafeRawBufferPointer, rawCount: Int) -> [UInt8]? {
        guard rawCount >= 0, rawCount <= 1 << 31 else { return nil }
        var out = [UInt8](repeating: 0, count: rawCount)
        var length = uLong(rawCount)
        let status = out.withUnsafeMutableBufferPointer { dst in
            uncompress(dst.baseAddress, &length, bytes.baseAddress?.assumingMemoryBound(to: Bytef.self), uLong(bytes.count))
        }
        guard status == Z_OK, Int(length) == rawCount else { return nil }
        return out
    }
}
