/// One series' samples in the head: timestamps and values in two sorted parallel columns.
///
/// The small internal type behind which the sample layout can change (compressed chunks come
/// next) without touching the index or the query path. In-order appends are amortised O(1);
/// an out-of-order sample costs a binary search and an insertion; a repeated timestamp
/// replaces the value (last write wins).
struct SampleColumns: Sendable {
    private(set) var timestampsMillis: [Int64] = []
    private(set) var values: [Double] = []

    /// Number of samples.
    var count: Int { timestampsMillis.count }

    /// Adds or replaces a sample; returns true when the sample count grew.
    @inline(__always)
    mutating func insert(timestampMillis t: Int64, value v: Double) -> Bool {
        if let last = timestampsMillis.last {
            if t > last {
                timestampsMillis.append(t)
                values.append(v)
                return true
            }
            if t == last {
                values[values.count - 1] = v
                return false
            }
        } else {
            timestampsMillis.append(t)
            values.append(v)
            return true
        }
        let i = lowerBound(t)
        if i < timestampsMillis.count, timestampsMillis[i] == t {
            values[i] = v
            return false
        }
        timestampsMillis.insert(t, at: i)
        values.insert(v, at: i)
        return true
    }

    /// The index range of samples within `[startMillis, endMillis]`.
    func range(startMillis: Int64, endMillis: Int64) -> Range<Int> {
        guard startMillis <= endMillis else { return 0..<0 }
        let lo = lowerBound(startMillis)
        var hi = lowerBound(endMillis)
        if hi < timestampsMillis.count, timestampsMillis[hi] == endMillis { hi += 1 }
        return lo..<max(lo, hi)
    }

    /// Whether any sample lies within `[startMillis, endMillis]`.
    func hasSamples(startMillis: Int64, endMillis: Int64) -> Bool {
        !range(startMillis: startMillis, endMillis: endMillis).isEmpty
    }

    /// The first index whose timestamp is not below `t`.
    private func lowerBound(_ t: Int64) -> Int {
        var lo = 0
        var hi = timestampsMillis.count
        while lo < hi {
            let mid = (lo + hi) >> 1
            if timestampsMillis[mid] < t { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }
}
