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
/// Tables keyed by bytes (a request's metric names, storage's series by organisation and label
/// bytes) use it so that a lookup hashes the bytes where they already are and, on a hash match,
/// compares them with the stored key: no `String`, array or ``Labels`` value per lookup, as a
/// `Dictionary` would need.
///
/// - Complexity: ``find(_:where:)`` and ``insert(_:where:)`` are O(1) expected (linear probing,
///   load factor at most one half); growth is amortized.
public struct HashSlots: Sendable {
    /// For each id, its full hash (compared before the key, reused when the table grows).
    @inlinable
    public var hashes: [Int] { _hashes }
    @usableFromInline var _hashes: [Int] = []
    /// `id + 1`, or 0 for an empty slot. Power-of-two size.
    @usableFromInline var slots: [Int32] = []

    public init() {}

    /// The number of ids.
    @inlinable
    public var count: Int { _hashes.count }

    /// The first id with this hash whose key `matches`; nil when none does.
    @inlinable
    public func find(_ hash: Int, where matches: (Int) -> Bool) -> Int? {
        guard !slots.isEmpty else { return nil }
        let mask = slots.count - 1
        var index = hash & mask
        while true {
            let entry = Int(slots[index])
            if entry == 0 { return nil }
            if _hashes[entry - 1] == hash, matches(entry - 1) { return entry - 1 }
            index = (index + 1) & mask
        }
    }

    /// The id whose key `matches`, or a new id (the old ``count``) placed under `hash`, with one
    /// probe sequence for both.
    @inlinable
    public mutating func insert(_ hash: Int, where matches: (Int) -> Bool) -> (id: Int, inserted: Bool) {
        if _hashes.count >= slots.count / 2 { resize(to: Self.size(for: _hashes.count + 1)) }
        let mask = slots.count - 1
        var index = hash & mask
        while true {
            let entry = Int(slots[index])
            if entry == 0 { break }
            if _hashes[entry - 1] == hash, matches(entry - 1) { return (entry - 1, false) }
            index = (index + 1) & mask
        }
        let id = _hashes.count
        _hashes.append(hash)
        slots[index] = Int32(truncatingIfNeeded: id + 1)
        return (id, true)
    }

    /// Adds the next id under `hash`; the caller has checked that its key is new.
    @discardableResult
    public mutating func insert(_ hash: Int) -> Int {
        insert(hash, where: { _ in false }).id
    }

    /// Makes room for `count` ids without regrowing.
    public mutating func reserveCapacity(_ count: Int) {
        _hashes.reserveCapacity(count)
        let size = Self.size(for: count)
        if size > slots.count { resize(to: size) }
    }

    /// Forgets the ids from `count` on (the newest ones).
    public mutating func removeLast(from count: Int) {
        guard count < _hashes.count else { return }
        _hashes.removeLast(_hashes.count - count)
        resize(to: slots.count)
    }

    /// Forgets every id, keeping capacity.
    public mutating func removeAll() {
        _hashes.removeAll(keepingCapacity: true)
        for i in slots.indices { slots[i] = 0 }
    }

    /// Whether two byte strings are equal (`memcmp`), for the callers' key comparisons.
    @inlinable
    public static func bytesEqual(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Bool {
        guard a.count == b.count else { return false }
        if a.isEmpty { return true }
        return memcmp(a.baseAddress!, b.baseAddress!, a.count) == 0
    }

    /// A power of two at least twice `count` (load factor at most one half), at least 16.
    @usableFromInline
    static func size(for count: Int) -> Int {
        var size = 16
        while size < count * 2 { size *= 2 }
        return size
    }

    /// Rebuilds the slots with `size` entries (a power of two) from the stored hashes.
    @usableFromInline
    mutating func resize(to size: Int) {
        slots = [Int32](repeating: 0, count: size)
        let mask = size - 1
        for id in _hashes.indices {
            var index = _hashes[id] & mask
            while slots[index] != 0 { index = (index + 1) & mask }
            slots[index] = Int32(truncatingIfNeeded: id + 1)
        }
    }
}
