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
