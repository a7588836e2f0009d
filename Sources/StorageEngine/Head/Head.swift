import BasinModel
import Synchronization

/// The in-memory head: every series and sample not yet cut into a block.
///
/// Series live in ``stripeCount`` stripes chosen by the hash of (org, labels), each behind its
/// own `Mutex`, so readers of one series never wait for writers of another. Each organisation
/// has its own ``OrgPostings``. Blocks (next issue) will be cut per time range from
/// ``SampleColumns`` and the head truncated; the index shape does not change for that.
final class Head: Sendable {
    static let stripeBits: UInt64 = 6
    static let stripeCount = 1 << 6

    /// A series' identity: organisation and label set, with their hash computed once.
    ///
    /// `Labels`' synthesized `Hashable` feeds the hasher one byte at a time; on the replay and
    /// append paths that was most of the time spent per series. This key hashes the bytes in
    /// bulk (still the seeded SipHash of `Hasher`, so crafted label sets cannot force
    /// collisions), once: the same value picks the stripe and keys its dictionary.
    struct SeriesKey: Hashable, Sendable {
        let org: OrgID
        let labels: Labels
        /// Seeded hash of `org` and `labels` (per process, like `hashValue`).
        let hash: Int

        init(org: OrgID, labels: Labels) {
            self.org = org
            self.labels = labels
            var hasher = Hasher()
            hasher.combine(org.name)
            labels.bytes.withUnsafeBytes { hasher.combine(bytes: $0) }
            self.hash = hasher.finalize()
        }

        /// The stripe this series lives in.
        var stripe: Int { Int(UInt(bitPattern: hash) & UInt(Head.stripeCount - 1)) }

        func hash(into hasher: inout Hasher) {
            hasher.combine(hash)
        }

        static func == (a: SeriesKey, b: SeriesKey) -> Bool {
            // Label sets repeated by the log decoder share one buffer, which `==` on arrays
            // recognises without comparing bytes.
            a.hash == b.hash && a.labels == b.labels && a.org == b.org
        }
    }

    struct HeadSeries: Sendable {
        let labels: Labels
        let kind: MetricKind
        var samples: SampleColumns
    }

    struct StripeState: Sendable {
        var refs: [SeriesKey: UInt64] = [:]
        var series: [HeadSeries] = []
    }

    final class Stripe: Sendable {
        let state = Mutex(StripeState())
    }

    let stripes: [Stripe] = (0..<Head.stripeCount).map { _ in Stripe() }
    private let orgs = Mutex<[OrgID: OrgPostings]>([:])
    private let seriesTotal = Atomic<Int>(0)
    private let sampleTotal = Atomic<Int>(0)

    init() {}

    /// Series in the head.
    var seriesCount: Int { seriesTotal.load(ordering: .relaxed) }
    /// Samples in the head.
    var sampleCount: Int { sampleTotal.load(ordering: .relaxed) }

    /// The index of an organisation, or nil when it has never written.
    func postings(for org: OrgID) -> OrgPostings? {
        orgs.withLock { $0[org] }
    }

    /// Every organisation's index.
    func orgsSnapshot() -> [OrgID: OrgPostings] {
        orgs.withLock { $0 }
    }

    /// The index of an organisation, created when it has none.
    func postingsCreating(_ org: OrgID) -> OrgPostings {
        orgs.withLock { table in
            if let p = table[org] { return p }
            let p = OrgPostings()
            table[org] = p
            return p
        }
    }

    /// Applies a batch: creates missing series and inserts every sample (last write wins).
    ///
    /// Callers apply batches in write-ahead-log order, so the head agrees with a replay.
    /// - Complexity: O(series + samples) plus O(log n) per out-of-order sample.
    func apply(_ batch: MetricBatch, org: OrgID) {
        guard !batch.isEmpty else { return }
        let orgPostings = postingsCreating(org)
        var refs = [SeriesRef](repeating: 0, count: batch.series.count)
        for slot in batch.series.indices {
            refs[slot] = resolve(SeriesKey(org: org, labels: batch.series[slot]), kind: batch.kinds[slot], postings: orgPostings)
        }
        insert(batch, refs: refs)
    }

