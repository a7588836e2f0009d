import BasinModel
import StorageAPI

/// Organisation ranges, postings lookups and matcher evaluation over both format versions.
extension Block {
    /// The ids of the organisation's series (a contiguous range: series are sorted by organisation first).
    func seriesRange(org: OrgID) -> Range<Int> {
        if version >= 2 {
            guard let target = symbolID(org.name) else { return 0..<0 }
            let lower = partition(seriesCount) { (orgSymbolV2(ofSeries: $0) ?? .max) < target }
            let upper = partition(seriesCount) { (orgSymbolV2(ofSeries: $0) ?? .max) <= target }
            return lower..<max(lower, upper)
        }
        var key = Array(org.name.utf8)
        return key.withUnsafeMutableBytes { k -> Range<Int> in
            let target = UnsafeRawBufferPointer(k)
            let lower = partition(seriesCount) { id in BlockBytes.compare(orgBytesV1(ofSeries: id) ?? .init(start: nil, count: 0), target) < 0 }
            let upper = partition(seriesCount) { id in BlockBytes.compare(orgBytesV1(ofSeries: id) ?? .init(start: nil, count: 0), target) <= 0 }
            return lower..<max(lower, upper)
        }
    }

    /// The first index in `0..<count` for which `isBefore` is false (it must be monotone).
    func partition(_ count: Int, _ isBefore: (Int) -> Bool) -> Int {
        var lo = 0
        var hi = count
        while lo < hi {
            let mid = (lo + hi) >> 1
            if isBefore(mid) { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }

    var postingsBytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: file.bytes[postings]) }

    /// The offset of postings entry `i` within POSTINGS.
    func postingsOffset(_ i: Int) -> Int {
        BlockBytes.offset(file.bytes, table: postingsOffsets.lowerBound, width: offsetWidth, index: i)
    }

    /// Decodes the id list at `cursor`.
    private func ids(_ cursor: PayloadCursor) -> [SeriesRef] {
        var cursor = cursor
        guard let count = cursor.readUVarint(), count <= UInt64(cursor.remaining) else { return [] }
        var out: [SeriesRef] = []
        out.reserveCapacity(Int(count))
        var id: UInt64 = 0
        for _ in 0..<count {
            guard let delta = cursor.readUVarint() else { break }
            id &+= delta
            out.append(id)
        }
        return out
    }

    /// Calls `body` with each value of label `name` in the organisation and a lazy reader of its ids.
    func forEachValue(org: OrgID, name: String, _ body: (String, () -> [SeriesRef]) -> Void) {
        if version >= 2 {
            guard let o = symbolID(org.name), let n = symbolID(name) else { return }
            let lower = postingsLowerBoundV2(org: o, name: n, value: 0)
            let upper = n < UInt64.max ? postingsLowerBoundV2(org: o, name: n + 1, value: 0) : postingsCount
            for i in lower..<max(lower, upper) {
                guard let key = postingsKeyV2(i), let value = symbolBytes(key.value) else { continue }
                body(String(decoding: value, as: UTF8.self), { self.ids(key.cursor) })
            }
            return
        }
        for i in postingsRangeV1(org: Array(org.name.utf8), name: Array(name.utf8)) {
            guard let key = postingsKeyV1(i) else { continue }
            body(String(decoding: key.value, as: UTF8.self), { self.ids(key.cursor) })
        }
    }

    /// The ids of the organisation's series with label `name` equal to `value`.
    func ids(org: OrgID, name: String, value: String) -> [SeriesRef] {
        if version >= 2 {
            guard let o = symbolID(org.name), let n = symbolID(name), let v = symbolID(value) else { return [] }
            let i = postingsLowerBoundV2(org: o, name: n, value: v)
            guard i < postingsCount, let key = postingsKeyV2(i), key.org == o, key.name == n, key.value == v else { return [] }
            return ids(key.cursor)
        }
        let range = postingsRangeV1(org: Array(org.name.utf8), name: Array(name.utf8))
        let target = Array(value.utf8)
        return target.withUnsafeBytes { v in
            let i = range.lowerBound + partition(range.count) { j in
                guard let key = postingsKeyV1(range.lowerBound + j) else { return false }
                return BlockBytes.compare(key.value, v) < 0
            }
            guard i < range.upperBound, let key = postingsKeyV1(i), BlockBytes.compare(key.value, v) == 0 else { return [] }
            return ids(key.cursor)
        }
    }

    func matchingIDs(org: OrgID, matchers: [LabelMatcher]) -> [SeriesRef] {
        let all = seriesRange(org: org)
        guard !all.isEmpty else { return [] }
        return PostingsMatcher.refs(
            matching: matchers,
            equal: { name, value in ids(org: org, name: name, value: value) },
            eachValue: { name, body in forEachValue(org: org, name: name, body) },
            all: { all.map { SeriesRef($0) } })
    }

    /// Ids matching any of `matcherSets`, or all of the organisation's series when empty.
    func matchingIDs(org: OrgID, anyOf matcherSets: [[LabelMatcher]]) -> [SeriesRef] {
        if matcherSets.isEmpty { return seriesRange(org: org).map { SeriesRef($0) } }
        return SortedRefs.union(matcherSets.map { matchingIDs(org: org, matchers: $0) })
    }
}
