/// Collects label pairs from bytes or strings and produces canonical ``Labels``.
///
/// Reusable: ``reset()`` keeps the scratch capacity, so a decoder can build one label set per
/// series without allocating per label. Later additions of a name replace earlier ones.
public struct LabelsBuilder: Sendable {
    @usableFromInline var scratch: [UInt8] = []
    @usableFromInline var entries: [Entry] = []

    @usableFromInline
    struct Entry: Sendable {
        @usableFromInline var nameStart: Int
        @usableFromInline var nameLength: Int
        @usableFromInline var valueStart: Int
        @usableFromInline var valueLength: Int
        @usableFromInline var order: Int

        @inlinable
        init(nameStart: Int, nameLength: Int, valueStart: Int, valueLength: Int, order: Int) {
            self.nameStart = nameStart
            self.nameLength = nameLength
            self.valueStart = valueStart
            self.valueLength = valueLength
            self.order = order
        }
    }

    public init() {}

    /// Number of pairs added since the last reset (duplicates counted).
    public var count: Int { entries.count }

    /// Forgets all pairs, keeping capacity.
    public mutating func reset() {
        scratch.removeAll(keepingCapacity: true)
        entries.removeAll(keepingCapacity: true)
    }

    /// Adds a pair given as strings.
    public mutating func add(name: String, value: String) {
        let nameStart = scratch.count
        scratch.append(contentsOf: name.utf8)
        let valueStart = scratch.count
        scratch.append(contentsOf: value.utf8)
        entries.append(Entry(
            nameStart: nameStart, nameLength: valueStart - nameStart,
            valueStart: valueStart, valueLength: scratch.count - valueStart, order: entries.count))
    }

    /// Adds a pair given as bytes (for example slices of a request body).
    @inlinable
    public mutating func add(name: some Collection<UInt8>, value: some Collection<UInt8>) {
        let nameStart = scratch.count
        scratch.append(contentsOf: name)
        let valueStart = scratch.count
        scratch.append(contentsOf: value)
        entries.append(Entry(
            nameStart: nameStart, nameLength: valueStart - nameStart,
            valueStart: valueStart, valueLength: scratch.count - valueStart, order: entries.count))
    }

    /// Whether a pair with this name was added.
    public func contains(name: String) -> Bool {
        let key = Array(name.utf8)
        return entries.contains { scratch[$0.nameStart..<($0.nameStart + $0.nameLength)].elementsEqual(key) }
    }

    /// Sorts, removes duplicate names (the last added wins) and encodes.
    ///
    /// - Complexity: O(n log n) byte-wise name comparisons (insertion sort for the usual small
    ///   sets); one allocation, for the result; the sort order lives in a stack buffer.
    public func build() -> Labels {
        let n = entries.count
        if n == 0 { return .empty }
        return scratch.withUnsafeBufferPointer { s -> Labels in
            entries.withUnsafeBufferPointer { e -> Labels in
                withUnsafeTemporaryAllocation(of: Int.self, capacity: n) { buffer -> Labels in
                    var order = buffer
                    for i in 0..<n { order[i] = i }
                    // Sort by name bytes, then by insertion order, so the last duplicate is last.
                    if n <= 32 {
                        for i in 1..<max(n, 1) {
                            let current = order[i]
                            var j = i
                            while j > 0, LabelsBuilder.compareNames(s, e[order[j - 1]], e[current]) > 0 {
                                order[j] = order[j - 1]
                                j -= 1
                            }
                            order[j] = current
                        }
                    } else {
                        order.sort { a, b in
                            let c = LabelsBuilder.compareNames(s, e[a], e[b])
                            return c != 0 ? c < 0 : a < b
                        }
                    }
                    // Keep the last entry of each run of equal names; size the output.
                    var kept = 0
                    var total = 0
                    for k in 0..<n {
                        if k + 1 < n, LabelsBuilder.compareNames(s, e[order[k]], e[order[k + 1]]) == 0 { continue }
                        let entry = e[order[k]]
                        total += LabelsBuilder.uvarintLength(entry.nameLength) + entry.nameLength
                        total += LabelsBuilder.uvarintLength(entry.valueLength) + entry.valueLength
                        order[kept] = order[k]
                        kept += 1
                    }
                    let out = [UInt8](unsafeUninitializedCapacity: total) { buffer, initialized in
                        guard let destination = buffer.baseAddress, let source = s.baseAddress else { return }
                        var w = 0
                        for k in 0..<kept {
                            let entry = e[order[k]]
                            w = LabelsBuilder.writeUVarint(entry.nameLength, to: buffer, at: w)
                            (destination + w).update(from: source + entry.nameStart, count: entry.nameLength)
                            w += entry.nameLength
                            w = LabelsBuilder.writeUVarint(entry.valueLength, to: buffer, at: w)
                            (destination + w).update(from: source + entry.valueStart, count: entry.valueLength)
                            w += entry.valueLength
                        }
                        initialized = w
                    }
                    return Labels(uncheckedBytes: out)
                }
            }
        }
    }

    /// Compares two entries' names byte-wise (shorter prefix first): negative, zero or positive.
    @inlinable
    static func compareNames(_ s: UnsafeBufferPointer<UInt8>, _ a: Entry, _ b: Entry) -> Int {
        let common = min(a.nameLength, b.nameLength)
        var i = 0
        while i < common {
            let x = s[a.nameStart + i], y = s[b.nameStart + i]
            if x != y { return Int(x) - Int(y) }
            i += 1
        }
        return a.nameLength - b.nameLength
    }

    @inlinable
    static func writeUVarint(_ value: Int, to buffer: UnsafeMutableBufferPointer<UInt8>, at start: Int) -> Int {
        var v = UInt(value)
        var w = start
        while v >= 0x80 {
            buffer[w] = UInt8(truncatingIfNeeded: v) | 0x80
            v >>= 7
            w += 1
        }
        buffer[w] = UInt8(v)
        return w + 1
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
