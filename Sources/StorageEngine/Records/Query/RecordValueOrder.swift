#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import BasinModel

/// The orderings and comparisons the records evaluator uses on field values.
///
/// The total order (for `sort`, `min`/`max` and group ordering) ranks types
/// null < bool < numbers < timestamp < string < array < object, as APL orders mixed
/// `dynamic` values; within a type values compare naturally (ints and floats numerically,
/// strings by their UTF-8 bytes).
enum RecordValueOrder {
    /// The type rank of the total order.
    @inline(__always)
    static func rank(_ value: FieldValue) -> Int {
        switch value {
        case .null: 0
        case .bool: 1
        case .int, .float: 2
        case .timestamp: 3
        case .string: 4
        case .array: 5
        case .object: 6
        }
    }

    /// The total order: negative when `a` comes first, zero when equal, positive after.
    static func compare(_ a: FieldValue, _ b: FieldValue) -> Int {
        let ra = rank(a), rb = rank(b)
        if ra != rb { return ra < rb ? -1 : 1 }
        switch (a, b) {
        case (.bool(let x), .bool(let y)): return x == y ? 0 : (x ? 1 : -1)
        case (.timestamp(let x), .timestamp(let y)): return three(x, y)
        case (.string(let x), .string(let y)): return compareBytes(x, y)
        case (.array(let x), .array(let y)):
            for (u, v) in zip(x, y) {
                let c = compare(u, v)
                if c != 0 { return c }
            }
            return three(x.count, y.count)
        case (.object(let x), .object(let y)):
            for (u, v) in zip(x, y) {
                let n = compareBytes(u.name, v.name)
                if n != 0 { return n }
                let c = compare(u.value, v.value)
                if c != 0 { return c }
            }
            return three(x.count, y.count)
        default:
            return compareNumbers(a, b) ?? 0
        }
    }

    /// Compares two numbers (ints exactly, otherwise as doubles; NaN before every number).
    @inline(__always)
    static func compareNumbers(_ a: FieldValue, _ b: FieldValue) -> Int? {
        switch (a, b) {
        case (.int(let x), .int(let y)): return three(x, y)
        case (.int(let x), .float(let y)): return compareDoubles(Double(x), y)
        case (.float(let x), .int(let y)): return compareDoubles(x, Double(y))
        case (.float(let x), .float(let y)): return compareDoubles(x, y)
        default: return nil
        }
    }

    /// The comparison the operators `==`, `<`, … use: nil when the values are not comparable
    /// (a null, or types that do not compare), so every operator but `!=` is false.
    ///
    /// Numbers compare across int and float, a timestamp with a timestamp or with an int of
    /// nanoseconds, strings by bytes, bools with bools; arrays and objects only for equality.
    @inline(__always)
    static func compareForOperator(_ a: FieldValue, _ b: FieldValue) -> Int? {
        switch (a, b) {
        case (.string(let x), .string(let y)): return compareBytes(x, y)
        case (.int, .int), (.int, .float), (.float, .int), (.float, .float): return compareNumbers(a, b)
        case (.timestamp(let x), .timestamp(let y)), (.timestamp(let x), .int(let y)), (.int(let x), .timestamp(let y)):
            return three(x, y)
        case (.bool(let x), .bool(let y)): return x == y ? 0 : (x ? 1 : -1)
        case (.array, .array), (.object, .object): return a == b ? 0 : nil
        default: return nil
        }
    }

    /// The order of `sort` keys: nulls are placed as the greatest value, so they come last
    /// ascending and first descending (APL's default null placement).
    @inline(__always)
    static func compareSortKey(_ a: FieldValue, _ b: FieldValue, descending: Bool) -> Int {
        let c: Int
        switch (a.isNull, b.isNull) {
        case (true, true): c = 0
        case (true, false): c = 1
        case (false, true): c = -1
        case (false, false): c = compare(a, b)
        }
        return descending ? -c : c
    }

    /// Lexicographic total order of key tuples (group keys, distinct rows).
    static func compareKeys(_ a: [FieldValue], _ b: [FieldValue]) -> Int {
        for (u, v) in zip(a, b) {
            let c = compare(u, v)
            if c != 0 { return c }
        }
        return three(a.count, b.count)
    }

    /// Byte-wise UTF-8 order, without copying native strings.
    @inline(__always)
    static func compareBytes(_ a: String, _ b: String) -> Int {
        var a = a, b = b
        return a.withUTF8 { x in
            b.withUTF8 { y in
                let n = min(x.count, y.count)
                if n > 0, let px = x.baseAddress, let py = y.baseAddress {
                    let c = memcmp(px, py, n)
                    if c != 0 { return c < 0 ? -1 : 1 }
                }
                return three(x.count, y.count)
            }
        }
    }

    @inline(__always)
    static func compareDoubles(_ x: Double, _ y: Double) -> Int {
        if x < y { return -1 }
        if x > y { return 1 }
        if x == y { return 0 }
        // NaN sorts before every number and equals itself, keeping the order total.
        return x.isNaN ? (y.isNaN ? 0 : -1) : 1
    }

    @inline(__always)
    static func three<T: Comparable>(_ x: T, _ y: T) -> Int {
        x < y ? -1 : (x == y ? 0 : 1)
    }
}
