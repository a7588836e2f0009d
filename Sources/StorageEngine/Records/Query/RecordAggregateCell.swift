import BasinModel
import StorageAPI

/// A compiled aggregate: its kind and compiled arguments.
enum CompiledAggregate {
    case count
    case countIf(CompiledRecordExpr)
    case sum(CompiledRecordExpr)
    case sumIf(CompiledRecordExpr, CompiledRecordExpr)
    case avg(CompiledRecordExpr)
    case min(CompiledRecordExpr)
    case max(CompiledRecordExpr)
    case dcount(CompiledRecordExpr)
    case percentile(CompiledRecordExpr, Double)
    case topk(CompiledRecordExpr, Int)
    case makeList(CompiledRecordExpr)
    case makeSet(CompiledRecordExpr)
}

/// The running state of one aggregate in one group. A class, so folding a row mutates the
/// lists and sets in place rather than copying them out of an array of enums.
final class RecordAggregateCell {
    private var count = 0
    private var intSum: Int64 = 0
    private var floatSum = 0.0
    private var sawFloat = false
    private var best: FieldValue = .null
    private var distinct: Set<FieldValue> = []
    /// Percentile values: exact ints while every value is an int, else doubles.
    private var ints: [Int64] = []
    private var numbers: [Double] = []
    private var allInts = true
    private var counts: [FieldValue: Int] = [:]
    private var list: [FieldValue] = []

    /// Folds `rows` rows into a `count()` at once (the counting path of ``RecordGroupFold``).
    func addCount(_ rows: Int) {
        count += rows
    }

    /// Folds the current row of `row`.
    func fold(_ aggregate: CompiledAggregate, _ row: RecordRow, maxListElements: Int) {
        switch aggregate {
        case .count:
            count += 1
        case .countIf(let predicate):
            if predicate.isTrue(row) { count += 1 }
        case .sum(let e), .avg(let e):
            add(e.evaluate(row))
        case .sumIf(let e, let predicate):
            if predicate.isTrue(row) { add(e.evaluate(row)) }
        case .min(let e):
            keep(e.evaluate(row), wantLess: true)
        case .max(let e):
            keep(e.evaluate(row), wantLess: false)
        case .dcount(let e):
            let v = e.evaluate(row)
            if !v.isNull { distinct.insert(v) }
        case .percentile(let e, _):
            let v = e.evaluate(row)
            switch v {
            case .int(let i):
                if allInts { ints.append(i) } else { numbers.append(Double(i)) }
            case .float(let d):
                if allInts {
                    allInts = false
                    numbers = ints.map(Double.init)
                    ints = []
                }
                numbers.append(d)
            default: break
            }
        case .topk(let e, _):
            let v = e.evaluate(row)
            if !v.isNull { counts[v, default: 0] += 1 }
        case .makeList(let e):
            let v = e.evaluate(row)
            if !v.isNull, list.count < maxListElements { list.append(v) }
        case .makeSet(let e):
            let v = e.evaluate(row)
            if !v.isNull, list.count < maxListElements, distinct.insert(v).inserted { list.append(v) }
        }
    }

    /// Adds a number to the sum (nulls and non-numbers are skipped); an int overflow turns
    /// the sum into a float rather than wrapping silently.
    private func add(_ v: FieldValue) {
        switch v {
        case .int(let i):
            count += 1
            if sawFloat {
                floatSum += Double(i)
            } else {
                let (s, overflow) = intSum.addingReportingOverflow(i)
                if overflow {
                    sawFloat = true
                    floatSum = Double(intSum) + Double(i)
                } else {
                    intSum = s
                }
            }
        case .float(let d):
            count += 1
            if !sawFloat {
                sawFloat = true
                floatSum = Double(intSum)
            }
            floatSum += d
        default:
            break
        }
    }

    private func keep(_ v: FieldValue, wantLess: Bool) {
        if v.isNull { return }
        if best.isNull {
            best = v
            return
        }
        let c = FieldValueOrder.compare(v, best)
        if wantLess ? c < 0 : c > 0 { best = v }
    }

    /// The aggregate's value for the group.
    func result(_ aggregate: CompiledAggregate, maxListElements: Int) -> FieldValue {
        switch aggregate {
        case .count, .countIf: return .int(Int64(count))
        case .sum, .sumIf:
            if count == 0 { return .null }
            return sawFloat ? .float(floatSum) : .int(intSum)
        case .avg:
            if count == 0 { return .null }
            return .float((sawFloat ? floatSum : Double(intSum)) / Double(count))
        case .min, .max: return best
        case .dcount: return .int(Int64(distinct.count))
        case .percentile(_, let p): return percentile(p)
        case .topk(_, let k): return topk(Swift.min(k, maxListElements))
        case .makeList, .makeSet: return .array(list)
        }
    }

    /// Nearest rank: the value at rank ⌈p/100 · n⌉ (at least 1) of the sorted values.
    private func percentile(_ p: Double) -> FieldValue {
        if allInts {
            guard !ints.isEmpty else { return .null }
            return .int(Self.select(&ints, RecordAggregateCell.nearestRank(p, count: ints.count)))
        }
        guard !numbers.isEmpty else { return .null }
        return .float(Self.select(&numbers, RecordAggregateCell.nearestRank(p, count: numbers.count)))
    }

    /// The `k`-th smallest element (zero-based), reordering `values` (quickselect, expected
    /// linear time instead of a full sort).
    static func select<T: Comparable>(_ values: inout [T], _ k: Int) -> T {
        var lo = 0, hi = values.count - 1
        while lo < hi {
            // Median of three as the pivot keeps sorted input linear too.
            let mid = lo + (hi - lo) / 2
            if values[mid] < values[lo] { values.swapAt(mid, lo) }
            if values[hi] < values[lo] { values.swapAt(hi, lo) }
            if values[hi] < values[mid] { values.swapAt(hi, mid) }
            let pivot = values[mid]
            var i = lo, j = hi
            while i <= j {
                while values[i] < pivot { i += 1 }
                while pivot < values[j] { j -= 1 }
                if i <= j {
                    values.swapAt(i, j)
                    i += 1
                    j -= 1
                }
            }
            if k <= j { hi = j } else if k >= i { lo = i } else { return values[k] }
        }
        return values[k]
    }

    /// The zero-based index of rank ⌈p/100 · n⌉, clamped to the values.
    private static func nearestRank(_ p: Double, count: Int) -> Int {
        let rank = Int((p / 100 * Double(count)).rounded(.up))
        return Swift.max(1, Swift.min(count, rank)) - 1
    }

    /// The `k` most frequent values, ties broken by the smaller value.
    private func topk(_ k: Int) -> FieldValue {
        let ranked = counts.sorted { a, b in
            a.value != b.value ? a.value > b.value : FieldValueOrder.compare(a.key, b.key) < 0
        }
        return .array(ranked.prefix(k).map { entry in
            .object([RecordField("key", entry.key), RecordField("count", .int(Int64(entry.value)))])
        })
    }
}
