import BasinModel
import StorageAPI
import Synchronization

/// A series reference: `(index within stripe) << stripeBits | stripe`.
///
/// Stable for the life of the head; blocks cut from the head later map these to their own
/// per-block ids, so nothing on disk stores them.
typealias SeriesRef = UInt64

/// Sorted-list helpers for postings.
enum SortedRefs {
    /// Inserts `ref` keeping the list sorted (appending when it is the largest, the common case).
    static func insert(_ ref: SeriesRef, into list: inout [SeriesRef]) {
        if let last = list.last, last >= ref {
            var lo = 0
            var hi = list.count
            while lo < hi {
                let mid = (lo + hi) >> 1
                if list[mid] < ref { lo = mid + 1 } else { hi = mid }
            }
            if lo < list.count, list[lo] == ref { return }
            list.insert(ref, at: lo)
        } else {
            list.append(ref)
        }
    }

    /// The intersection of two sorted lists.
    static func intersect(_ a: [SeriesRef], _ b: [SeriesRef]) -> [SeriesRef] {
        var out: [SeriesRef] = []
        out.reserveCapacity(min(a.count, b.count))
        var i = 0
        var j = 0
        while i < a.count, j < b.count {
            if a[i] == b[j] {
                out.append(a[i])
                i += 1
                j += 1
            } else if a[i] < b[j] {
                i += 1
            } else {
                j += 1
            }
        }
        return out
    }

    /// `a` without the elements of `b` (both sorted).
    static func subtract(_ a: [SeriesRef], _ b: [SeriesRef]) -> [SeriesRef] {
        guard !b.isEmpty else { return a }
        var out: [SeriesRef] = []
        out.reserveCapacity(a.count)
        var j = 0
        for x in a {
            while j < b.count, b[j] < x { j += 1 }
            if j < b.count, b[j] == x { continue }
            out.append(x)
        }
        return out
    }

    /// The sorted union of several sorted lists.
    static func union(_ lists: [[SeriesRef]]) -> [SeriesRef] {
        if lists.count == 1 { return lists[0] }
        var out = lists.flatMap { $0 }
        out.sort()
        var w = 0
        for x in out where w == 0 || out[w - 1] != x {
            out[w] = x
            w += 1
        }
        out.removeLast(out.count - w)
        return out
    }
}

/// Prometheus matcher semantics over one organisation's postings, shared by the head and blocks.
///
/// A matcher that rejects the empty string selects the union of the postings of the values it
/// accepts (an equality matcher is one lookup; the others scan the values of that name). A
/// matcher that accepts the empty string also accepts series without the label, so it is
/// applied as a subtraction of the values it rejects. Positive sets are intersected smallest
/// first; when there are none, the organisation's full list is the starting set. An empty
/// matcher list matches nothing.
enum PostingsMatcher {
    /// - Parameters:
    ///   - equal: the sorted refs of series whose label `name` is `value`.
    ///   - eachValue: calls its body with every value of label `name` and a reader of its refs.
    ///   - all: every ref of the organisation, sorted.
    static func refs(
        matching matchers: [LabelMatcher],
        equal: (_ name: String, _ value: String) -> [SeriesRef],
        eachValue: (_ name: String, _ body: (String, () -> [SeriesRef]) -> Void) -> Void,
        all: () -> [SeriesRef]
    ) -> [SeriesRef] {
        guard !matchers.isEmpty else { return [] }
        var positives: [[SeriesRef]] = []
        var negatives: [[SeriesRef]] = []
        for m in matchers {
            if m.matchesEmpty {
                var rejected: [[SeriesRef]] = []
                eachValue(m.name) { value, refs in if !m.matches(value) { rejected.append(refs()) } }
                if !rejected.isEmpty { negatives.append(SortedRefs.union(rejected)) }
            } else if m.op == .equal {
                let found = equal(m.name, m.value)
                if found.isEmpty { return [] }
                positives.append(found)
            } else {
                var accepted: [[SeriesRef]] = []
                eachValue(m.name) { value, refs in if m.matches(value) { accepted.append(refs()) } }
                if accepted.isEmpty { return [] }
                positives.append(SortedRefs.union(accepted))
            }
        }
        var result: [SeriesRef]
        if positives.isEmpty {
            result = all()
        } else {
            positives.sort { $0.count < $1.count }
            result = positives[0]
            for list in positives.dropFirst() where !result.isEmpty {
                result = SortedRefs.intersect(result, list)
            }
        }
        for list in negatives where !result.isEmpty {
            result = SortedRefs.subtract(result, list)
        }
        return result
    }
}

/// One organisation's inverted index: label name -> value -> sorted series refs.
///
/// Striped by label name so series creation in one org does not serialize on one lock;
/// matcher evaluation takes one stripe per matcher.
final class OrgPostings: Sendable {
    static let stripeCount = 16

    final class Stripe: Sendable {
        let table = Mutex<[String: [String: [SeriesRef]]]>([:])
    }

    private let stripes: [Stripe] = (0..<OrgPostings.stripeCount).map { _ in Stripe() }
    /// Every series of the org, sorted.
    private let all = Mutex<[SeriesRef]>([])
    /// Metric name -> kind, first writer wins.
    let kinds = Mutex<[String: MetricKind]>([:])

    private func stripe(for name: String) -> Stripe {
        stripes[Int(UInt(bitPattern: name.hashValue) % UInt(OrgPostings.stripeCount))]
    }

    /// Indexes a new series under each of its labels.
    func add(_ ref: SeriesRef, labels: [(name: String, value: String)]) {
        for (name, value) in labels {
            stripe(for: name).table.withLock { t in
                SortedRefs.insert(ref, into: &t[name, default: [:]][value, default: []])
            }
        }
        all.withLock { SortedRefs.insert(ref, into: &$0) }
    }

    /// Every series ref of the org.
    func allRefs() -> [SeriesRef] { all.withLock { $0 } }

    /// Calls `body` with the value table of one label name (under its stripe lock; keep it short).
    func withValues<R>(of name: String, _ body: ([String: [SeriesRef]]) -> R) -> R {
        stripe(for: name).table.withLock { t in body(t[name] ?? [:]) }
    }
}