    /// Inserts every sample of `batch` into the series `refs[slot]` (last write wins).
    ///
    /// - Parameter refs: for each of the batch's series slots, a ref this head returned from
    ///   ``resolve(_:kind:postings:)``.
    /// - Complexity: O(samples) plus O(log n) per out-of-order sample.
    func insert(_ batch: MetricBatch, refs: [SeriesRef]) {
        guard !batch.isEmpty else { return }
        // Group sample indices by stripe (stable counting sort) so each stripe is locked once.
        let mask = SeriesRef(Head.stripeCount - 1)
        var counts = [Int](repeating: 0, count: Head.stripeCount + 1)
        for slot in batch.seriesSlots {
            counts[Int(refs[Int(slot)] & mask) + 1] += 1
        }
        for s in 0..<Head.stripeCount { counts[s + 1] += counts[s] }
        var order = [Int32](repeating: 0, count: batch.sampleCount)
        var next = counts
        for (i, slot) in batch.seriesSlots.enumerated() {
            let s = Int(refs[Int(slot)] & mask)
            order[next[s]] = Int32(i)
            next[s] += 1
        }
        var added = 0
        for s in 0..<Head.stripeCount where counts[s] < counts[s + 1] {
            stripes[s].state.withLock { state in
                for k in counts[s]..<counts[s + 1] {
                    let i = Int(order[k])
                    let local = Int(refs[Int(batch.seriesSlots[i])] >> Head.stripeBits)
                    if state.series[local].samples.insert(
                        timestampMillis: batch.timestampsMillis[i], value: batch.values[i]) {
                        added += 1
                    }
                }
            }
        }
        sampleTotal.add(added, ordering: .relaxed)
    }

    /// The ref of a series, creating and indexing it when new (its kind is then `kind`).
    func resolve(_ key: SeriesKey, kind: MetricKind, postings: OrgPostings) -> SeriesRef {
        let s = key.stripe
        let (ref, created) = stripes[s].state.withLock { state -> (SeriesRef, Bool) in
            if let ref = state.refs[key] { return (ref, false) }
            let ref = SeriesRef(state.series.count) << Head.stripeBits | SeriesRef(s)
            state.series.append(HeadSeries(labels: key.labels, kind: kind, samples: SampleColumns()))
            state.refs[key] = ref
            return (ref, true)
        }
        if created {
            let pairs = key.labels.pairs
            postings.add(ref, labels: pairs)
            if let name = key.labels.metricName {
                postings.kinds.withLock { kinds in
                    if kinds[name] == nil { kinds[name] = kind }
                }
            }
            seriesTotal.add(1, ordering: .relaxed)
        }
        return ref
    }

    /// Calls `body` with a series under its stripe lock (keep it short).
    func withSeries<R>(_ ref: SeriesRef, _ body: (HeadSeries) -> R) -> R {
        let s = Int(ref & SeriesRef(Head.stripeCount - 1))
        let local = Int(ref >> Head.stripeBits)
        return stripes[s].state.withLock { body($0.series[local]) }
    }
}

extension Head {
    /// One series with its organisation, as handed to the block writer.
    struct ExportedSeries: Sendable {
        var org: OrgID
        var labels: Labels
        var kind: MetricKind
        var samples: SampleColumns
    }

    /// Every series with samples (copy-on-write views, cheap), for cutting blocks from a head
    /// that no longer changes.
    func exportSeries() -> [ExportedSeries] {
        var out: [ExportedSeries] = []
        out.reserveCapacity(seriesCount)
        for stripe in stripes {
            stripe.state.withLock { state in
                for (key, ref) in state.refs {
                    let series = state.series[Int(ref >> Head.stripeBits)]
                    if series.samples.count > 0 {
                        out.append(ExportedSeries(org: key.org, labels: series.labels, kind: series.kind, samples: series.samples))
                    }
                }
            }
        }
        return out
    }
}

extension Head {
    /// Every organisation's metric kinds (first writer in this head).
    func allMetricKinds() -> [OrgID: [String: MetricKind]] {
        let orgs = orgsSnapshot()
        var out: [OrgID: [String: MetricKind]] = [:]
        for (org, postings) in orgs {
            out[org] = postings.kinds.withLock { $0 }
        }
        return out
    }
}
