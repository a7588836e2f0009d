/// The total order of field values, shared by the records evaluator and the dialects that
/// order result rows: types rank null < bool < numbers < timestamp < string < array < object,
/// as APL orders mixed `dynamic` values; within a type values compare naturally (ints and
/// floats numerically, strings by their UTF-8 bytes, arrays and objects element by element).
/// Every function returns negative when `a` comes first, zero when equal, positive after.
public enum FieldValueOrder {
    /// The type rank of the total order.
    @inlinable
    public static func rank(_ value: FieldValue) -> Int {
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
    public static func compare(_ a: FieldValue, _ b: FieldValue) -> Int {
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
    @inlinable
    public static func compareNumbers(_ a: FieldValue, _ b: FieldValue) -> Int? {
        switch (a, b) {
        case (.int(let x), .int(let y)): return three(x, y)
        case (.int(let x), .float(let y)): return compareDoubles(Double(x), y)
        case (.float(let x), .int(let y)): return compareDoubles(x, Double(y))
        case (.float(let x), .float(let y)): return compareDoubles(x, y)
        default: return nil
        }
    }

    /// Byte-wise UTF-8 order, without copying native strings.
    @inlinable
    public static func compareBytes(_ a: String, _ b: String) -> Int {
        var a = a, b = b
        return a.withUTF8 { x in
            b.withUTF8 { y in
                var i = 0
                let n = min(x.count, y.count)
                while i < n {
                    if x[i] != y[i] { return x[i] < y[i] ? -1 : 1 }
                    i += 1
                }
                return three(x.count, y.count)
            }
        }
    }

    @inlinable
    public static func compareDoubles(_ x: Double, _ y: Double) -> Int {
        if x < y { return -1 }
        if x > y { return 1 }
        if x == y { return 0 }
        // NaN sorts before every number and equals itself, keeping the order total.
        return x.isNaN ? (y.isNaN ? 0 : -1) : 1
    }

    @inlinable
    public static func three<T: Comparable>(_ x: T, _ y: T) -> Int {
        x < y ? -1 : (x == y ? 0 : 1)
    }}
