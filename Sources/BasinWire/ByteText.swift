/// Comparisons of raw bytes against ASCII literals, for decoders matching member keys and
/// keywords without building strings.
public enum ByteText {
    /// Whether `bytes` are exactly the bytes of `literal`.
    @inlinable @inline(__always)
    public static func equals(_ bytes: UnsafeRawBufferPointer, _ literal: StaticString) -> Bool {
        let count = literal.utf8CodeUnitCount
        guard bytes.count == count else { return false }
        let start = literal.utf8Start
        for i in 0..<count where bytes[i] != start[i] { return false }
        return true
    }
}
