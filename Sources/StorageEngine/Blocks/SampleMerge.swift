/// Merging of sorted sample runs where a newer run wins on equal timestamps.
enum SampleMerge {
    /// Merges `newer` into `older` (both sorted, unique timestamps); on a tie `newer`'s value wins.
    static func merge(
        timestamps older: inout [Int64], values olderValues: inout [Double],
        newerTimestamps newer: [Int64], newerValues: [Double]
    ) {
        if newer.isEmpty { return }
        if older.isEmpty {
            older = newer
            olderValues = newerValues
            return
        }
        if let last = older.last, let first = newer.first, last < first {
            older.append(contentsOf: newer)
            olderValues.append(contentsOf: newerValues)
            return
        }
        var ts: [Int64] = []
        var vs: [Double] = []
        ts.reserveCapacity(older.count + newer.count)
        vs.reserveCapacity(older.count + newer.count)
        var i = 0
        var j = 0
        while i < older.count, j < newer.count {
            if older[i] < newer[j] {
                ts.append(older[i]); vs.append(olderValues[i]); i += 1
            } else if older[i] > newer[j] {
                ts.append(newer[j]); vs.append(newerValues[j]); j += 1
            } else {
                ts.append(newer[j]); vs.append(newerValues[j]); i += 1; j += 1
            }
        }
        while i < older.count { ts.append(older[i]); vs.append(olderValues[i]); i += 1 }
        while j < newer.count { ts.append(newer[j]); vs.append(newerValues[j]); j += 1 }
        older = ts
        olderValues = vs
    }
}
