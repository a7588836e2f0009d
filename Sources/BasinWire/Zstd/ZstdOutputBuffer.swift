/// The growing output of a decompression, capped at `limit` bytes.
///
/// `slack` bytes past the capacity may be written (and read back) by copies that move 8 or 16
/// bytes at a time, so no copy loop needs a tail.
struct ZstdOutputBuffer {
    static let slack = 32

    private(set) var base: UnsafeMutablePointer<UInt8>
    private(set) var capacity: Int
    /// Bytes written so far.
    var count = 0
    /// The most bytes the output may have.
    let limit: Int

    init(limit: Int, initialCapacity: Int) {
        self.limit = limit
        capacity = max(0, min(limit, initialCapacity))
        base = .allocate(capacity: capacity + Self.slack)
    }

    func deallocate() {
        base.deallocate()
    }

    /// Makes room for `needed` bytes in total (at most ``limit``), growing geometrically.
    mutating func reserve(_ needed: Int) {
        let needed = min(needed, limit)
        guard needed > capacity else { return }
        let doubled = capacity > limit / 2 ? limit : capacity * 2
        let newCapacity = max(needed, doubled)
        let newBase = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity + Self.slack)
        newBase.update(from: base, count: count)
        base.deallocate()
        base = newBase
        capacity = newCapacity
    }

    /// The bytes written, as an array.
    func makeArray() -> [UInt8] {
        Array(UnsafeBufferPointer(start: base, count: count))
    }
}
