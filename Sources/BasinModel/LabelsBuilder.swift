/// Collects label pairs from bytes or strings and produces canonical ``Labels``.
///
/// Reusable: ``reset()`` keeps the scratch capacity, so a decoder can build one label set per
/// series without allocating per label. Later additions of a name replace earlier ones.
///
/// Each pair is written to the scratch buffer already in its ``Labels`` encoding
/// (`uvarint(nameLength) name uvarint(valueLength) value`), so ``build()`` only orders the
/// records and copies them: pairs that arrive sorted (SignalFx dimensions, most Prometheus-style
/// sources) are copied as one run, and no length is encoded twice.
public struct LabelsBuilder: Sendable {
    /// Bytes kept writable after the records: two maximal uvarints, or one word load.
    @usableFromInline static var slack: Int { 20 }

    /// Where one pair's record lies in the scratch bytes.
    @usableFromInline
    struct Entry: Sendable {
        /// The first byte of the record (the name's length).
        @usableFromInline var recordStart: Int
        /// The first byte of the name.
        @usableFromInline var nameStart: Int
        /// The name's length in bytes.
        @usableFromInline var nameLength: Int
        /// One past the last byte of the record (the value's end).
        @usableFromInline var recordEnd: Int
        /// The name's first eight bytes as a big-endian word, zero-padded: unequal prefixes
        /// order two names without reading them (a shorter name pads with zeros, which sort first).
        @usableFromInline var prefix: UInt64

        @inlinable
        init(recordStart: Int, nameStart: Int, nameLength: Int, recordEnd: Int, prefix: UInt64) {
            self.recordStart = recordStart
            self.nameStart = nameStart
            self.nameLength = nameLength
            self.recordEnd = recordEnd
            self.prefix = prefix
        }
    }

    /// The scratch memory: encoded records back to back in insertion order, followed by at
    /// least ``LabelsBuilder/slack`` writable bytes (so word loads from inside a record stay in
    /// bounds), and room for ``Entry`` values.
    ///
    /// Raw memory rather than two arrays: adding a pair costs one uniqueness check and no
    /// per-array bookkeeping. The class only owns the memory; its fields never change (a
    /// mutable class field would cost a dynamic exclusivity check per access), and the
    /// counters live in the builder. Written only through a uniquely referenced builder.
    @usableFromInline
    final class Storage: @unchecked Sendable {
        @usableFromInline let bytes: UnsafeMutableRawPointer
        @usableFromInline let byteCapacity: Int
        @usableFromInline let entries: UnsafeMutablePointer<Entry>
        @usableFromInline let entryCapacity: Int

        @usableFromInline
        init(byteCapacity: Int, entryCapacity: Int) {
            self.byteCapacity = byteCapacity
            self.entryCapacity = entryCapacity
            bytes = UnsafeMutableRawPointer.allocate(byteCount: byteCapacity, alignment: 8)
            bytes.initializeMemory(as: UInt8.self, repeating: 0, count: byteCapacity)
            entries = UnsafeMutablePointer<Entry>.allocate(capacity: entryCapacity)
        }

        deinit {
            bytes.deallocate()
            entries.deallocate()
        }

        /// The storage of every new builder: holds nothing, so creating a builder allocates
        /// nothing; the first `add` replaces it with memory of its own.
        @usableFromInline
        static let empty = Storage(byteCapacity: 0, entryCapacity: 0)

        /// A copy of the first `used` bytes and `count` entries, with room for at least
        /// `byteCapacity` bytes and `entryCapacity` entries.
        @usableFromInline
        func copy(used: Int, count: Int, byteCapacity: Int, entryCapacity: Int) -> Storage {
            let other = Storage(byteCapacity: byteCapacity, entryCapacity: entryCapacity)
            other.bytes.copyMemory(from: bytes, byteCount: used)
            other.entries.initialize(from: entries, count: count)
            return other
        }
    }

