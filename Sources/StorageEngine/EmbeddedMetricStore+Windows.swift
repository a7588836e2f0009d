import BasinModel
import StorageAPI
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension EmbeddedMetricStore {
    /// Where one series' samples are, in one source.
    private enum Part: Sendable {
        case block(Block, Block.SeriesEntry)
        case head(Head, SeriesRef)
    }

    /// One matching series in one source.
    private struct Match: Sendable {
        var labels: Labels
        var part: Part
    }

    /// The matching series, each with its parts in source order (oldest first), sorted by labels.
    private struct ReadPlan: Sendable {
        /// Every (source, series) match, in source order.
        var matches: [Match]
        /// Indices into `matches`, sorted by labels, then by source order.
        var order: [Int]
        /// Where each series' run starts in `order`, plus `order.count` at the end.
        var bounds: [Int]

        var seriesCount: Int { bounds.count - 1 }
    }

    /// Per-window aggregates, streamed series by series.
    ///
    /// First the index of every source is searched (blocks oldest first, then the head being
    /// cut, then the live head) and each matching series' parts are listed; then, one series at
    /// a time, its parts are read into two reused buffers, merged (the later source wins on a
    /// repeated timestamp) and folded into the windows. Only one series' raw samples are ever
    /// held per reader, however many series match. Many series are split into contiguous runs
    /// read in parallel (one task per run); the result is the same as reading them in order.
    ///
    /// Matches are ordered with ``LabelsCollation`` on the encoded labels, not hashed by label
    /// set: one block's matches arrive already sorted, so the common single-source query
    /// neither hashes nor sorts.
    ///
    /// - Throws: ``StorageError`` `limitExceeded` naming `maxSeries` or `maxSamples` (samples read);
    ///   `internalError` when a chunk fails its checksum.
    public func selectWindows(_ request: WindowSelectRequest) async throws -> [SeriesWindows] {
        guard let range = request.rangeMillis else { return [] }
        let s = sources.withLock { $0 }
        let expiry = expiry(for: request.select)
        let plan = try await Self.plan(request, range: range, sources: s, expiry: expiry)
        if plan.seriesCount > request.select.maxSeries {
            throw StorageError(kind: .limitExceeded, message: "query would read more than maxSeries=\(request.select.maxSeries) series")
        }
        // Contiguous runs of series, concatenated in order: the same result as one reader.
        let runs = Self.runs(plan.seriesCount, atLeast: 128)
        if runs.count <= 1 {
            let output = TaskOutput<SeriesWindows>(capacity: plan.seriesCount)
            var read = 0
            try Self.read(
                plan, series: 0..<plan.seriesCount, request: request, range: range, tombstones: s.tombstones, expiry: expiry,
                read: &read) { output.append($0) }
            return TaskOutput.concatenate([output])
        }
        let tombstones = s.tombstones
        let outputs = try await TaskOutput<SeriesWindows>.gather(runs: runs) { run, output in
            var read = 0
            try Self.read(
                plan, series: run, request: request, range: range, tombstones: tombstones, expiry: expiry, read: &read) {
                output.append($0)
            }
            output.tally = read
        }
        // One reader throws once its own count passes the limit; the total decides the rest,
        // so the outcome is the one of reading every series in turn.
        if outputs.reduce(0, { $0 + $1.tally }) > request.select.maxSamples {
            throw StorageError(kind: .limitExceeded, message: "query would read more than maxSamples=\(request.select.maxSamples) samples")
        }
        return TaskOutput.concatenate(outputs)
    }

    /// `0..<count` split into contiguous runs for parallel tasks: two per core (so a core
    /// slowed by other work is balanced by the others), at most eight, and at most one per
    /// `atLeast` items; one run on one core.
    private static func runs(_ count: Int, atLeast: Int) -> [Range<Int>] {
        let cores = EmbeddedMetricStore.activeCores
        let tasks = cores > 1 ? Swift.max(1, Swift.min(2 * cores, 8, count / atLeast)) : 1
        let per = Swift.max(1, (count + tasks - 1) / tasks)
        return stride(from: 0, to: count, by: per).map { $0..<Swift.min($0 + per, count) }
    }

    /// Lists every source's matches and orders them by labels.
    private static func plan(
        _ request: WindowSelectRequest, range: (start: Int64, end: Int64), sources s: Sources, expiry: MetricExpiry
    ) async throws -> ReadPlan {
        let org = request.select.org
        // Every block's matches, in block order, moved into one array at the end.
        var blockOutputs: [TaskOutput<Match>] = []
        for block in s.blocks where block.meta.minTimeMillis <= range.end && block.meta.maxTimeMillis >= range.start {
            let ids = block.matchingIDs(org: org, matchers: request.select.matchers)
            // Decoding the entries (labels and chunk lists) of many series is a good part of
            // a wide query: split into runs decoded in parallel, concatenated in order.
            let runs = Self.runs(ids.count, atLeast: 1024)
            if runs.count <= 1 {
                let output = TaskOutput<Match>(capacity: ids.count)
                try blockMatches(block, ids[...], range: range, expiry: expiry) { output.append($0) }
                blockOutputs.append(output)
                continue
            }
            blockOutputs += try await TaskOutput<Match>.gather(runs: runs) { run, output in
                try blockMatches(block, ids[run], range: range, expiry: expiry) { output.append($0) }
            }
        }
        var matches = TaskOutput.concatenate(blockOutputs)
        for head in s.frozen.map({ [$0, s.active] }) ?? [s.active] {
            guard let postings = head.postings(for: org) else { continue }
            for ref in head.matchingRefs(request.select.matchers, in: postings) {
                let labels: Labels? = head.withSeries(ref) { series in
                    let start = expiry.startMillis(for: series.labels, from: range.start)
                    return series.samples.hasSamples(startMillis: start, endMillis: range.end) ? series.labels : nil
                }
                if let labels { matches.append(Match(labels: labels, part: .head(head, ref))) }
            }
        }
        var order = Array(matches.indices)
        if LabelsCollation.isStrictlySorted(matches, by: { $0.labels }) {
            return ReadPlan(matches: matches, order: order, bounds: Array(0...matches.count))
        }
        // Ties (one series in several sources) keep source order: the later source wins the merge.
        order.sort { a, b in
            let c = LabelsCollation.compare(matches[a].labels, matches[b].labels)
            return c != 0 ? c < 0 : a < b
        }
        var bounds: [Int] = []
        bounds.reserveCapacity(order.count + 1)
        for (k, i) in order.enumerated() where k == 0 || matches[order[k - 1]].labels != matches[i].labels {
            bounds.append(k)
        }
        bounds.append(order.count)
        return ReadPlan(matches: matches, order: order, bounds: bounds)
    }

    /// The matches among block series `ids` whose samples may fall in the range, in order.
    private static func blockMatches(
        _ block: Block, _ ids: ArraySlice<SeriesRef>, range: (start: Int64, end: Int64), expiry: MetricExpiry,
        emit: (consuming Match) -> Void
    ) throws {
        for id in ids {
            let entry: Block.SeriesEntry
            do throws(BlockError) {
                entry = try block.entry(Int(id))
            } catch {
                throw StorageError(kind: .internalError, message: "\(error)")
            }
            if entry.overlaps(startMillis: expiry.startMillis(for: entry.labels, from: range.start), endMillis: range.end) {
                emit(Match(labels: entry.labels, part: .block(block, entry)))
            }
        }
    }

    /// Reads and folds the series `series` of `plan`, in order, handing each series with a
    /// sample in some window to `emit`; `read` counts the samples read.
    private static func read(
        _ plan: ReadPlan, series: Range<Int>, request: WindowSelectRequest, range: (start: Int64, end: Int64),
        tombstones: [Tombstone], expiry: MetricExpiry, read: inout Int, emit: (consuming SeriesWindows) -> Void
    ) throws {
        var scratch = Scratch()
        for k in series {
            let labels = plan.matches[plan.order[plan.bounds[k]]].labels
            let seriesRange = (start: expiry.startMillis(for: labels, from: range.start), end: range.end)
            let kind = try readSamples(
                plan, series: k, request: request, range: seriesRange, tombstones: tombstones, scratch: &scratch, read: &read)
            var windows = SeriesWindows(
                labels: labels, kind: kind ?? .unspecified,
                windows: request.windowEndsMillis.count, aggregates: request.aggregates)
            scratch.ts.withUnsafeBufferPointer { tp in
                scratch.vs.withUnsafeBufferPointer { vp in windows.fold(timestampsMillis: tp, values: vp, request: request) }
            }
            if !windows.isEmpty { emit(consume windows) }
        }
    }

    /// One reader's sample buffers, reused from series to series.
    private struct Scratch {
        var ts: [Int64] = []
        var vs: [Double] = []
        var partTs: [Int64] = []
        var partVs: [Double] = []
    }

    /// Reads series `k` of `plan` into `scratch.ts` / `scratch.vs`: its parts in source order,
    /// merged so the later source wins a repeated timestamp. Returns the first part's kind.
    private static func readSamples(
        _ plan: ReadPlan, series k: Int, request: WindowSelectRequest, range: (start: Int64, end: Int64),
        tombstones: [Tombstone], scratch: inout Scratch, read: inout Int
    ) throws -> MetricKind? {
        scratch.ts.removeAll(keepingCapacity: true)
        scratch.vs.removeAll(keepingCapacity: true)
        var kind: MetricKind?
        for j in plan.bounds[k]..<plan.bounds[k + 1] {
            scratch.partTs.removeAll(keepingCapacity: true)
            scratch.partVs.removeAll(keepingCapacity: true)
            switch plan.matches[plan.order[j]].part {
            case .block(let block, let entry):
                kind = kind ?? entry.kind
                do throws(BlockError) {
                    try block.readSamples(
                        entry, startMillis: range.start, endMillis: range.end, timestamps: &scratch.partTs, values: &scratch.partVs)
                    [Tombstone].remove(tombstones.applying(to: block.meta, entry), timestamps: &scratch.partTs, values: &scratch.partVs)
                } catch {
                    throw StorageError(kind: .internalError, message: "\(error)")
                }
            case .head(let head, let ref):
                head.withSeries(ref) { series in
                    kind = kind ?? series.kind
                    let r = series.samples.range(startMillis: range.start, endMillis: range.end)
                    scratch.partTs.append(contentsOf: series.samples.timestampsMillis[r])
                    scratch.partVs.append(contentsOf: series.samples.values[r])
                }
            }
            read += scratch.partTs.count
            if read > request.select.maxSamples {
                throw StorageError(kind: .limitExceeded, message: "query would read more than maxSamples=\(request.select.maxSamples) samples")
            }
            if scratch.ts.isEmpty {
                swap(&scratch.ts, &scratch.partTs)
                swap(&scratch.vs, &scratch.partVs)
            } else {
                SampleMerge.merge(
                    timestamps: &scratch.ts, values: &scratch.vs, newerTimestamps: scratch.partTs, newerValues: scratch.partVs)
            }
        }
        return kind
    }
}

extension EmbeddedMetricStore {
    /// Online processors, read once (at least 1).
    static let activeCores: Int = {
        #if canImport(Glibc) || canImport(Darwin)
        return Swift.max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
        #else
        return 1
        #endif
    }()
}
