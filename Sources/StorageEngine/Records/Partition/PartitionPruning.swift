import BasinModel
import StorageAPI

/// Decides from a partition's index alone that no row can satisfy a query's leading filters.
///
/// Only conjuncts that are a ``FieldCondition`` are used; anything else never skips. Every rule
/// is conservative: a skip means no row can match.
enum PartitionPruning {
    static func canSkip(_ conjuncts: [RecordExpr], _ index: PartitionIndex) -> Bool {
        conjuncts.contains { cannotMatch($0, index) }
    }

    private static func cannotMatch(_ e: RecordExpr, _ index: PartitionIndex) -> Bool {
        guard let condition = FieldCondition(e) else { return false }
        let name = condition.field
        switch condition.test {
        case .compare(let op, let v):
            return cannotMatch(name, op, v, index)
        case .oneOf(let values):
            return values.allSatisfy { cannotMatch(name, .eq, $0, index) }
        case .notNull:
            guard name != "_time", index.rawRows.storedLength == 0 else { return false }
            guard let col = index.columns.first(where: { $0.name == name }) else { return true }
            return col.stats.absent + col.stats.nulls == index.rows
        }
    }

    private static func cannotMatch(_ name: String, _ op: RecordBinaryOp, _ v: FieldValue, _ index: PartitionIndex) -> Bool {
        guard !v.isNull else { return false }
        if name == "_time" {
            guard case .timestamp(let t) = v else { return false }
            return !overlaps(op, t, index.minTime...index.maxTime)
        }
        // Rows stored whole are not in the statistics.
        guard index.rawRows.storedLength == 0 else { return false }
        guard let col = index.columns.first(where: { $0.name == name }) else {
            // Absent everywhere: every comparison with a non-null value is false.
            return [.eq, .lt, .le, .gt, .ge].contains(op)
        }
        let stats = col.stats
        switch v {
        case .string(let s):
            guard !stats.has(.int), !stats.has(.float), !stats.has(.bool), !stats.has(.timestamp) else { return false }
            if op == .eq {
                if !stats.has(.string) { return true }
                if let bloom = stats.bloom, !bloom.mayContain(s) { return true }
            }
            return false
        case .int(let i):
            return numericCannotMatch(op, Double(i), stats)
        case .float(let d):
            return numericCannotMatch(op, d, stats)
        case .timestamp(let t):
            guard stats.typeBits == 1 << RecordColumn.tag(of: .timestamp) || stats.typeBits == (1 << RecordColumn.tag(of: .timestamp)) | 1,
                  let r = stats.timestampRange else { return false }
            return !overlaps(op, t, r)
        default:
            return false
        }
    }

    /// Numbers compare across int and float; a column holding other types is never skipped.
    private static func numericCannotMatch(_ op: RecordBinaryOp, _ v: Double, _ stats: ColumnStats) -> Bool {
        let numericBits: UInt16 = (1 << RecordColumn.tag(of: .int)) | (1 << RecordColumn.tag(of: .float)) | 1
        guard stats.typeBits & ~numericBits == 0, v.isFinite else { return false }
        var lo = Double.infinity, hi = -Double.infinity
        if let r = stats.intRange {
            // Exact below 2^53; beyond, Double(Int64) may round either way, so widen a step.
            let exact: ClosedRange<Int64> = -(1 << 53)...(1 << 53)
            let l = Double(r.lowerBound), h = Double(r.upperBound)
            lo = min(lo, exact.contains(r.lowerBound) ? l : l.nextDown)
            hi = max(hi, exact.contains(r.upperBound) ? h : h.nextUp)
        }
        if let r = stats.floatRange {
            lo = min(lo, r.lowerBound)
            hi = max(hi, r.upperBound)
        }
        if stats.has(.float) && stats.floatRange == nil { return false }   // only NaNs
        guard lo <= hi else { return [.eq, .lt, .le, .gt, .ge].contains(op) }
        switch op {
        case .eq: return v < lo || v > hi
        case .lt: return lo >= v
        case .le: return lo > v
        case .gt: return hi <= v
        case .ge: return hi < v
        default: return false
        }
    }

    private static func overlaps(_ op: RecordBinaryOp, _ t: Int64, _ r: ClosedRange<Int64>) -> Bool {
        switch op {
        case .eq: r.contains(t)
        case .lt: r.lowerBound < t
        case .le: r.lowerBound <= t
        case .gt: r.upperBound > t
        case .ge: r.upperBound >= t
        default: true
        }
    }
}
