import BasinModel

/// Replay's map from a record's series to head refs, by ``LabelsInterner`` id.
///
/// The head finds a series by hashing its organisation and label bytes under a stripe lock.
/// During replay every label set already has a dense interner id, so after its first record a
/// series is found with one array index: the array remembers, per id, the organisation and the
/// ref it resolved to. The same label set in another organisation is another series; it misses
/// (organisation differs), resolves through the head and takes the slot over, which is correct
/// and only slower when organisations share label sets record after record.
struct ReplaySeriesRefs {
    private var orgIndices: [OrgID: Int32] = [:]
    private var lastOrg = OrgID("")
    private var lastOrgIndex: Int32 = -1
    private var lastPostings: OrgPostings?
    /// By interner id: the organisation index (-1 when none yet) and the ref.
    private var orgOfID: [Int32] = []
    private var refOfID: [SeriesRef] = []
    /// Scratch: the refs of the current record's slots.
    private var refs: [SeriesRef] = []

    /// Applies one decoded record to `head`, as `head.apply(batch, org: org)` would.
    ///
    /// - Parameter ids: the interner id of each of the batch's series slots.
    mutating func apply(_ batch: MetricBatch, org: OrgID, ids: [Int32], to head: Head) {
        guard !batch.isEmpty else { return }
        if lastOrgIndex < 0 || org != lastOrg {
            lastOrg = org
            lastOrgIndex = orgIndices[org] ?? {
                let i = Int32(orgIndices.count)
                orgIndices[org] = i
                return i
            }()
            lastPostings = head.postingsCreating(org)
        }
        guard let postings = lastPostings else { return }
        let orgIndex = lastOrgIndex
        var orgSeed: Int?
        refs.removeAll(keepingCapacity: true)
        let kinds = batch.kinds
        for slot in 0..<batch.seriesCount {
            let id = Int(ids[slot])
            if id >= orgOfID.count {
                let grown = max(id + 1, orgOfID.count * 2)
                orgOfID.append(contentsOf: repeatElement(-1, count: grown - orgOfID.count))
                refOfID.append(contentsOf: repeatElement(0, count: grown - refOfID.count))
            }
            if orgOfID[id] == orgIndex {
                refs.append(refOfID[id])
            } else {
                if orgSeed == nil { orgSeed = org.seriesSeed }
                let ref = batch.labelBytes.withUnsafeBytes { all in
                    head.resolve(
                        org: org, seed: orgSeed!, encoded: UnsafeRawBufferPointer(rebasing: all[batch.labelRange(at: slot)]),
                        kind: kinds[slot], postings: postings)
                }
                orgOfID[id] = orgIndex
                refOfID[id] = ref
                refs.append(ref)
            }
        }
        head.insert(batch, refs: refs)
    }
}
