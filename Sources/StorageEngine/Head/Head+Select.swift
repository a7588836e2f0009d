import BasinModel
import StorageAPI
import Synchronization

extension Head {
    /// Sorted refs of the org's series matching all `matchers` (``PostingsMatcher``'s semantics).
    func matchingRefs(_ matchers: [LabelMatcher], in postings: OrgPostings) -> [SeriesRef] {
        PostingsMatcher.refs(
            matching: matchers,
            equal: { name, value in postings.withValues(of: name) { $0[value] ?? [] } },
            eachValue: { name, body in
                postings.withValues(of: name) { table in
                    for (value, refs) in table { body(value, { refs }) }
                }
            },
            all: { postings.allRefs() })
    }

    /// Refs matching any of `matcherSets`, or all of the org's series when the list is empty.
    func matchingRefs(anyOf matcherSets: [[LabelMatcher]], in postings: OrgPostings) -> [SeriesRef] {
        if matcherSets.isEmpty { return postings.allRefs() }
        return SortedRefs.union(matcherSets.map { matchingRefs($0, in: postings) })
    }

    /// Reads matching series' samples in the range, enforcing the request's limits; a series
    /// whose metric expires is read from its horizon on.
    func select(_ request: SelectRequest, expiry: MetricExpiry = .none) throws(StorageError) -> [SeriesSamples] {
        guard let postings = postings(for: request.org) else { return [] }
        let refs = matchingRefs(request.matchers, in: postings)
        var out: [SeriesSamples] = []
        var totalSamples = 0
        for ref in refs {
            let found: SeriesSamples? = withSeries(ref) { series in
                let start = expiry.startMillis(for: series.labels, from: request.startMillis)
                let r = series.samples.range(startMillis: start, endMillis: request.endMillis)
                if r.isEmpty { return nil }
                totalSamples += r.count
                if totalSamples > request.maxSamples { return nil }
                return SeriesSamples(
                    labels: series.labels, kind: series.kind,
                    timestampsMillis: Array(series.samples.timestampsMillis[r]),
                    values: Array(series.samples.values[r]))
            }
            if totalSamples > request.maxSamples {
                throw StorageError(kind: .limitExceeded, message: "query would read more than maxSamples=\(request.maxSamples) samples")
            }
            guard let found else { continue }
            if out.count == request.maxSeries {
                throw StorageError(kind: .limitExceeded, message: "query would read more than maxSeries=\(request.maxSeries) series")
            }
            out.append(found)
        }
        out.sort { LabelsOrder.precedes($0.labels, $1.labels) }
        return out
    }

    /// Label sets of matching series with a sample in the range.
    func labelSets(
        org: OrgID, matcherSets: [[LabelMatcher]], startMillis: Int64, endMillis: Int64, expiry: MetricExpiry = .none
    ) -> [Labels] {
        guard let postings = postings(for: org) else { return [] }
        var out: [Labels] = []
        for ref in matchingRefs(anyOf: matcherSets, in: postings) {
            let labels: Labels? = withSeries(ref) { series in
                let start = expiry.startMillis(for: series.labels, from: startMillis)
                return series.samples.hasSamples(startMillis: start, endMillis: endMillis) ? series.labels : nil
            }
            if let labels { out.append(labels) }
        }
        return out
    }

    /// Metric kinds by name, optionally for one name only.
    func metricKinds(org: OrgID, metricName: String?) -> [String: MetricKind] {
        guard let postings = postings(for: org) else { return [:] }
        return postings.kinds.withLock { kinds in
            guard let metricName else { return kinds }
            return kinds[metricName].map { [metricName: $0] } ?? [:]
        }
    }
}

/// Orders label sets as Prometheus' `labels.Compare` does, straight on the encoded bytes.
enum LabelsOrder {
    static func precedes(_ a: Labels, _ b: Labels) -> Bool {
        a.bytes.withUnsafeBytes { x in
            b.bytes.withUnsafeBytes { y in
                var cx = PayloadCursor(bytes: x)
                var cy = PayloadCursor(bytes: y)
                while true {
                    if cx.remaining == 0 || cy.remaining == 0 { return cx.remaining == 0 && cy.remaining != 0 }
                    // Name, then value: each a uvarint length and bytes.
                    for _ in 0..<2 {
                        let lx = Int(cx.readUVarint() ?? 0), ly = Int(cy.readUVarint() ?? 0)
                        let sx = cx.readBytes(min(lx, cx.remaining)), sy = cy.readBytes(min(ly, cy.remaining))
                        if !sx.elementsEqual(sy) { return sx.lexicographicallyPrecedes(sy) }
                    }
                }
            }
        }
    }
}
