import BasinModel
import StorageAPI

/// A run of row-wise stages (`filter`, `extend`, `project`, `project-away`) compiled against
/// one source, plus whatever the stage after it evaluates per row (sort keys, group keys,
/// aggregate arguments), compiled against the scope the run leaves.
///
/// Built in two phases: ``append(_:)`` and ``compile(_:)`` while planning, then ``begin(_:)``
/// and ``keep(_:)`` per batch and row.
final class RecordStreamSegment {
    private enum Step {
        case filter(CompiledRecordExpr)
        case assign([(slot: Int, expr: CompiledRecordExpr)])
    }

    private var steps: [Step] = []
    /// The scope after the appended stages.
    private(set) var scope: RecordScope
    private var compiler = RecordExprCompiler()
    private var slotCount = 0
    private var fixedColumns: [(name: String, column: RecordScope.Column)]?
    /// The row context; created once planning is done (its column table is then complete).
    private(set) lazy var row = RecordRow(sourceNames: compiler.sourceNames, slotCount: slotCount)

    /// - Parameter timeIsRecordTime: true over records, false over a table (where `_time`
    ///   is an ordinary column).
    init(timeIsRecordTime: Bool) {
        scope = RecordScope(timeIsRecordTime: timeIsRecordTime)
    }

    /// Whether `stage` is row-wise (a segment can hold it).
    static func isRowWise(_ stage: RecordStage) -> Bool {
        switch stage {
        case .filter, .extend, .project, .projectAway: true
        default: false
        }
    }

    /// Appends a row-wise stage.
    func append(_ stage: RecordStage) throws(StorageError) {
        switch stage {
        case .filter(let e):
            steps.append(.filter(try compiler.compile(e, in: scope)))
        case .extend(let columns):
            // Each column sees the ones before it in the same `extend`, as in Kusto.
            var assigns: [(slot: Int, expr: CompiledRecordExpr)] = []
            for column in columns {
                let expr = try compiler.compile(column.expr, in: scope)
                let slot = newSlot()
                assigns.append((slot, expr))
                scope.bind(column.name, slot: slot)
            }
            steps.append(.assign(assigns))
        case .project(let columns):
            var assigns: [(slot: Int, expr: CompiledRecordExpr)] = []
            var bound: [(name: String, slot: Int)] = []
            for column in columns {
                let expr = try compiler.compile(column.expr, in: scope)
                let slot = newSlot()
                assigns.append((slot, expr))
                bound.append((column.name, slot))
            }
            steps.append(.assign(assigns))
            scope.project(bound)
        case .projectAway(let patterns):
            scope.hide(patterns)
        default:
            throw StorageError(kind: .badRequest, message: "stage \(stage) is not row-wise")
        }
    }

    private func newSlot() -> Int {
        slotCount += 1
        return slotCount - 1
    }

    /// Compiles an expression against the scope the appended stages leave.
    func compile(_ expr: RecordExpr) throws(StorageError) -> CompiledRecordExpr {
        try compiler.compile(expr, in: scope)
    }

    /// Compiles an aggregate against the scope the appended stages leave.
    func compile(_ aggregate: RecordAggregate) throws(StorageError) -> CompiledAggregate {
        switch aggregate {
        case .count: return .count
        case .countIf(let p): return .countIf(try compile(p))
        case .sum(let e): return .sum(try compile(e))
        case .sumIf(let e, let p): return .sumIf(try compile(e), try compile(p))
        case .avg(let e): return .avg(try compile(e))
        case .min(let e): return .min(try compile(e))
        case .max(let e): return .max(try compile(e))
        case .dcount(let e): return .dcount(try compile(e))
        case .percentile(let e, let p):
            guard (0...100).contains(p) else {
                throw StorageError(kind: .badRequest, message: "percentile must be between 0 and 100, got \(p)")
            }
            return .percentile(try compile(e), p)
        case .topk(let e, let k):
            guard k > 0 else { throw StorageError(kind: .badRequest, message: "topk needs k > 0, got \(k)") }
            return .topk(try compile(e), k)
        case .makeList(let e): return .makeList(try compile(e))
        case .makeSet(let e): return .makeSet(try compile(e))
        }
    }

    /// Whether ``keep(_:)`` keeps every row and computes nothing (no stage was appended).
    var keepsEveryRow: Bool { steps.isEmpty }

    /// Starts reading a batch.
    func begin(_ batch: RecordColumns) {
        row.begin(batch)
    }

    /// Runs the steps on row `index` of the current batch; true when every filter kept it.
    /// The row's computed values stay in ``row`` until the next call.
    @inline(__always)
    func keep(_ index: Int) -> Bool {
        let row = self.row
        row.move(to: index)
        for step in steps {
            switch step {
            case .filter(let e):
                if !e.isTrue(row) { return false }
            case .assign(let assigns):
                for assign in assigns { row.slots[assign.slot] = assign.expr.evaluate(row) }
            }
        }
        return true
    }

    /// The current row as an output record: its source fields with the computed columns
    /// applied (or only the projected columns), and its record time.
    func outputRecord() -> Record {
        if !scope.needsSource {
            if fixedColumns == nil { fixedColumns = scope.columns(sourceNames: []) }
            return Record(timeNanos: row.time, fields: fields(fixedColumns ?? [], source: []))
        }
        let record = row.record()
        if scope.isIdentity { return record }
        let columns = scope.columns(sourceNames: record.fields.map(\.name))
        return Record(timeNanos: row.time, fields: fields(columns, source: record.fields))
    }

    /// The current row's values for a table whose source columns are `sourceColumns`;
    /// `layout` is `scope.columns(sourceNames: sourceColumns)`.
    func outputValues(_ layout: [(name: String, column: RecordScope.Column)]) -> [FieldValue] {
        let source = scope.needsSource ? row.record().fields : []
        return fields(layout, source: source).map(\.value)
    }

    private func fields(_ columns: [(name: String, column: RecordScope.Column)], source: [RecordField]) -> [RecordField] {
        columns.map { column in
            switch column.column {
            case .source(let i): i < source.count ? source[i] : RecordField(column.name, .null)
            case .slot(let s): RecordField(column.name, row.slots[s])
            }
        }
    }
}
