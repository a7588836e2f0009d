import BasinModel

/// The comparisons the records evaluator uses on field values beyond the total order of
/// ``FieldValueOrder`` (for `sort`, `min`/`max` and group ordering): the operators' partial
/// comparison, sort keys with APL's null placement, and key tuples.
enum RecordValueOrder {
    /// The comparison the operators `==`, `<`, … use: nil when the values are not comparable
    /// (a null, or types that do not compare), so every operator but `!=` is false.
    ///
    /// Numbers compare across int and float, a timestamp with a timestamp or with an int of
    /// nanoseconds, strings by bytes, bools with bools; arrays and objects only for equality.
    @inline(__always)
    static func compareForOperator(_ a: FieldValue, _ b: FieldValue) -> Int? {
        switch (a, b) {
        case (.string(let x), .string(let y)): return FieldValueOrder.compareBytes(x, y)
        case (.int, .int), (.int, .float), (.float, .int), (.float, .float): return FieldValueOrder.compareNumbers(a, b)
        case (.timestamp(let x), .timestamp(let y)), (.timestamp(let x), .int(let y)), (.int(let x), .timestamp(let y)):
            return FieldValueOrder.three(x, y)
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
        case (false, false): c = FieldValueOrder.compare(a, b)
        }
        return descending ? -c : c
    }

    /// Lexicographic total order of key tuples (group keys, distinct rows).
    static func compareKeys(_ a: [FieldValue], _ b: [FieldValue]) -> Int {
        for (u, v) in zip(a, b) {
            let c = FieldValueOrder.compare(u, v)
            if c != 0 { return c }
        }
        return FieldValueOrder.three(a.count, b.count)
    }


}
