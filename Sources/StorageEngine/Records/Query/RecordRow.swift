import BasinModel

/// The row an expression evaluates against: the record time, the batch's source columns
/// (each fetched once per batch, on first use) and the computed slots.
///
/// One instance per pipeline segment, reused for every row, so evaluating allocates nothing
/// per row.
final class RecordRow {
    /// Source column names, indexed as ``CompiledFieldRef/Base/source(_:)`` indexes them.
    let sourceNames: [String]
    /// The batch being read; valid until the next ``begin(_:)``.
    private(set) var batch: RecordColumns
    private var columns: [FieldColumn]
    private var loaded: [Bool]
    /// The row's index in the batch.
    var index = 0
    /// The row's record time, nanoseconds.
    var time: Int64 = 0
    /// Computed values (`extend`/`project` columns), overwritten per row.
    var slots: [FieldValue]

    init(sourceNames: [String], slotCount: Int) {
        self.sourceNames = sourceNames
        self.batch = RecordColumns(records: [])
        self.columns = Array(repeating: FieldColumn([]), count: sourceNames.count)
        self.loaded = Array(repeating: false, count: sourceNames.count)
        self.slots = Array(repeating: .null, count: slotCount)
    }

    /// Starts reading `batch`; columns are fetched again on first use.
    func begin(_ batch: RecordColumns) {
        self.batch = batch
        for i in loaded.indices {
            loaded[i] = false
            columns[i] = FieldColumn([])
        }
    }

    /// Moves to `row` of the batch.
    @inline(__always)
    func move(to row: Int) {
        index = row
        time = row < batch.times.count ? batch.times[row] : 0
    }

    /// The value of source column `column` in this row; nil when the row lacks the field.
    @inline(__always)
    func source(_ column: Int) -> FieldValue? {
        if !loaded[column] {
            columns[column] = batch.column(sourceNames[column])
            loaded[column] = true
        }
        guard index < columns[column].count else { return nil }
        return columns[column][index]
    }

    /// The batch's source column `column`, whole.
    func sourceColumn(_ column: Int) -> FieldColumn {
        if !loaded[column] {
            columns[column] = batch.column(sourceNames[column])
            loaded[column] = true
        }
        return columns[column]
    }

    /// The whole source record of this row (decoded by the store; used by `search` and the
    /// output of rows that keep their source fields).
    func record() -> Record {
        batch.record(index)
    }
}
