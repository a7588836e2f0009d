import BasinModel

/// One top-level field's values across a batch's rows, as the query evaluator reads them.
///
/// Held either as values (the head, tables after a summarize) or as a partition column decoded
/// into flat primitive arrays (``PartitionColumnValues``), whose strings and nested values
/// become `FieldValue`s only for the rows read: a filter on one field of a million-row
/// partition allocates nothing for the rows it never looks at, and the output records of a
/// query build their values only for the rows returned.
struct FieldColumn {
    private enum Storage {
        case values([FieldValue?], base: Int)
        case partition(PartitionColumnValues, base: Int)
        /// Chosen rows of a partition column, in the order listed.
        case partitionRows(PartitionColumnValues, [Int32])
    }

    /// +1, or -1 for a column read newest row first (``reversed(_:)``).
    private var step = 1

    private let storage: Storage
    /// Rows in the column.
    let count: Int

    init(_ values: [FieldValue?]) {
        storage = .values(values, base: 0)
        count = values.count
    }

    private init(_ storage: Storage, count: Int) {
        self.storage = storage
        self.count = count
    }

    /// Rows `range` of this column (no copy).
    func slice(_ range: Range<Int>) -> FieldColumn {
        precondition(step == 1, "slice a column before reversing it")
        switch storage {
        case .values(let v, let base): return FieldColumn(.values(v, base: base + range.lowerBound), count: range.count)
        case .partition(let c, let base): return FieldColumn(.partition(c, base: base + range.lowerBound), count: range.count)
        case .partitionRows(let c, let rows): return FieldColumn(.partitionRows(c, Array(rows[range])), count: range.count)
        }
    }

    /// The rows listed (positions in this column), in that order.
    func gather(_ rows: [Int32]) -> FieldColumn {
        switch storage {
        case .partition(let c, let base) where step == 1:
            return FieldColumn(.partitionRows(c, base == 0 ? rows : rows.map { $0 + Int32(base) }), count: rows.count)
        default:
            return FieldColumn(rows.map { self[Int($0)] })
        }
    }

    /// The decoded partition column behind a whole, unsliced column (for byte-level filters).
    var partitionValues: PartitionColumnValues? {
        if case .partition(let c, 0) = storage, step == 1 { return c }
        return nil
    }

    /// The same rows, last first (no copy).
    func reversed() -> FieldColumn {
        precondition(step == 1, "a column is reversed once")
        var r: FieldColumn
        switch storage {
        case .values(let v, let base): r = FieldColumn(.values(v, base: base + count - 1), count: count)
        case .partition(let c, let base): r = FieldColumn(.partition(c, base: base + count - 1), count: count)
        case .partitionRows(let c, let rows): return FieldColumn(.partitionRows(c, rows.reversed()), count: count)
        }
        r.step = -1
        return r
    }

    /// Rows `range` of a decoded partition column.
    init(_ column: PartitionColumnValues, range: Range<Int>) {
        storage = .partition(column, base: range.lowerBound)
        count = range.count
    }

    /// A column of `count` rows that all lack the field.
    static func absent(count: Int) -> FieldColumn {
        FieldColumn([FieldValue?](repeating: nil, count: count))
    }

    /// Every row's value as a ``RecordKeyCode`` (equal codes, equal values, within this
    /// column), without building the values; ``RecordKeyCode/uncoded`` for a value without a
    /// cheap code (a string that is not dictionary-coded, an array or an object).
    func codes() -> [RecordKeyCode] {
        switch storage {
        case .values(let v, let base):
            return (0..<count).map { RecordKeyCode(v[base + step * $0]) ?? .uncoded }
        case .partition(let c, let base):
            return (0..<count).map { c.code(base + step * $0) ?? .uncoded }
        case .partitionRows(let c, let rows):
            return rows.map { c.code(Int($0)) ?? .uncoded }
        }
    }

    @inline(__always)
    subscript(row: Int) -> FieldValue? {
        switch storage {
        case .values(let v, let base): v[base + step * row]
        case .partition(let c, let base): c.value(base + step * row)
        case .partitionRows(let c, let rows): c.value(Int(rows[row]))
        }
    }
}

