/// The seeded hash of a byte string, for tables keyed by bytes (names in a request, label sets
/// in storage) that look keys up without building a `String` or an array.
///
/// It is the standard library's `Hasher` (SipHash with a per-process seed, so hostile input
/// cannot force collisions), fed a word at a time, then the last partial word and the length:
/// the same strength as `combine(bytes:)` without its per-call buffering, which cost about
/// twice as much on keys of a few dozen bytes.
public enum ByteHash {
    /// The hash of `bytes`, mixed with `seed` (for example the hash of the key's organisation;
    /// 0 when the bytes alone are the key).
    @inlinable
    public static func hash(_ bytes: UnsafeRawBufferPointer, seed: Int = 0) -> Int {
        var hasher = Hasher()
        if seed != 0 { hasher.combine(seed) }
        let count = bytes.count
        if let base = bytes.baseAddress {
            var i = 0
            while i + 8 <= count {
                hasher.combine(UInt64(littleEndian: base.loadUnaligned(fromByteOffset: i, as: UInt64.self)))
                i += 8
            }
            var tail: UInt64 = 0
            if count >= 8 {
                // The last bytes from one load of the last eight, shifted down.
                if i < count {
                    let last = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self))
                    tail = last &>> UInt64(64 - 8 * (count - i))
                }
            } else {
                var shift: UInt64 = 0
                while i < count {
                    tail |= UInt64(base.load(fromByteOffset: i, as: UInt8.self)) &<< shift
                    shift += 8
                    i += 1
                }
            }
            hasher.combine(tail)
        }
        hasher.combine(count)
        return hasher.finalize()
    }
}
