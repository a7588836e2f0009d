import BasinModel
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// An open-addressing index from a hash to dense ids `0, 1, 2, …`, whose keys the caller
/// stores and compares.
///
/// Storage keys series by organisation and label bytes. A `Dictionary` keyed by ``Labels``
/// needs a `Labels` value (an array) for every lookup, even of a series that exists; with this
/// index a lookup hashes the bytes where they already are (a batch's label buffer) and, on a
/// hash match, compares them with the stored key.
///
/// - Complexity: ``find(_:where:)`` and ``insert(_:)`` are O(1) expected (linear probing,
///   load factor at most one half); growth is amortized.
struct HashSlots: Sendable {
    /// For each id, its full hash (compared before the key, reused when the table grows).
    private(set) var hashes: [Int] = []
    /// `id + 1`, or 0 for an empty slot. Power-of-two size.
    private var slots: [Int32] = []

    /// The number of ids.
    var count: Int { hashes.count }

    /// The first id with this hash whose key `matches`; nil when none does.
    @inline(__always)
    func find(_ hash: Int, where matches: (Int) -> Bool) -> Int? {
        guard !slots.isEmpty else { return nil }
        let mask = slots.count - 1
        var index = hash & mask
        while true {
            let entry = Int(slots[index])
            if entry == 0 { return nil }
            if hashes[entry - 1] == hash, matches(entry - 1) { return entry - 1 }
            index = (index + 1) & mask
        }
    }

    /// Adds the next id (the old ``count``) under `hash`; the caller has checked that its key is new.
    @discardableResult
    mutating func insert(_ hash: Int) -> Int {
        if hashes.count >= slots.count / 2 { grow(to: Swift.max(16, slots.count * 2)) }
        let id = hashes.count
        hashes.append(hash)
        place(id)
        return id
    }

    /// Forgets the ids from `count` on (the newest ones).
    mutating func removeLast(from count: Int) {
        guard count < hashes.count else { return }
        hashes.removeLast(hashes.count - count)
        grow(to: slots.count)
    }

    /// Rebuilds the slots with `size` entries (a power of two) from the stored hashes.
    private mutating func grow(to size: Int) {
        slots = [Int32](repeating: 0, count: size)
        for id in hashes.indices { place(id) }
    }

    @inline(__always)
    private mutating func place(_ id: Int) {
        let mask = slots.count - 1
        var index = hashes[id] & mask
        while slots[index] != 0 { index = (index + 1) & mask }
        slots[index] = Int32(truncatingIfNeeded: id + 1)
    }
}

extension OrgID {
    /// The seed for hashing this organisation's series keys with ``ByteHash``.
    var seriesSeed: Int {
        var hasher = Hasher()
        hasher.combine(name)
        return hasher.finalize() | 1
    }
}

extension Labels {
    /// Whether the encoded label set is exactly `encoded`.
    @inline(__always)
    func hasBytes(_ encoded: UnsafeRawBufferPointer) -> Bool {
        guard bytes.count == encoded.count else { return false }
        if encoded.isEmpty { return true }
        return bytes.withUnsafeBytes { memcmp($0.baseAddress!, encoded.baseAddress!, encoded.count) == 0 }
    }
}
