/// A growable run of bytes with value semantics that a writer can append to in place.
///
/// What ``MetricBatch`` keeps its label sets in. Unlike `[UInt8]`, it lets a writer reserve
/// bytes at the end and fill them through a pointer (``append(maximumCount:_:)``), so a
/// ``LabelsBuilder`` encodes a label set straight into the batch, and appending a few dozen
/// bytes costs one capacity check and one uniqueness check, not the generic
/// `append(contentsOf:)` machinery.
public struct ByteColumn: Sendable {
    /// The memory; copied before a write when shared. Its fields never change.
    @usableFromInline
    final class Storage: @unchecked Sendable {
        @usableFromInline let bytes: UnsafeMutableRawPointer
        @usableFromInline let capacity: Int

        @usableFromInline
        init(capacity: Int) {
            self.capacity = capacity
            bytes = UnsafeMutableRawPointer.allocate(byteCount: Swift.max(capacity, 1), alignment: 8)
        }

        deinit { bytes.deallocate() }

        @usableFromInline
        static let empty = Storage(capacity: 0)
    }

    @usableFromInline var storage: Storage
    /// The number of bytes held.
    @inlinable public var count: Int { _count }
    @usableFromInline var _count: Int

    /// An empty column; allocates nothing until the first append.
    public init() {
        storage = Storage.empty
        _count = 0
    }

    /// A column holding a copy of `bytes`.
    public init(_ bytes: some Sequence<UInt8>) {
        self.init()
        let array = Array(bytes)
        array.withUnsafeBytes { append($0) }
    }

    /// Whether the column holds no bytes.
    @inlinable
    public var isEmpty: Bool { count == 0 }

    /// The bytes that fit without reallocating.
    @inlinable
    public var capacity: Int { storage.capacity }

    /// Calls `body` with the bytes held; they are valid only during the call.
    @inlinable
    public func withUnsafeBytes<R, E: Error>(_ body: (UnsafeRawBufferPointer) throws(E) -> R) throws(E) -> R {
        let storage = storage
        return try withExtendedLifetime(storage) { () throws(E) -> R in
            try body(UnsafeRawBufferPointer(start: storage.bytes, count: count))
        }
    }

    /// A copy of the bytes in `range` (allocates).
    public subscript(range: Range<Int>) -> [UInt8] {
        precondition(range.lowerBound >= 0 && range.upperBound <= count, "ByteColumn range out of bounds")
        return withUnsafeBytes { Array($0[range]) }
    }

    /// A copy of all bytes (allocates).
    public var array: [UInt8] { self[0..<count] }

    /// Makes room for `minimumCapacity` bytes in all.
    public mutating func reserveCapacity(_ minimumCapacity: Int) {
        if minimumCapacity > storage.capacity || !isKnownUniquelyReferenced(&storage) {
            reallocate(capacity: Swift.max(minimumCapacity, storage.capacity))
        }
    }

    /// Appends `bytes`.
    @inlinable
    public mutating func append(_ bytes: UnsafeRawBufferPointer) {
        let n = bytes.count
        guard n > 0, let source = bytes.baseAddress else { return }
        append(maximumCount: n) { destination in
            LabelsBuilder.copy(UnsafeRawBufferPointer(start: source, count: n), to: destination)
            return n
        }
    }

    /// Appends at most `maximumCount` bytes written by `body` at the pointer it is given;
    /// `body` returns how many it wrote (at most `maximumCount`).
    @inlinable
    public mutating func append(maximumCount: Int, _ body: (UnsafeMutableRawPointer) throws -> Int) rethrows {
        let start = count
        // Wrapping arithmetic: both terms are sizes of memory that exists.
        if start &+ maximumCount > storage.capacity || !isKnownUniquelyReferenced(&storage) {
            grow(minimumCapacity: start + maximumCount)
        }
        let written = try body(storage.bytes + start)
        precondition(written >= 0 && written <= maximumCount, "ByteColumn writer wrote outside its room")
        _count = start &+ written
    }

    /// Removes the last `k` bytes, keeping capacity.
    public mutating func removeLast(_ k: Int) {
        precondition(k >= 0 && k <= count, "ByteColumn.removeLast beyond its bytes")
        _count -= k
    }

    /// Removes every byte, keeping capacity.
    public mutating func removeAll() {
        _count = 0
    }

    /// Replaces the storage with a private copy with room for `minimumCapacity` bytes:
    /// twice the capacity when it is short (so appends cost amortised O(1)), the same when the
    /// storage was only shared.
    @usableFromInline
    mutating func grow(minimumCapacity: Int) {
        let capacity = storage.capacity
        reallocate(capacity: minimumCapacity <= capacity ? capacity : Swift.max(minimumCapacity, capacity * 2, 64))
    }

    mutating func reallocate(capacity: Int) {
        let other = Storage(capacity: capacity)
        if count > 0 { other.bytes.copyMemory(from: storage.bytes, byteCount: count) }
        storage = other
    }
}

extension ByteColumn: Equatable {
    public static func == (a: ByteColumn, b: ByteColumn) -> Bool {
        a.count == b.count && a.withUnsafeBytes { x in b.withUnsafeBytes { y in x.elementsEqual(y) } }
    }
}

extension ByteColumn: CustomStringConvertible {
    public var description: String { "ByteColumn(\(count) bytes)" }
}
