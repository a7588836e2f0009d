import BasinModel
import StorageAPI

/// Evaluates one ``RecordQuery`` over batches the store feeds it.
///
/// The stages before the first blocking stage (`summarize`, `distinct`, `sort`, `limit`,
/// `offset`) run per row while batches stream in, and feed one sink:
/// - a `summarize` or `distinct` folds rows into groups (rows are never kept);
/// - otherwise the rows the output can need are kept in sort order: the best N in a bounded
///   heap when a `limit` bounds them (newest first without a `sort`), else every row up to
///   `limits.maxRows`.
///
/// The stages after the sink run in ``finish()`` on the few materialised rows or the table.
/// Semantics follow Axiom APL / Kusto; see ``RecordValueOrder``, ``RecordArithmetic`` and
/// ``RecordFunctionCall`` for value rules.
final class RecordQueryPlan {
    /// The sink the streaming stages feed.
    enum Sink {
        /// Keeps rows ordered by these keys.
        case rows(RecordTopRows, keys: [CompiledRecordExpr])
        /// Folds rows into groups.
        case groups(RecordGroupFold)
    }

    /// The query's "now", nanoseconds; fixed per plan so evaluation is deterministic.
    let nowNanos: Int64
    /// Conjuncts (top-level `and` split) of the leading `filter` stages: every row the plan
    /// keeps satisfies all of them, so the store may skip a partition whose statistics show
    /// one cannot hold.
    let pruningConjuncts: [RecordExpr]
    /// Rows that passed every streaming filter so far (before limits).
    private(set) var recordsMatched = 0
    /// Rows fed so far.
    private(set) var recordsExamined = 0

    private let head: RecordStreamSegment
    private let sink: Sink
    private let after: [RecordMaterializedStep]
    /// The output cap when no stage is a `limit` (APL's default), nil otherwise.
    private let defaultCap: Int?
    private var keyScratch: [FieldValue] = []

    /// Validates and prepares `query`.
    ///
    /// - Parameters:
    ///   - query: the query; its time range is the store's business (it feeds only rows in it).
    ///   - nowNanos: the query's "now", nanoseconds since the epoch.
    /// - Throws: `badRequest` naming the construct for a function called with the wrong
    ///   number of arguments, an invalid regular expression, a limit that is not positive or
    ///   an out-of-range aggregate parameter.
    init(_ query: RecordQuery, nowNanos: Int64) throws(StorageError) {
        try RecordQueryPlan.validate(query)
        self.nowNanos = nowNanos
        self.pruningConjuncts = RecordQueryPlan.leadingConjuncts(query.stages)
        let stages = query.stages
        let head = RecordStreamSegment(timeIsRecordTime: true)
        var next = 0
        while next < stages.count, RecordStreamSegment.isRowWise(stages[next]) {
            try head.append(stages[next])
            next += 1
        }
        let (sink, columns) = try RecordQueryPlan.sink(stages, at: &next, after: head, query: query)
        self.sink = sink
        self.head = head
        self.after = try RecordMaterializedStep.plan(stages[next...], columns: columns, limits: query.limits)
        let hasLimit = stages.contains { if case .limit = $0 { true } else { false } }
        self.defaultCap = hasLimit ? nil : query.defaultLimit
    }

    /// The sink for the first blocking stage at `next` (advanced past the stages it absorbs),
    /// and the table columns it yields (nil for records).
    private static func sink(
        _ stages: [RecordStage], at next: inout Int, after head: RecordStreamSegment, query: RecordQuery
    ) throws(StorageError) -> (Sink, [String]?) {
        switch next < stages.count ? stages[next] : nil {
        case .summarize(let aggregates, let by)?:
            let fold = try summarizeFold(aggregates, by: by, in: head, limits: query.limits)
            next += 1
            return (.groups(fold), fold.columns)
        case .distinct(let exprs)?:
            let fold = try distinctFold(exprs, in: head, limits: query.limits)
            next += 1
            return (.groups(fold), fold.columns)
        default:
            // Without a sort, rows come newest first (APL's order), ties in feed order.
            var keys = [SortKey(.field(.time), descending: true)]
            if next < stages.count, case .sort(let sortKeys) = stages[next] {
                keys = sortKeys
                next += 1
            }
            var compiled: [CompiledRecordExpr] = []
            for key in keys { compiled.append(try head.compile(key.expr)) }
            // The limit/offset stages stay in the stages after the sink: they re-apply to the
            // kept rows, which are a prefix of the fully sorted rows.
            let capacity = rowsNeeded(stages[next...], defaultLimit: query.defaultLimit)
            let top = RecordTopRows(descending: keys.map(\.descending), capacity: capacity, maxRows: query.limits.maxRows)
            return (.rows(top, keys: compiled), nil)
        }
    }

    /// Feeds one batch (rows already restricted to the query's time range). Call any number
    /// of times; the batch is not retained.
    ///
    /// - Throws: `limitExceeded` when the groups pass `maxGroups` or the rows an unbounded
    ///   sort holds pass `maxRows`.
    func consume(_ batch: RecordColumns) throws(StorageError) {
        recordsExamined += batch.count
        head.begin(batch)
        let row = head.row
        switch sink {
        case .groups(let fold) where head.keepsEveryRow && fold.foldsByCode:
            recordsMatched += batch.count
            try fold.foldByCode(row, rows: batch.count)
        case .groups(let fold):
            for i in 0..<batch.count where head.keep(i) {
                recordsMatched += 1
                try fold.fold(row)
            }
        case .rows(let top, let keys):
            for i in 0..<batch.count where head.keep(i) {
                let sequence = recordsMatched
                recordsMatched += 1
                keyScratch.removeAll(keepingCapacity: true)
                for key in keys { keyScratch.append(key.evaluate(row)) }
                // Decide before building the output record, which may decode the whole row.
                if top.admits(keyScratch, sequence: sequence) {
                    try top.insert(keyScratch, sequence: sequence, record: head.outputRecord())
                }
            }
        }
    }

    /// The output once every batch was fed.
    ///
    /// - Throws: `limitExceeded` when a stage after the first blocking stage passes a limit.
    func finish() throws(StorageError) -> RecordQueryOutput {
        var rows: RecordRowSet
        switch sink {
        case .rows(let top, _):
            rows = RecordRowSet(records: top.sortedRecords(), columns: nil)
        case .groups(let fold):
            rows = RecordRowSet(table: fold.table())
        }
        for step in after { rows = try step.apply(rows) }
        guard let columns = rows.columns else {
            if let defaultCap, rows.records.count > defaultCap {
                return .records(Array(rows.records.prefix(defaultCap)))
            }
            return .records(rows.records)
        }
        return .table(RecordTable(columns: columns, rows: rows.records.map { $0.fields.map(\.value) }))
    }
}
