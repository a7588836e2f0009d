/// A series' label set, metric name included, in one compact byte buffer.
///
/// The metric name is the label ``Labels/metricNameKey`` (`__name__`), as in Prometheus, so
/// one sorted set identifies a series. Names keep the vendor's spelling, dots included.
///
/// Layout of ``bytes``: for each label, sorted by name bytes and with unique names,
/// `uvarint(nameLength) name uvarint(valueLength) value`. Two label sets are equal exactly
/// when their bytes are equal, so hashing and comparing never decode strings.
public struct Labels: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The label name that holds the metric name.
    public static let metricNameKey = "__name__"
    /// ``metricNameKey``'s UTF-8 bytes, in static memory (no lazy global to check), for a
    /// decoder that adds it to a ``LabelsBuilder`` per sample.
    @inlinable
    public static var metricNameKeyBytes: UnsafeRawBufferPointer {
        let key: StaticString = "__name__"
        return UnsafeRawBufferPointer(start: key.utf8Start, count: key.utf8CodeUnitCount)
    }

    /// The encoded label pairs (see the type's discussion for the layout).
    public let bytes: [UInt8]

    /// The empty label set.
    public static let empty = Labels(uncheckedBytes: [])

    /// Wraps bytes that are already in the canonical layout (sorted, unique names).
    ///
    /// Used by storage when reading its own files; network input goes through ``LabelsBuilder``.
    public init(uncheckedBytes: [UInt8]) {
        self.bytes = uncheckedBytes
    }

    /// Builds a label set from name/value pairs; later duplicates of a name win.
    public init(_ pairs: [(name: String, value: String)]) {
        var builder = LabelsBuilder()
        for pair in pairs {
            builder.add(name: pair.name, value: pair.value)
        }
        self = builder.build()
    }

    /// Builds a label set with a metric name and further pairs.
    public init(metricName: String, _ pairs: [(name: String, value: String)] = []) {
        var builder = LabelsBuilder()
        builder.add(name: Labels.metricNameKey, value: metricName)
        for pair in pairs {
            builder.add(name: pair.name, value: pair.value)
        }
        self = builder.build()
    }

    /// Whether the set has no labels.
    public var isEmpty: Bool { bytes.isEmpty }

    /// Feeds the encoded bytes to the hasher in one call (the synthesized conformance would feed
    /// them one by one, which made hashing a label set the largest cost of log replay).
    public func hash(into hasher: inout Hasher) {
        bytes.withUnsafeBytes { hasher.combine(bytes: $0) }
    }

    public static func == (lhs: Labels, rhs: Labels) -> Bool {
        lhs.bytes == rhs.bytes
    }

    /// The number of labels, metric name included.
    public var count: Int {
        var n = 0
        forEach { _, _ in n += 1 }
        return n
    }

    /// The metric name, or nil when the set has none.
    public var metricName: String? { self[Labels.metricNameKey] }

    /// The value of a label, or nil when absent.
    public subscript(name: String) -> String? {
        var found: String?
        let key = Array(name.utf8)
        forEachBytes { n, v in
            if found == nil, n.elementsEqual(key) {
                found = String(decoding: v, as: UTF8.self)
            }
        }
        return found
    }

    /// Calls `body` with each label as strings, in name order.
    public func forEach(_ body: (String, String) throws -> Void) rethrows {
        try forEachBytes { n, v in
            try body(String(decoding: n, as: UTF8.self), String(decoding: v, as: UTF8.self))
        }
    }

    /// Calls `body` with each label's raw bytes, in name order; the slices are only valid in the call.
    public func forEachBytes(_ body: (ArraySlice<UInt8>, ArraySlice<UInt8>) throws -> Void) rethrows {
        var i = 0
        let end = bytes.count
        while i < end {
            guard let (nameLength, a) = Labels.readUVarint(bytes, at: i), a + nameLength <= end else { return }
            let nameRange = a..<(a + nameLength)
            guard let (valueLength, b) = Labels.readUVarint(bytes, at: a + nameLength), b + valueLength <= end else { return }
            try body(bytes[nameRange], bytes[b..<(b + valueLength)])
            i = b + valueLength
        }
    }

    /// The labels as an array of pairs, in name order.
    public var pairs: [(name: String, value: String)] {
        var out: [(name: String, value: String)] = []
        forEach { out.append((name: $0, value: $1)) }
        return out
    }

    /// A copy without the named labels.
    public func removing(_ names: Set<String>) -> Labels {
        var builder = LabelsBuilder()
        forEach { n, v in if !names.contains(n) { builder.add(name: n, value: v) } }
        return builder.build()
    }

    /// A copy keeping only the named labels.
    public func keeping(_ names: Set<String>) -> Labels {
        var builder = LabelsBuilder()
        forEach { n, v in if names.contains(n) { builder.add(name: n, value: v) } }
        return builder.build()
    }

    /// A copy with one label set (or removed when `value` is empty, as Prometheus does).
    public func setting(_ name: String, to value: String) -> Labels {
        var builder = LabelsBuilder()
        forEach { n, v in if n != name { builder.add(name: n, value: v) } }
        if !value.isEmpty { builder.add(name: name, value: value) }
        return builder.build()
    }

    /// Orders label sets label by label (name, then value), like Prometheus' `labels.Compare`.
    public static func < (lhs: Labels, rhs: Labels) -> Bool {
        let l = lhs.pairs, r = rhs.pairs
        for (a, b) in zip(l, r) {
            if a.name != b.name { return Array(a.name.utf8).lexicographicallyPrecedes(Array(b.name.utf8)) }
            if a.value != b.value { return Array(a.value.utf8).lexicographicallyPrecedes(Array(b.value.utf8)) }
        }
        return l.count < r.count
    }

    /// Prometheus-style rendering: `name{a="1", b="2"}`.
    public var description: String {
        var parts: [String] = []
        var name = ""
        forEach { n, v in
            if n == Labels.metricNameKey { name = v } else { parts.append("\(n)=\"\(v)\"") }
        }
        return name + "{" + parts.joined(separator: ", ") + "}"
    }

    /// Reads a uvarint of at most five bytes at `start`: the value and the offset after it.
    @inlinable
    static func readUVarint<Bytes: RandomAccessCollection<UInt8>>(_ buffer: Bytes, at start: Int) -> (Int, Int)? where Bytes.Index == Int {
        var result = 0
        var shift = 0
        var i = start
        while i < buffer.count, shift < 35 {
            let byte = buffer[i]
            result |= Int(byte & 0x7F) << shift
            i += 1
            if byte & 0x80 == 0 { return (result, i) }
            shift += 7
        }
        return nil
    }
}

extension Labels {
    /// The value bytes of label `name` in `encoded` (bytes in the ``Labels`` layout), or nil
    /// when absent or the bytes end early. The slice points into `encoded`.
    public static func value(of name: String, in encoded: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer? {
        var name = name
        return name.withUTF8 { key -> UnsafeRawBufferPointer? in
            var i = 0
            let end = encoded.count
            while i < end {
                guard let (nameLength, a) = readUVarint(encoded, at: i), a + nameLength <= end,
                      let (valueLength, b) = readUVarint(encoded, at: a + nameLength), b + valueLength <= end else { return nil }
                if nameLength == key.count, UnsafeRawBufferPointer(rebasing: encoded[a..<(a + nameLength)]).elementsEqual(UnsafeRawBufferPointer(key)) {
                    return UnsafeRawBufferPointer(rebasing: encoded[b..<(b + valueLength)])
                }
                i = b + valueLength
            }
            return nil
        }
    }
}
