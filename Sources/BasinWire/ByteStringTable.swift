import BasinModel

/// A set of byte strings numbered densely in insertion order: `0, 1, 2, …`.
///
/// Decoders use it to recognise a name they have already seen in a request (a metric name, a
/// series key) from the bytes of the body, without building a `String` or an `[UInt8]` key per
/// lookup: all strings live in one arena, the index is an open-addressing table of ids, and a
/// lookup costs one hash of the bytes (the standard library's seeded `Hasher`, so hostile input
/// cannot force collisions) and, on a hash match, one `memcmp`.
///
/// - Complexity: ``insert(_:)`` and ``id(of:)`` are O(length) expected; growth is amortized.
///   No allocation per string: the arena, the per-id arrays and the table grow geometrically.
public struct ByteStringTable: Sendable {
    /// All strings, back to back.
    @usableFromInline var arena: [UInt8] = []
    /// For each id, where its bytes end in ``arena`` (they start where the previous id's end).
    @usableFromInline var ends: [Int] = []
    /// The ids by hash (each id's hash is kept there, compared before the bytes).
    @usableFromInline var index = HashSlots()

    /// An empty table; `minimumCapacity` strings fit before the index grows.
    public init(minimumCapacity: Int = 0) {
        if minimumCapacity > 0 {
            ends.reserveCapacity(minimumCapacity)
            index.reserveCapacity(minimumCapacity)
        }
    }

    /// Makes room for `strings` strings of `bytes` bytes in all, so that inserting them does not
    /// regrow the arena, the per-id arrays or the index step by step.
    public mutating func reserveCapacity(_ strings: Int, bytes: Int) {
        arena.reserveCapacity(bytes)
        ends.reserveCapacity(strings)
        index.reserveCapacity(strings)
    }

    /// The number of distinct strings.
    @inlinable
    public var count: Int { ends.count }

    /// Whether the table holds no string.
    @inlinable
    public var isEmpty: Bool { ends.isEmpty }

    /// The id of `bytes`, inserting a copy of them when they are new.
    ///
    /// - Returns: the id, and whether it was inserted by this call (then it equals the old ``count``).
    public mutating func insert(_ bytes: UnsafeRawBufferPointer) -> (id: Int, inserted: Bool) {
        insert(bytes, hash: Self.hash(bytes))
    }

    /// The id of the string `otherID` of `other`, inserting a copy of it when it is new.
    ///
    /// Reuses the hash `other` stored for it: every table hashes with the process's seeded
    /// `Hasher`, so the same bytes hash alike in all of them and only a match costs a `memcmp`.
    public mutating func insert(_ otherID: Int, of other: ByteStringTable) -> (id: Int, inserted: Bool) {
        other.withBytes(of: otherID) { insert($0, hash: other.index.hashes[otherID]) }
    }

    /// The id of the string `otherID` of `other` in this table; nil when it was never inserted.
    /// Costs no hashing, as ``insert(_:of:)``.
    public func id(of otherID: Int, in other: ByteStringTable) -> Int? {
        other.withBytes(of: otherID) { id(of: $0, hash: other.index.hashes[otherID]) }
    }

    @inline(__always)
    mutating func insert(_ bytes: UnsafeRawBufferPointer, hash: Int) -> (id: Int, inserted: Bool) {
        // The arrays are passed borrowed, so nothing else holds them when `bytes` are appended.
        let found = Self.insert(hash, bytes, into: &index, arena: arena, ends: ends)
        if found.inserted {
            if bytes.count > 0 { arena.append(contentsOf: bytes) }
            ends.append(arena.count)
        }
        return found
    }

    @inline(__always)
    static func insert(
        _ hash: Int, _ bytes: UnsafeRawBufferPointer, into index: inout HashSlots, arena: [UInt8], ends: [Int]
    ) -> (id: Int, inserted: Bool) {
        index.insert(hash) { matches($0, bytes, arena: arena, ends: ends) }
    }

    /// The id of `bytes`; nil when they were never inserted.
    public func id(of bytes: UnsafeRawBufferPointer) -> Int? {
        guard index.count > 0 else { return nil }
        return id(of: bytes, hash: Self.hash(bytes))
    }

    @inline(__always)
    func id(of bytes: UnsafeRawBufferPointer, hash: Int) -> Int? {
        index.find(hash) { Self.matches($0, bytes, arena: arena, ends: ends) }
    }

    /// Calls `body` with the bytes of the string `id` (valid only during the call).
    public func withBytes<R>(of id: Int, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        let start = id == 0 ? 0 : ends[id - 1]
        return try arena.withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[start..<ends[id]])) }
    }

    /// The string `id` decoded as UTF-8 (ill-formed sequences become U+FFFD).
    public func string(_ id: Int) -> String {
        withBytes(of: id) { String(decoding: $0, as: UTF8.self) }
    }

    /// Forgets every string, keeping capacity.
    public mutating func removeAll() {
        arena.removeAll(keepingCapacity: true)
        ends.removeAll(keepingCapacity: true)
        index.removeAll()
    }

    // MARK: Internals

    /// The seeded hash of the bytes (``ByteHash``).
    @inline(__always)
    static func hash(_ bytes: UnsafeRawBufferPointer) -> Int {
        ByteHash.hash(bytes)
    }

    @inline(__always)
    static func matches(_ id: Int, _ bytes: UnsafeRawBufferPointer, arena: [UInt8], ends: [Int]) -> Bool {
        let start = id == 0 ? 0 : ends[id - 1]
        let count = ends[id] - start
        guard count == bytes.count else { return false }
        if count == 0 { return true }
        return arena.withUnsafeBytes { stored in
            ByteText.equal(stored.baseAddress! + start, bytes.baseAddress!, count: count)
        }
    }
}
