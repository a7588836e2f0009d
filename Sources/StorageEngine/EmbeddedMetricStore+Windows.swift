import BasinModel
import StorageAPI
import Synchronization

extension EmbeddedMetricStore {
    /// Where one series' samples are, in one source.
    private enum Part {
        case block(Block, Block.SeriesEntry)
        case head(Head, SeriesRef)
    }

    /// Per-window aggregates, streamed series by series.
    ///
    /// First the index of every source is searched (blocks oldest first, then the head being
    /// cut, then the live head) and each matching series' parts are listed; then, one series at
    /// a time, its parts are read into two reused buffers, merged (the later source wins on a
    /// repeated timestamp) and folded into the windows. Only one series' raw samples are ever
    /// held, however many series match.
    ///
    /// - Throws: ``StorageError`` `limitExceeded` naming `maxSeries` or `maxSamples` (samples read);
    ///   `internalError` when a chunk fails its checksum.
    public func selectWindows(_ request: WindowSelectRequest) async throws -> [SeriesWindows] {
        guard let range = request.rangeMillis else { return [] }
        let s = sources.withLock { $0 }
        let org = request.select.org
        var parts: [Labels: [Part]] = [:]
        for block in s.blocks where block.meta.minTimeMillis <= range.end && block.meta.maxTimeMillis >= range.start {
            for id in block.matchingIDs(org: org, matchers: request.select.matchers) {
                let entry: Block.SeriesEntry
                do throws(BlockError) {
                    entry = try block.entry(Int(id))
                } catch {
                    throw StorageError(kind: .internalError, message: "\(error)")
                }
                if entry.overlaps(startMillis: range.start, endMillis: range.end) {
                    parts[entry.labels, default: []].append(.block(block, entry))
                }
            }
        }
        for head in s.frozen.map({ [$0, s.active] }) ?? [s.active] {
            guard let postings = head.postings(for: org) else { continue }
            for ref in head.matchingRefs(request.select.matchers, in: postings) {
                let labels: Labels? = head.withSeries(ref) { series in
                    series.samples.hasSamples(startMillis: range.start, endMillis: range.end) ? series.labels : nil
                }
                if let labels { parts[labels, default: []].append(.head(head, ref)) }
            }
        }
        if parts.count > request.select.maxSeries {
            throw StorageError(kind: .limitExceeded, message: "query would read more than maxSeries=\(request.select.maxSeries) series")
        }
        var out: [SeriesWindows] = []
        out.reserveCapacity(parts.count)
        var ts: [Int64] = []
        var vs: [Double] = []
        var partTs: [Int64] = []
        var partVs: [Double] = []
        var read = 0
        for labels in parts.keys.sorted(by: LabelsOrder.precedes) {
            ts.removeAll(keepingCapacity: true)
            vs.removeAll(keepingCapacity: true)
            var kind: MetricKind?
            for part in parts[labels] ?? [] {
                partTs.removeAll(keepingCapacity: true)
                partVs.removeAll(keepingCapacity: true)
                switch part {
                case .block(let block, let entry):
                    kind = kind ?? entry.kind
                    do throws(BlockError) {
                        try block.readSamples(entry, startMillis: range.start, endMillis: range.end, timestamps: &partTs, values: &partVs)
                        [Tombstone].remove(s.tombstones.applying(to: block.meta, entry), timestamps: &partTs, values: &partVs)
                    } catch {
                        throw StorageError(kind: .internalError, message: "\(error)")
                    }
                case .head(let head, let ref):
                    head.withSeries(ref) { series in
                        kind = kind ?? series.kind
                        let r = series.samples.range(startMillis: range.start, endMillis: range.end)
                        partTs.append(contentsOf: series.samples.timestampsMillis[r])
                        partVs.append(contentsOf: series.samples.values[r])
                    }
                }
                read += partTs.count
                if read > request.select.maxSamples {
                    throw StorageError(kind: .limitExceeded, message: "query would read more than maxSamples=\(request.select.maxSamples) samples")
                }
                if ts.isEmpty {
                    swap(&ts, &partTs)
                    swap(&vs, &partVs)
                } else {
                    SampleMerge.merge(timestamps: &ts, values: &vs, newerTimestamps: partTs, newerValues: partVs)
                }
            }
            var windows = SeriesWindows(
                labels: labels, kind: kind ?? .unspecified, windows: request.windowEndsMillis.count, aggregates: request.aggregates)
            ts.withUnsafeBufferPointer { tp in
                vs.withUnsafeBufferPointer { vp in windows.fold(timestampsMillis: tp, values: vp, request: request) }
            }
            if !windows.isEmpty { out.append(windows) }
        }
        return out
    }
}
