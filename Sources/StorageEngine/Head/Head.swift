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

    /// The hash that places a series (its stripe, and its slot in the stripe's index): the
    /// seeded ``ByteHash`` of its label bytes mixed with its organisation's seed.
    @inline(__always)
    static func seriesHash(seed: Int, _ encoded: UnsafeRawBufferPointer) -> Int {
        ByteHash.hash(encoded, seed: seed)
    }

    /// The stripe a series of this hash lives in.
    @inline(__always)
    static func stripe(of hash: Int) -> Int { Int(UInt(bitPattern: hash) & UInt(Head.stripeCount - 1)) }

    struct HeadSeries: Sendable {
        let org: OrgID
        let labels: Labels
        let kind: MetricKind
        var samples: SampleColumns
    }

    struct StripeState: Sendable {
        /// Finds a series (its index in ``series``) by organisation and label bytes.
        var index = HashSlots()
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
        let seed = org.seriesSeed
        var refs = [SeriesRef](repeating: 0, count: batch.seriesCount)
        batch.labelBytes.withUnsafeBytes { all in
            for slot in 0..<batch.seriesCount {
                let encoded = UnsafeRawBufferPointer(rebasing: all[batch.labelRange(at: slot)])
                refs[slot] = resolve(org: org, seed: seed, encoded: encoded, kind: batch.kinds[slot], postings: orgPostings)
            }
        }
        insert(batch, refs: refs)
    }

    /// Inserts every sample of `batch` into the series `refs[slot]` (last write wins).
    ///
    /// - Parameter refs: for each of the batch's series slots, a ref this head returned from
    ///   ``resolve(org:seed:encoded:kind:postings:)``.
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
    ///
    /// A series that exists costs a hash of its bytes and one comparison under its stripe's
    /// lock; only a new one copies its bytes into a ``Labels``.
    ///
    /// - Parameters:
    ///   - seed: `org.seriesSeed` (computed once per batch by the caller).
    ///   - encoded: the label set in the ``Labels`` layout, only read during the call.
    func resolve(org: OrgID, seed: Int, encoded: UnsafeRawBufferPointer, kind: MetricKind, postings: OrgPostings) -> SeriesRef {
        let hash = Head.seriesHash(seed: seed, encoded)
        let s = Head.stripe(of: hash)
        let (ref, created) = stripes[s].state.withLock { state -> (SeriesRef, Labels?) in
            if let local = state.index.find(hash, where: { state.series[$0].labels.bytes.withUnsafeBytes { HashSlots.bytesEqual($0, encoded) } && state.series[$0].org == org }) {
                return (SeriesRef(local) << Head.stripeBits | SeriesRef(s), nil)
            }
            let labels = Labels(uncheckedBytes: [UInt8](encoded))
            let ref = SeriesRef(state.series.count) << Head.stripeBits | SeriesRef(s)
            state.series.append(HeadSeries(org: org, labels: labels, kind: kind, samples: SampleColumns()))
            state.index.insert(hash)
            return (ref, labels)
        }
        if let labels = created {
            let pairs = labels.pairs
            postings.add(ref, labels: pairs)
            if let name = labels.metricName {
                postings.kinds.withLock { kinds in
                    if kinds[name] == nil { kinds[name] = kind }
                }
            }
            seriesTotal.add(1, ordering: .relaxed)
        }
        return ref
    }

    /// ``resolve(org:seed:encoded:kind:postings:)`` for a label set at hand.
    func resolve(org: OrgID, labels: Labels, kind: MetricKind, postings: OrgPostings) -> SeriesRef {
        labels.bytes.withUnsafeBytes { resolve(org: org, seed: org.seriesSeed, encoded: $0, kind: kind, postings: postings) }
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
                for series in state.series where series.samples.count > 0 {
                    out.append(ExportedSeries(org: series.org, labels: series.labels, kind: series.kind, samples: series.samples))
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

extension OrgID {
    /// The seed for hashing this organisation's series keys with ``ByteHash`` (never 0, so it
    /// is always mixed in).
    var seriesSeed: Int {
        var hasher = Hasher()
        hasher.combine(name)
        return hasher.finalize() | 1
    }
}
