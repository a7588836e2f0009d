import BasinModel

/// One batch of rows as the records query evaluator reads them: the times, each top-level
/// field as a column decoded on first use, and whole records on demand.
///
/// The head hands the evaluator its records through this; a sealed partition hands it the
/// columns it decodes, so a query touching two fields of fifteen decodes two.
final class RecordColumns {
    /// Rows in the batch.
    let count: Int
    /// Record time of each row, nanoseconds.
    let times: [Int64]
    private let decodeColumn: (String) -> FieldColumn
    private let decodeRecord: (Int) -> Record
    private var cache: [String: FieldColumn] = [:]

    /// - Parameters:
    ///   - times: one per row.
    ///   - column: the values of a top-level field, one per row, nil where a row lacks it (the
    ///     first value when a row repeats the name).
    ///   - record: the whole record of a row.
    init(times: [Int64], column: @escaping (String) -> FieldColumn, record: @escaping (Int) -> Record) {
        self.count = times.count
        self.times = times
        self.decodeColumn = column
        self.decodeRecord = record
    }

    /// A batch whose columns come as arrays of values.
    convenience init(times: [Int64], column: @escaping (String) -> [FieldValue?], record: @escaping (Int) -> Record) {
        self.init(times: times, column: { FieldColumn(column($0)) }, record: record)
    }

    /// A batch over records held in memory.
    convenience init(records: [Record]) {
        self.init(
            times: records.map(\.timeNanos),
            column: { (name: String) -> [FieldValue?] in records.map { $0[field: name] } },
            record: { records[$0] })
    }

    /// The values of top-level field `name`, one per row (nil where absent).
    func column(_ name: String) -> FieldColumn {
        if let c = cache[name] { return c }
        let c = decodeColumn(name)
        cache[name] = c
        return c
    }

    /// The whole record of `row`.
    func record(_ row: Int) -> Record {
        decodeRecord(row)
    }
}
