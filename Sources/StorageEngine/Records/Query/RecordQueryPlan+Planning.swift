import BasinModel
import StorageAPI

extension RecordQueryPlan {
    /// Checks what compiling the stages does not: positive limits and stage counts.
    static func validate(_ query: RecordQuery) throws(StorageError) {
        let limits = query.limits
        for (name, value) in [
            ("defaultLimit", query.defaultLimit), ("maxGroups", limits.maxGroups), ("maxRows", limits.maxRows),
            ("maxListElements", limits.maxListElements),
        ] where value <= 0 {
            throw StorageError(kind: .badRequest, message: "\(name) must be positive, got \(value)")
        }
        for stage in query.stages {
            switch stage {
            case .limit(let n) where n <= 0:
                throw StorageError(kind: .badRequest, message: "limit must be positive, got \(n)")
            case .offset(let n) where n < 0:
                throw StorageError(kind: .badRequest, message: "offset must not be negative, got \(n)")
            case .sort(let keys) where keys.isEmpty:
                throw StorageError(kind: .badRequest, message: "sort needs at least one key")
            case .distinct(let exprs) where exprs.isEmpty:
                throw StorageError(kind: .badRequest, message: "distinct needs at least one expression")
            default:
                break
            }
        }
    }

    /// The conjuncts of the filters before any other stage.
    static func leadingConjuncts(_ stages: [RecordStage]) -> [RecordExpr] {
        var out: [RecordExpr] = []
        func split(_ e: RecordExpr) {
            if case .binary(.and, let l, let r) = e {
                split(l)
                split(r)
            } else {
                out.append(e)
            }
        }
        for stage in stages {
            guard case .filter(let e) = stage else { break }
            split(e)
        }
        return out
    }

    /// How many rows, in sort order, the stages after the sort can look at: the window the
    /// following `offset`/`limit` stages take, or the default cap when no stage limits and
    /// the rest only reshapes rows; nil when every row may matter.
    static func rowsNeeded(_ rest: ArraySlice<RecordStage>, defaultLimit: Int) -> Int? {
        var start = 0
        var length: Int?
        var index = rest.startIndex
        scan: while index < rest.endIndex {
            switch rest[index] {
            case .limit(let n): length = min(length ?? n, n)
            case .offset(let n):
                start = start.addingReportingOverflow(n).partialValue
                length = length.map { max(0, $0 - n) }
            default: break scan
            }
            index += 1
        }
        if length == nil {
            let anyLimit = rest.contains { if case .limit = $0 { true } else { false } }
            let reshapesOnly = rest[index...].allSatisfy { stage in
                switch stage {
                case .extend, .project, .projectAway: true
                default: false
                }
            }
            guard !anyLimit, reshapesOnly else { return nil }
            length = defaultLimit
        }
        let (needed, overflow) = start.addingReportingOverflow(length ?? 0)
        return overflow ? nil : needed
    }

    /// A `summarize` fold compiled against the scope `segment` leaves.
    static func summarizeFold(
        _ aggregates: [NamedAggregate], by: [NamedExpr], in segment: RecordStreamSegment, limits: RecordQueryLimits
    ) throws(StorageError) -> RecordGroupFold {
        var keys: [(name: String, expr: CompiledRecordExpr)] = []
        for key in by { keys.append((key.name, try segment.compile(key.expr))) }
        var compiled: [(name: String, aggregate: CompiledAggregate)] = []
        for aggregate in aggregates { compiled.append((aggregate.name, try segment.compile(aggregate.aggregate))) }
        return RecordGroupFold(keys: keys, aggregates: compiled, limits: limits)
    }

    /// A `distinct` fold compiled against the scope `segment` leaves.
    static func distinctFold(
        _ exprs: [NamedExpr], in segment: RecordStreamSegment, limits: RecordQueryLimits
    ) throws(StorageError) -> RecordGroupFold {
        var keys: [(name: String, expr: CompiledRecordExpr)] = []
        for key in exprs { keys.append((key.name, try segment.compile(key.expr))) }
        return RecordGroupFold(distinct: keys, limits: limits)
    }
}