    /// The records and entries; copied before a write when shared (value semantics).
    @usableFromInline var storage: Storage
    /// The bytes of ``storage`` in use.
    @usableFromInline var used = 0
    /// The entries of ``storage`` in use.
    @usableFromInline var entryCount = 0
    /// The last entry's ``Entry/prefix``.
    @usableFromInline var lastPrefix: UInt64 = 0
    /// Whether every entry's prefix is greater than the one before: then the names are sorted
    /// and unique, and the records are already the encoding.
    @usableFromInline var prefixesAscend = true
    /// ``prefixesAscend`` before the last entry was added: all but the last are in order (a
    /// decoder that adds the metric name after the sorted dimensions).
    @usableFromInline var prefixesAscendBeforeLast = true

    public init() {
        storage = Storage.empty
    }

    /// Number of pairs added since the last reset (duplicates counted).
    @inlinable
    public var count: Int { entryCount }

    /// Forgets all pairs, keeping capacity.
    @inlinable
    public mutating func reset() {
        used = 0
        entryCount = 0
        prefixesAscend = true
        prefixesAscendBeforeLast = true
    }

    /// Adds a pair given as strings.
    public mutating func add(name: String, value: String) {
        var name = name
        var value = value
        name.withUTF8 { n in
            value.withUTF8 { v in add(name: UnsafeRawBufferPointer(n), value: UnsafeRawBufferPointer(v)) }
        }
    }

    /// Adds a pair given as raw bytes (for example slices of a request body, only read during
    /// the call).
    ///
    /// - Complexity: O(name + value): two copies into the scratch memory, no allocation once
    ///   it has grown to the largest label set seen.
    @inlinable
    public mutating func add(name: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer) {
        let nameCount = name.count
        let valueCount = value.count
        let start = used
        // Wrapping arithmetic: every term is bounded by buffers in memory.
        if start &+ nameCount &+ valueCount &+ 2 &* Self.slack > storage.byteCapacity || entryCount == storage.entryCapacity
            || !isKnownUniquelyReferenced(&storage) {
            makeRoom(byteCount: nameCount + valueCount)
        }
        let base = storage.bytes
        let nameStart = Self.writeUVarint(nameCount, to: base, at: start)
        Self.copy(name, to: base + nameStart)
        let valueStart = Self.writeUVarint(valueCount, to: base, at: nameStart &+ nameCount)
        Self.copy(value, to: base + valueStart)
        let end = valueStart &+ valueCount
        used = end
        // The slack makes the word load safe; bytes past the name are shifted out.
        var prefix = UInt64(bigEndian: base.loadUnaligned(fromByteOffset: nameStart, as: UInt64.self))
        if nameCount < 8 { prefix = nameCount == 0 ? 0 : prefix & ~(UInt64.max >> (UInt64(nameCount) * 8)) }
        prefixesAscendBeforeLast = prefixesAscend
        prefixesAscend = prefixesAscend && (entryCount == 0 || prefix > lastPrefix)
        lastPrefix = prefix
        (storage.entries + entryCount).initialize(to: Entry(recordStart: start, nameStart: nameStart, nameLength: nameCount, recordEnd: end, prefix: prefix))
        entryCount &+= 1
    }

    /// Replaces ``storage`` with a private copy with room for `byteCount` more record bytes
    /// (plus the slack) and one more entry, growing geometrically.
    @usableFromInline
    mutating func makeRoom(byteCount: Int) {
        var byteCapacity = storage.byteCapacity
        let minimum = used + byteCount + 2 * Self.slack
        if minimum > byteCapacity { byteCapacity = Swift.max(minimum, byteCapacity * 2, 512) }
        var entryCapacity = storage.entryCapacity
        if entryCount == entryCapacity { entryCapacity = Swift.max(entryCapacity * 2, 16) }
        storage = storage.copy(used: used, count: entryCount, byteCapacity: byteCapacity, entryCapacity: entryCapacity)
    }

    /// Adds a pair given as bytes (for example slices of a request body).
    @inlinable
    public mutating func add(name: some Collection<UInt8>, value: some Collection<UInt8>) {
        let done: Void?? = name.withContiguousStorageIfAvailable { n in
            value.withContiguousStorageIfAvailable { v in
                add(name: UnsafeRawBufferPointer(n), value: UnsafeRawBufferPointer(v))
            }
        }
        if done == nil || done! == nil {
            let n = Array(name), v = Array(value)
            n.withUnsafeBytes { n in v.withUnsafeBytes { v in add(name: n, value: v) } }
        }
    }

