import BasinModel
import StorageAPI

/// Folds rows into groups as they stream: the fold behind `summarize` and `distinct`.
///
/// Only one key tuple and one ``RecordAggregateCell`` per aggregate are kept per group, never
/// the rows themselves.
final class RecordGroupFold {
    /// The output columns: key names, then aggregate names.
    let columns: [String]
    private let keys: [CompiledRecordExpr]
    private let aggregates: [CompiledAggregate]
    private let limits: RecordQueryLimits
    /// Whether an empty input still yields one row (a `summarize` without `by`).
    private let emptyInputYieldsRow: Bool
    private var groupIndex: [[FieldValue]: Int] = [:]
    private var groupKeys: [[FieldValue]] = []
    private var cells: [RecordAggregateCell] = []
    private var scratch: [FieldValue] = []
    /// The group of the previous row: neighbouring rows (time-sorted data, time bins) often
    /// share one, and comparing keys is cheaper than hashing them.
    private var lastGroup = -1

    /// A `summarize`.
    init(keys: [(name: String, expr: CompiledRecordExpr)], aggregates: [(name: String, aggregate: CompiledAggregate)], limits: RecordQueryLimits) {
        self.columns = keys.map(\.name) + aggregates.map(\.name)
        self.keys = keys.map(\.expr)
        self.aggregates = aggregates.map(\.aggregate)
        self.limits = limits
        self.emptyInputYieldsRow = keys.isEmpty
    }

    /// How one group key is read as a ``RecordKeyCode``, when every key can be.
    private enum KeyCoder {
        /// A top-level source column.
        case source(Int)
        /// The record time.
        case time
        /// `bin(_time, size)` with a literal size.
        case binTime(FieldValue)
    }

    /// The key coders when the fold can find rows' groups by code (``foldByCode(_:rows:)``):
    /// one or two keys, each a top-level source field, the record time or a `bin` of it by a
    /// literal.
    private lazy var coders: [KeyCoder]? = {
        guard (1...2).contains(keys.count) else { return nil }
        var out: [KeyCoder] = []
        for key in keys {
            switch key {
            case .field(let ref) where ref.rest.isEmpty && ref.dottedFallback == nil:
                switch ref.base {
                case .source(let i): out.append(.source(i))
                case .time: out.append(.time)
                default: return nil
                }
            case .call(.bin, let args) where args.count == 2:
                guard case .field(let ref) = args[0], ref.base == .time, ref.rest.isEmpty, ref.dottedFallback == nil,
                      case .literal(let size) = args[1] else { return nil }
                out.append(.binTime(size))
            default:
                return nil
            }
        }
        return out
    }()

    /// Whether every aggregate is `count()` (or there is none).
    private lazy var onlyCounts = aggregates.allSatisfy { if case .count = $0 { true } else { false } }

    /// Whether ``foldByCode(_:rows:)`` applies.
    var foldsByCode: Bool { coders != nil }

    /// The codes of key `coder` for every row of the batch `row` reads.
    private func codes(_ coder: KeyCoder, _ row: RecordRow, rows: Int) -> [RecordKeyCode] {
        let times = row.batch.times
        switch coder {
        case .source(let column):
            let codes = row.sourceColumn(column).codes()
            // A column shorter than the batch reads as absent past its end, as `source` does.
            return codes.count >= rows ? codes : codes + Array(repeating: .absent, count: rows - codes.count)
        case .time:
            return (0..<rows).map { RecordKeyCode(kind: .timestamp, bits: $0 < times.count ? times[$0] : 0) }
        case .binTime(let size):
            return (0..<rows).map {
                RecordKeyCode(RecordFunctionCall.bin(.timestamp($0 < times.count ? times[$0] : 0), size)) ?? .uncoded
            }
        }
    }

    /// Folds rows `0..<rows` of the batch `row` reads, every row kept, as ``fold(_:)`` would
    /// one by one, finding each row's group by the codes of its keys (read column by column,
    /// without a value per row) instead of evaluating and hashing its key values: the keys
    /// are evaluated once per distinct code pair, on the first row with it. A row whose key
    /// has no code is folded as ``fold(_:)`` folds it. When every aggregate is `count()` the
    /// rows are tallied per code pair and added to the counts at the end; otherwise each row
    /// folds its aggregates into its group. Only when ``foldsByCode``.
    ///
    /// A `count by bin(_time, 1m), status` over a million rows so builds a few thousand key
    /// tuples instead of a million, and hashes two words per row instead of two values.
    ///
    /// - Throws: `limitExceeded` when a new group would pass `maxGroups` (at the same row as
    ///   folding row by row would).
    func foldByCode(_ row: RecordRow, rows: Int) throws(StorageError) {
        guard let coders else { preconditionFailure("foldByCode without foldsByCode") }
        let first = codes(coders[0], row, rows: rows)
        let second = coders.count > 1 ? codes(coders[1], row, rows: rows) : []
        let onlyCounts = self.onlyCounts
        let width = aggregates.count
        var tally = CodeTally()
        // Per distinct code pair: its group, and its rows when only counting.
        var groupOf: [Int] = []
        var counted: [Int] = []
        for i in 0..<rows {
            let a = first[i]
            let b = second.isEmpty ? .absent : second[i]
            if a.kind == .uncoded || b.kind == .uncoded {
                row.move(to: i)
                try fold(row)
                continue
            }
            let (entry, isNew) = tally.find(a, b)
            if isNew {
                row.move(to: i)
                scratch.removeAll(keepingCapacity: true)
                for key in keys { scratch.append(key.evaluate(row)) }
                if let existing = groupIndex[scratch] { groupOf.append(existing) } else { groupOf.append(try addGroup(scratch)) }
                counted.append(0)
            }
            if onlyCounts {
                counted[entry] += 1
                continue
            }
            row.move(to: i)
            let base = groupOf[entry] * width
            for (k, aggregate) in aggregates.enumerated() {
                cells[base + k].fold(aggregate, row, maxListElements: limits.maxListElements)
            }
        }
        if onlyCounts {
            for (entry, n) in counted.enumerated() {
                for k in 0..<width { cells[groupOf[entry] * width + k].addCount(n) }
            }
        }
        lastGroup = -1
    }

