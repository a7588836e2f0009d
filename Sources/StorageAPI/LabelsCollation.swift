import BasinModel

/// The order of label sets that query results use, computed on the encoded bytes.
///
/// The order is the one of `Labels.<` (Prometheus' `labels.Compare`: label by label, name then
/// value, byte-wise; a set that is a prefix of another comes first), without decoding a single
/// `String`. A label set's encoding is a sequence of length-prefixed fields (name, value, name,
/// value, …), so comparing two sets is comparing their field sequences; equal leading fields
/// have equal encodings, which lets the comparison skip the common byte prefix word by word
/// and only parse the field lengths up to the first difference.
public enum LabelsCollation {
    /// Whether `a` sorts before `b` (as `a < b`).
    @inlinable
    public static func precedes(_ a: Labels, _ b: Labels) -> Bool { compare(a, b) < 0 }

    /// Negative, zero or positive as `a` sorts before, equal to or after `b`.
    public static func compare(_ a: Labels, _ b: Labels) -> Int {
        a.bytes.withUnsafeBufferPointer { x in
            b.bytes.withUnsafeBufferPointer { y in compare(x, y) }
        }
    }

    /// Whether `labels` is sorted in this order (strictly: no two equal neighbours).
    ///
    /// - Complexity: O(n) comparisons; used to skip sorting results a store already sorted.
    @inlinable
    public static func isStrictlySorted<T>(_ items: [T], by labels: (T) -> Labels) -> Bool {
        items.withUnsafeBufferPointer { b in
            guard b.count > 1 else { return true }
            for i in 1..<b.count where compare(labels(b[i - 1]), labels(b[i])) >= 0 { return false }
            return true
        }
    }

    /// `items` in this order, checked in one pass first: stores and the evaluator usually
    /// produce them sorted already, and then nothing is sorted again.
    @inlinable
    public static func sorted<T>(_ items: [T], by labels: (T) -> Labels) -> [T] {
        if isStrictlySorted(items, by: labels) { return items }
        return items.sorted { precedes(labels($0), labels($1)) }
    }

    /// The comparison on two encodings (see the type's discussion).
    static func compare(_ x: UnsafeBufferPointer<UInt8>, _ y: UnsafeBufferPointer<UInt8>) -> Int {
        guard let xp = x.baseAddress, let yp = y.baseAddress else { return x.count == y.count ? 0 : (x.isEmpty ? -1 : 1) }
        let n = Swift.min(x.count, y.count)
        // Length of the common byte prefix, eight bytes at a time (unaligned loads).
        var d = 0
        while d + 8 <= n,
              UnsafeRawPointer(xp + d).loadUnaligned(as: UInt64.self) == UnsafeRawPointer(yp + d).loadUnaligned(as: UInt64.self) {
            d += 8
        }
        while d < n, xp[d] == yp[d] { d += 1 }
        if d == x.count, d == y.count { return 0 }
        // Walk the fields up to the one containing the first difference. Every field that ends
        // at or before `d` is equal in both and starts at the same offset in both.
        var p = 0
        while true {
            if p >= x.count { return -1 }
            if p >= y.count { return 1 }
            let (lx, ax) = readLength(x, at: p)
            let (ly, ay) = readLength(y, at: p)
            let ex = Swift.min(ax + lx, x.count), ey = Swift.min(ay + ly, y.count)
            if ax == ay, ex == ey, ex <= d {
                p = ex
                continue
            }
            // The first differing field: byte-wise, a prefix first.
            let fx = ex - ax, fy = ey - ay
            let common = Swift.min(fx, fy)
            var k = 0
            while k < common {
                let bx = xp[ax + k], by = yp[ay + k]
                if bx != by { return Int(bx) - Int(by) }
                k += 1
            }
            if fx != fy { return fx - fy }
            // Equal fields with differently encoded lengths (only for non-canonical varints).
            p = ex
            if ex != ey { return ex - ey }
        }
    }

    /// A uvarint field length at `position` and the offset of the field's bytes (clamped to the buffer).
    @inline(__always)
    private static func readLength(_ buffer: UnsafeBufferPointer<UInt8>, at position: Int) -> (length: Int, start: Int) {
        var result = 0
        var shift = 0
        var i = position
        while i < buffer.count, shift < 35 {
            let byte = buffer[i]
            result |= Int(byte & 0x7F) << shift
            i += 1
            if byte & 0x80 == 0 { return (result, i) }
            shift += 7
        }
        return (buffer.count - i, i)
    }
}
