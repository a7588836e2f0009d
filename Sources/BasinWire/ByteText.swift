/// Comparisons of raw bytes against ASCII literals, for decoders matching member keys and
/// keywords without building strings.
public enum ByteText {
    /// Whether `bytes` are exactly the bytes of `literal`.
    @inlinable @inline(__always)
    public static func equals(_ bytes: UnsafeRawBufferPointer, _ literal: StaticString) -> Bool {
        let count = literal.utf8CodeUnitCount
        guard bytes.count == count else { return false }
        guard count > 0, let base = bytes.baseAddress else { return true }
        return equals(base, literal)
    }

    /// Whether the `literal.utf8CodeUnitCount` bytes at `pointer` are the bytes of `literal`.
    ///
    /// Compares eight (or four) bytes per load, the last load overlapping the previous one
    /// instead of reading past either buffer, so a key costs two or three compares instead of
    /// one per byte.
    ///
    /// - Parameter pointer: at least `literal.utf8CodeUnitCount` readable bytes.
    @inlinable @inline(__always)
    public static func equals(_ pointer: UnsafeRawPointer, _ literal: StaticString) -> Bool {
        let count = literal.utf8CodeUnitCount
        let expected = UnsafeRawPointer(literal.utf8Start)
        if count < 8 {
            for i in 0..<count where pointer.load(fromByteOffset: i, as: UInt8.self) != expected.load(fromByteOffset: i, as: UInt8.self) {
                return false
            }
            return true
        }
        var i = 0
        while i + 8 < count {
            if pointer.loadUnaligned(fromByteOffset: i, as: UInt64.self) != expected.loadUnaligned(fromByteOffset: i, as: UInt64.self) {
                return false
            }
            i += 8
        }
        return pointer.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self)
            == expected.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self)
    }

    /// Whether the `count` bytes at `a` and at `b` are equal, compared eight bytes per load.
    @inlinable @inline(__always)
    public static func equal(_ a: UnsafeRawPointer, _ b: UnsafeRawPointer, count: Int) -> Bool {
        var i = 0
        while i + 8 <= count {
            if a.loadUnaligned(fromByteOffset: i, as: UInt64.self) != b.loadUnaligned(fromByteOffset: i, as: UInt64.self) { return false }
            i += 8
        }
        while i < count {
            if a.load(fromByteOffset: i, as: UInt8.self) != b.load(fromByteOffset: i, as: UInt8.self) { return false }
            i += 1
        }
        return true
    }
}