    /// A `distinct`.
    init(distinct keys: [(name: String, expr: CompiledRecordExpr)], limits: RecordQueryLimits) {
        self.columns = keys.map(\.name)
        self.keys = keys.map(\.expr)
        self.aggregates = []
        self.limits = limits
        self.emptyInputYieldsRow = false
    }

    /// Folds the current row of `row` into its group.
    ///
    /// - Throws: `limitExceeded` when a new group would pass `maxGroups`.
    func fold(_ row: RecordRow) throws(StorageError) {
        let group: Int
        if keys.isEmpty {
            group = groupKeys.isEmpty ? try addGroup([]) : 0
        } else {
            scratch.removeAll(keepingCapacity: true)
            for key in keys { scratch.append(key.evaluate(row)) }
            if lastGroup >= 0, scratch == groupKeys[lastGroup] {
                group = lastGroup
            } else if let existing = groupIndex[scratch] {
                group = existing
            } else {
                group = try addGroup(scratch)
            }
            lastGroup = group
        }
        let base = group * aggregates.count
        for (i, aggregate) in aggregates.enumerated() {
            cells[base + i].fold(aggregate, row, maxListElements: limits.maxListElements)
        }
    }

    private func addGroup(_ key: [FieldValue]) throws(StorageError) -> Int {
        guard groupKeys.count < limits.maxGroups else {
            throw StorageError(
                kind: .limitExceeded,
                message: "query produces more than maxGroups=\(limits.maxGroups) groups; narrow the time range or the group keys")
        }
        let group = groupKeys.count
        groupIndex[key] = group
        groupKeys.append(key)
        for _ in aggregates { cells.append(RecordAggregateCell()) }
        return group
    }

    /// The groups as a table sorted by their keys ascending (the value order of
    /// ``RecordValueOrder``).
    func table() -> RecordTable {
        if groupKeys.isEmpty && emptyInputYieldsRow {
            _ = try? addGroup([])
        }
        let order = groupKeys.indices.sorted { RecordValueOrder.compareKeys(groupKeys[$0], groupKeys[$1]) < 0 }
        let rows = order.map { group in
            var row = groupKeys[group]
            let base = group * aggregates.count
            for (i, aggregate) in aggregates.enumerated() {
                row.append(cells[base + i].result(aggregate, maxListElements: limits.maxListElements))
            }
            return row
        }
        return RecordTable(columns: columns, rows: rows)
    }
}

/// Distinct pairs of key codes, numbered: an open-addressing table (linear probing, a
/// multiplicative hash of the two words) where a dictionary would run SipHash per row.
private struct CodeTally {
    private var firsts: [RecordKeyCode] = []
    private var seconds: [RecordKeyCode] = []
    /// Per slot: 0 when empty, else the entry's index plus one.
    private var slots = [Int32](repeating: 0, count: 64)

    @inline(__always)
    private static func hash(_ a: RecordKeyCode, _ b: RecordKeyCode) -> UInt64 {
        var h = UInt64(bitPattern: a.bits) &* 0x9E37_79B9_7F4A_7C15
        h ^= UInt64(bitPattern: b.bits) &* 0xC2B2_AE3D_27D4_EB4F
        h ^= UInt64(a.kind.rawValue) &<< 8 | UInt64(b.kind.rawValue)
        return h ^ (h &>> 29)
    }

    /// The entry of code pair `(a, b)`, added when new (entries are numbered from 0 in the
    /// order first met).
    @inline(__always)
    mutating func find(_ a: RecordKeyCode, _ b: RecordKeyCode) -> (entry: Int, isNew: Bool) {
        let mask = slots.count - 1
        var i = Int(truncatingIfNeeded: Self.hash(a, b)) & mask
        while true {
            let slot = Int(slots[i])
            if slot == 0 {
                let entry = firsts.count
                slots[i] = Int32(entry + 1)
                firsts.append(a)
                seconds.append(b)
                if firsts.count * 2 > slots.count { grow() }
                return (entry, true)
            }
            if firsts[slot - 1] == a && seconds[slot - 1] == b { return (slot - 1, false) }
            i = (i + 1) & mask
        }
    }

    private mutating func grow() {
        slots = [Int32](repeating: 0, count: slots.count * 2)
        let mask = slots.count - 1
        for e in firsts.indices {
            var i = Int(truncatingIfNeeded: Self.hash(firsts[e], seconds[e])) & mask
            while slots[i] != 0 { i = (i + 1) & mask }
            slots[i] = Int32(e + 1)
        }
    }
}
