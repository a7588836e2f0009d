import BasinModel
import StorageAPI

/// Rows materialised after the first blocking stage: records, or a table's rows carried as
/// records (time 0, one field per column) so the same segments evaluate both.
struct RecordRowSet {
    var records: [Record]
    /// The table's columns; nil while the rows are still records.
    var columns: [String]?

    init(records: [Record], columns: [String]?) {
        self.records = records
        self.columns = columns
    }

    init(table: RecordTable) {
        self.columns = table.columns
        self.records = table.rows.map { values in
            Record(timeNanos: 0, fields: zip(table.columns, values).map { RecordField($0, $1) })
        }
    }
}

/// A stage after the first blocking stage, compiled against the shape of the rows it gets.
enum RecordMaterializedStep {
    /// Row-wise stages; `layout` is the output columns when the rows are a table.
    case rowWise(RecordStreamSegment, layout: [(name: String, column: RecordScope.Column)]?)
    case sort(RecordStreamSegment, keys: [CompiledRecordExpr], descending: [Bool])
    case limit(Int)
    case offset(Int)
    case fold(RecordStreamSegment, RecordGroupFold)

    /// Compiles `stages`, which get records (`columns` nil) or a table with `columns`.
    static func plan(
        _ stages: ArraySlice<RecordStage>, columns: [String]?, limits: RecordQueryLimits
    ) throws(StorageError) -> [RecordMaterializedStep] {
        var steps: [RecordMaterializedStep] = []
        var columns = columns
        var index = stages.startIndex
        while index < stages.endIndex {
            let stage = stages[index]
            let segment = RecordStreamSegment(timeIsRecordTime: columns == nil)
            index += 1
            switch stage {
            case .filter, .extend, .project, .projectAway:
                try segment.append(stage)
                while index < stages.endIndex, RecordStreamSegment.isRowWise(stages[index]) {
                    try segment.append(stages[index])
                    index += 1
                }
                let layout = columns.map { segment.scope.columns(sourceNames: $0) }
                if let layout { columns = layout.map(\.name) }
                steps.append(.rowWise(segment, layout: layout))
            case .sort(let keys):
                var compiled: [CompiledRecordExpr] = []
                for key in keys { compiled.append(try segment.compile(key.expr)) }
                steps.append(.sort(segment, keys: compiled, descending: keys.map(\.descending)))
            case .limit(let n):
                steps.append(.limit(n))
            case .offset(let n):
                steps.append(.offset(n))
            case .summarize(let aggregates, let by):
                let fold = try RecordQueryPlan.summarizeFold(aggregates, by: by, in: segment, limits: limits)
                columns = fold.columns
                steps.append(.fold(segment, fold))
            case .distinct(let exprs):
                let fold = try RecordQueryPlan.distinctFold(exprs, in: segment, limits: limits)
                columns = fold.columns
                steps.append(.fold(segment, fold))
            }
        }
        return steps
    }

    /// Runs the step on `rows`.
    func apply(_ rows: RecordRowSet) throws(StorageError) -> RecordRowSet {
        switch self {
        case .limit(let n):
            return RecordRowSet(records: Array(rows.records.prefix(n)), columns: rows.columns)
        case .offset(let n):
            return RecordRowSet(records: Array(rows.records.dropFirst(n)), columns: rows.columns)
        case .rowWise(let segment, let layout):
            segment.begin(RecordColumns(records: rows.records))
            var out: [Record] = []
            for i in rows.records.indices where segment.keep(i) {
                if let layout {
                    let values = segment.outputValues(layout)
                    out.append(Record(timeNanos: 0, fields: zip(layout, values).map { RecordField($0.name, $1) }))
                } else {
                    out.append(segment.outputRecord())
                }
            }
            return RecordRowSet(records: out, columns: layout.map { $0.map(\.name) })
        case .sort(let segment, let keys, let descending):
            return RecordRowSet(records: Self.sorted(rows.records, segment, keys, descending), columns: rows.columns)
        case .fold(let segment, let fold):
            segment.begin(RecordColumns(records: rows.records))
            for i in rows.records.indices where segment.keep(i) { try fold.fold(segment.row) }
            return RecordRowSet(table: fold.table())
        }
    }

    /// A stable sort of materialised rows by keys evaluated once per row.
    private static func sorted(
        _ records: [Record], _ segment: RecordStreamSegment, _ keys: [CompiledRecordExpr], _ descending: [Bool]
    ) -> [Record] {
        segment.begin(RecordColumns(records: records))
        let keyed = records.indices.map { i in
            _ = segment.keep(i)
            return keys.map { $0.evaluate(segment.row) }
        }
        let order = records.indices.sorted { a, b in
            for k in descending.indices {
                let c = RecordValueOrder.compareSortKey(keyed[a][k], keyed[b][k], descending: descending[k])
                if c != 0 { return c < 0 }
            }
            return a < b
        }
        return order.map { records[$0] }
    }
}