    /// Whether a pair with this name was added.
    public func contains(name: String) -> Bool {
        let key = Array(name.utf8)
        for i in 0..<entryCount {
            let entry = storage.entries[i]
            if UnsafeRawBufferPointer(start: storage.bytes + entry.nameStart, count: entry.nameLength).elementsEqual(key) { return true }
        }
        return false
    }

    /// Sorts, removes duplicate names (the last added wins) and encodes.
    ///
    /// - Complexity: see ``withEncoding(_:)``; one allocation, for the result.
    public func build() -> Labels {
        if entryCount == 0 { return .empty }
        return withEncoding { Labels(uncheckedBytes: [UInt8]($0)) }
    }

    /// Calls `body` with the canonical encoding: sorted, duplicate names removed (the last
    /// added wins). The bytes are only valid during the call.
    ///
    /// - Complexity: O(n log n) name comparisons, mostly of one precomputed word (insertion
    ///   sort for the usual small sets); the sort order and any reordered copy live in stack
    ///   buffers. Records that end up adjacent are copied as one run, and pairs added in order
    ///   are passed on from the scratch memory without a copy.
    @inlinable
    public func withEncoding<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        let n = entryCount
        let s = storage
        let used = used
        return try withExtendedLifetime(s) {
            let base = UnsafeRawPointer(s.bytes)
            if n == 0 { return try body(UnsafeRawBufferPointer(start: base, count: 0)) }
            let e = UnsafeBufferPointer(start: s.entries, count: n)
            if prefixesAscend {
                return try body(UnsafeRawBufferPointer(start: base, count: used))
            }
            if prefixesAscendBeforeLast, let split = Self.insertionPoint(base, e) {
                if split == e[n - 1].recordStart {
                    return try body(UnsafeRawBufferPointer(start: base, count: used))
                }
                return try withUnsafeTemporaryAllocation(byteCount: used, alignment: 8) { buffer in
                    let destination = buffer.baseAddress!
                    Self.encodeMovingLast(base, used: used, lastStart: e[n - 1].recordStart, split: split, into: destination)
                    return try body(UnsafeRawBufferPointer(start: destination, count: used))
                }
            }
            return try withUnsafeTemporaryAllocation(of: Int.self, capacity: n) { order in
                try withUnsafeTemporaryAllocation(byteCount: used, alignment: 8) { buffer in
                    let written = Self.encodeSorting(base, used: used, e, order, into: buffer.baseAddress!)
                    return try body(UnsafeRawBufferPointer(start: written.start, count: written.count))
                }
            }
        }
    }

    /// Appends the canonical encoding (what ``build()`` would hold) to `out`, writing it in
    /// place: a set added in order is one copy, any other is ordered straight into `out`.
    /// Allocates nothing once `out` has room. How a decoder adds a series to a ``MetricBatch``.
    @inlinable
    public func appendEncoding(to out: inout ByteColumn) {
        let n = entryCount
        if n == 0 { return }
        let s = storage
        let used = used
        withExtendedLifetime(s) {
            let base = UnsafeRawPointer(s.bytes)
            if prefixesAscend {
                out.append(UnsafeRawBufferPointer(start: base, count: used))
                return
            }
            let e = UnsafeBufferPointer(start: s.entries, count: n)
            if prefixesAscendBeforeLast, let split = Self.insertionPoint(base, e) {
                let lastStart = e[n - 1].recordStart
                if split == lastStart {
                    out.append(UnsafeRawBufferPointer(start: base, count: used))
                } else {
                    out.append(maximumCount: used) { destination in
                        Self.encodeMovingLast(base, used: used, lastStart: lastStart, split: split, into: destination)
                        return used
                    }
                }
                return
            }
            withUnsafeTemporaryAllocation(of: Int.self, capacity: n) { order in
                out.append(maximumCount: used) { destination in
                    let written = Self.encodeSorting(base, used: used, e, order, into: destination)
                    if written.start != UnsafeRawPointer(destination) {
                        Self.copy(UnsafeRawBufferPointer(start: written.start, count: written.count), to: destination)
                    }
                    return written.count
                }
            }
        }
    }

    /// Copies the records to `destination` with the last one (starting at `lastStart`) moved
    /// to `split`, where it sorts.
    @inlinable
    static func encodeMovingLast(_ base: UnsafeRawPointer, used: Int, lastStart: Int, split: Int, into destination: UnsafeMutableRawPointer) {
        copy(UnsafeRawBufferPointer(start: base, count: split), to: destination)
        copy(UnsafeRawBufferPointer(start: base + lastStart, count: used - lastStart), to: destination + split)
        copy(UnsafeRawBufferPointer(start: base + split, count: lastStart - split), to: destination + split + used - lastStart)
    }

    /// When all entries but the last are in order: where the last record belongs, as the
    /// offset of the first record that sorts after it (the last record's own start when it
    /// already is in place). Nil when the last name equals an earlier one (the general path
    /// handles duplicates).
    @usableFromInline
    static func insertionPoint(_ base: UnsafeRawPointer, _ e: UnsafeBufferPointer<Entry>) -> Int? {
        let n = e.count
        let last = e[n - 1]
        // The first entry that sorts after the last one; those before it sort strictly before.
        var p = 0
        while p < n - 1 {
            let c = compareNames(base, e[p], last)
            if c == 0 { return nil }
            if c > 0 { break }
            p += 1
        }
        return e[p].recordStart
    }

    /// The general encoding: orders `order` by name, keeps the last of equal names and copies
    /// the records into `destination` (room for `used` bytes), merging runs that are adjacent
    /// in the scratch memory.
    ///
    /// - Returns: where the encoding is: `destination`, or the scratch memory itself when the
    ///   records turn out to be one run already in place.
    @usableFromInline
    static func encodeSorting(
        _ base: UnsafeRawPointer, used: Int, _ e: UnsafeBufferPointer<Entry>, _ order: UnsafeMutableBufferPointer<Int>,
        into destination: UnsafeMutableRawPointer
    ) -> (start: UnsafeRawPointer, count: Int) {
        let n = e.count
        for i in 0..<n { order[i] = i }
        // Sort by name bytes, then by insertion order, so the last duplicate is last. A
        // stable insertion sort compares every pair of equal names that end up adjacent, so
        // `duplicates` stays false exactly when all names differ.
        var duplicates = false
        if n <= 32 {
            for i in 1..<n {
                let current = order[i]
                let entry = e[current]
                var j = i
                while j > 0 {
                    let c = compareNames(base, e[order[j - 1]], entry)
                    if c <= 0 {
                        if c == 0 { duplicates = true }
                        break
                    }
                    order[j] = order[j - 1]
                    j -= 1
                }
                order[j] = current
            }
        } else {
            var order = order
            order.sort { a, b in
                let c = compareNames(base, e[a], e[b])
                return c != 0 ? c < 0 : a < b
            }
            duplicates = true
        }
        // Keep the last entry of each run of equal names; size the output.
        var kept = n
        var total = used
        if duplicates {
            kept = 0
            total = 0
            for k in 0..<n {
                if k + 1 < n, compareNames(base, e[order[k]], e[order[k + 1]]) == 0 { continue }
                let entry = e[order[k]]
                total += entry.recordEnd - entry.recordStart
                order[kept] = order[k]
                kept += 1
            }
        }
        var w = 0
        var k = 0
        while k < kept {
            let first = e[order[k]]
            var runEnd = first.recordEnd
            k += 1
            while k < kept, e[order[k]].recordStart == runEnd {
                runEnd = e[order[k]].recordEnd
                k += 1
            }
            let length = runEnd - first.recordStart
            if length == total { return (base + first.recordStart, length) }
            copy(UnsafeRawBufferPointer(start: base + first.recordStart, count: length), to: destination + w)
            w += length
        }
        return (UnsafeRawPointer(destination), w)
    }

    /// Compares two entries' names byte-wise (shorter prefix first): negative, zero or positive.
    ///
    /// The precomputed first words decide most comparisons. Otherwise the names are read eight
    /// bytes at a time as big-endian words (so word order is byte order); a read may run past
    /// the name into its record or the slack, and the extra bytes are shifted out.
    @inlinable
    static func compareNames(_ base: UnsafeRawPointer, _ a: Entry, _ b: Entry) -> Int {
        if a.prefix != b.prefix { return a.prefix < b.prefix ? -1 : 1 }
        let common = min(a.nameLength, b.nameLength)
        var i = 8
        while i < common {
            var x = UInt64(bigEndian: base.loadUnaligned(fromByteOffset: a.nameStart + i, as: UInt64.self))
            var y = UInt64(bigEndian: base.loadUnaligned(fromByteOffset: b.nameStart + i, as: UInt64.self))
            let remaining = common - i
            if remaining < 8 {
                let shift = UInt64(8 - remaining) * 8
                x >>= shift
                y >>= shift
            }
            if x != y { return x < y ? -1 : 1 }
            i += 8
        }
        return a.nameLength - b.nameLength
    }

    /// Copies `source` to `destination` (not overlapping): up to 32 bytes (most names, values
    /// and records) with word moves instead of a `memcpy` call.
    @inlinable @inline(__always)
    static func copy(_ source: UnsafeRawBufferPointer, to destination: UnsafeMutableRawPointer) {
        let count = source.count
        guard count > 0, let from = source.baseAddress else { return }
        if count <= 32 {
            if count > 16 {
                destination.storeBytes(of: from.loadUnaligned(as: UInt64.self), as: UInt64.self)
                destination.storeBytes(of: from.loadUnaligned(fromByteOffset: 8, as: UInt64.self), toByteOffset: 8, as: UInt64.self)
                destination.storeBytes(of: from.loadUnaligned(fromByteOffset: count - 16, as: UInt64.self), toByteOffset: count - 16, as: UInt64.self)
                destination.storeBytes(of: from.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self), toByteOffset: count - 8, as: UInt64.self)
            } else if count >= 8 {
                destination.storeBytes(of: from.loadUnaligned(as: UInt64.self), as: UInt64.self)
                destination.storeBytes(of: from.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self), toByteOffset: count - 8, as: UInt64.self)
            } else if count >= 4 {
                destination.storeBytes(of: from.loadUnaligned(as: UInt32.self), as: UInt32.self)
                destination.storeBytes(of: from.loadUnaligned(fromByteOffset: count - 4, as: UInt32.self), toByteOffset: count - 4, as: UInt32.self)
            } else {
                destination.storeBytes(of: from.load(as: UInt8.self), as: UInt8.self)
                destination.storeBytes(of: from.load(fromByteOffset: count >> 1, as: UInt8.self), toByteOffset: count >> 1, as: UInt8.self)
                destination.storeBytes(of: from.load(fromByteOffset: count - 1, as: UInt8.self), toByteOffset: count - 1, as: UInt8.self)
            }
            return
        }
        destination.copyMemory(from: from, byteCount: count)
    }

    /// Writes `value` as a uvarint at `base + start`; returns the offset after it.
    @inlinable @inline(__always)
    static func writeUVarint(_ value: Int, to base: UnsafeMutableRawPointer, at start: Int) -> Int {
        var v = UInt(bitPattern: value)
        if v < 0x80 {
            base.storeBytes(of: UInt8(truncatingIfNeeded: v), toByteOffset: start, as: UInt8.self)
            return start &+ 1
        }
        var w = start
        while v >= 0x80 {
            base.storeBytes(of: UInt8(truncatingIfNeeded: v) | 0x80, toByteOffset: w, as: UInt8.self)
            v >>= 7
            w &+= 1
        }
        base.storeBytes(of: UInt8(truncatingIfNeeded: v), toByteOffset: w, as: UInt8.self)
        return w &+ 1
    }

    @inlinable
    static func uvarintLength(_ value: Int) -> Int {
        var v = UInt(value)
        var length = 1
        while v >= 0x80 {
            v >>= 7
            length += 1
        }
        return length
    }

    @inlinable
    static func appendUVarint(_ value: Int, to out: inout [UInt8]) {
        var v = UInt(value)
        while v >= 0x80 {
            out.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        out.append(UInt8(v))
    }
}