/// A partition column decoded into primitive arrays: per row a type tag and a slot in that
/// type's array. Built by ``RecordColumnDecoder``; read-only after.
final class PartitionColumnValues: @unchecked Sendable {
    /// Per row: ``RecordColumn/absentTag`` or the ``FieldType`` position.
    var tags: [UInt8] = []
    /// Per row: the index into the array of the row's type.
    var slots: [Int32] = []
    var ints: [Int64] = []
    var floats: [Double] = []
    var bools: [Bool] = []
    var timestamps: [Int64] = []
    /// Whether strings are dictionary-coded.
    var usesDictionary = false
    /// Dictionary strings (made once each) and, per string value, its dictionary id.
    var dictionary: [String] = []
    var dictionaryIDs: [Int32] = []
    /// Plain strings: their bytes and where each starts (one more entry than strings).
    var stringBytes: [UInt8] = []
    var stringStarts: [Int32] = []
    /// Arrays and objects, fully decoded (rare in logs; kept simple).
    var nested: [FieldValue] = []

    private static let types = FieldType.allCases

    /// The ``RecordKeyCode`` of row `row`: a dictionary string by its id, a plain string
    /// none (building it would allocate), anything else as ``RecordKeyCode/init(_:)`` codes
    /// its value.
    @inline(__always)
    func code(_ row: Int) -> RecordKeyCode? {
        let tag = tags[row]
        if tag != RecordColumn.absentTag, Self.types[Int(tag)] == .string {
            return usesDictionary ? RecordKeyCode(kind: .dictionaryString, bits: Int64(dictionaryIDs[Int(slots[row])])) : nil
        }
        return RecordKeyCode(value(row))
    }

    @inline(__always)
    func value(_ row: Int) -> FieldValue? {
        let tag = tags[row]
        if tag == RecordColumn.absentTag { return nil }
        let slot = Int(slots[row])
        switch Self.types[Int(tag)] {
        case .null: return .null
        case .bool: return .bool(bools[slot])
        case .int: return .int(ints[slot])
        case .float: return .float(floats[slot])
        case .timestamp: return .timestamp(timestamps[slot])
        case .string:
            if usesDictionary {
                return .string(dictionary[Int(dictionaryIDs[slot])])
            }
            let start = Int(stringStarts[slot]), end = Int(stringStarts[slot + 1])
            return .string(stringBytes.withUnsafeBufferPointer { String(decoding: UnsafeBufferPointer(rebasing: $0[start..<end]), as: UTF8.self) })
        case .array, .object: return nested[slot]
        }
    }
}

/// A group key component as a kind and 64 bits, for counting rows per group without building
/// their values: equal codes mean equal values (within one column of one batch, since
/// dictionary ids are per column), so rows can be tallied by code and the value built once
/// per distinct code. Different codes may still be equal values (a float `1.0` and an int
/// `1`, two strings with different ids); the group fold merges those by value.
struct RecordKeyCode: Hashable {
    enum Kind: UInt8 {
        case absent, null, bool, int, float, timestamp, dictionaryString
        /// No code: the value must be built to be compared.
        case uncoded
    }

    var kind: Kind
    var bits: Int64

    static let absent = RecordKeyCode(kind: .absent, bits: 0)
    static let uncoded = RecordKeyCode(kind: .uncoded, bits: 0)

    init(kind: Kind, bits: Int64) {
        self.kind = kind
        self.bits = bits
    }

    /// A float's code; nil for NaN, which equals no value, not even itself, so no two NaN
    /// rows share a group and none may share a code.
    @inline(__always)
    init?(float: Double) {
        if float.isNaN { return nil }
        self.init(kind: .float, bits: Int64(bitPattern: float.bitPattern))
    }

    /// The code of a value held as a value: nil for strings, arrays and objects.
    @inline(__always)
    init?(_ value: FieldValue?) {
        switch value {
        case nil: self = .absent
        case .null?: self.init(kind: .null, bits: 0)
        case .bool(let b)?: self.init(kind: .bool, bits: b ? 1 : 0)
        case .int(let i)?: self.init(kind: .int, bits: i)
        case .float(let f)?: self.init(float: f)
        case .timestamp(let t)?: self.init(kind: .timestamp, bits: t)
        default: return nil
        }
    }
}
