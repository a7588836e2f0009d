import BasinModel
import StorageAPI

/// Produces blocks: from a frozen head (cut by aligned window) and from older blocks (compaction).
enum BlockCutter {
    /// Orders series keys as blocks store them: organisation bytes, then labels (``LabelsOrder``).
    static func precedes(_ a: (org: OrgID, labels: Labels), _ b: (org: OrgID, labels: Labels)) -> Bool {
        if a.org.name != b.org.name { return Array(a.org.name.utf8).lexicographicallyPrecedes(Array(b.org.name.utf8)) }
        return LabelsOrder.precedes(a.labels, b.labels)
    }

    /// The start of the aligned window of width `range` holding `t` (floor division).
    static func windowStart(_ t: Int64, range: Int64) -> Int64 {
        let q = t / range
        return (t % range != 0 && t < 0 ? q - 1 : q) &* range
    }

    /// Writes one block per aligned window touched by the head's samples.
    ///
    /// - Parameter nextSeq: hands out a fresh sequence number per block.
    /// - Returns: the metas of the blocks written, published on disk.
    static func writeHead(
        _ exported: [Head.ExportedSeries], directory: String, rangeMillis: Int64, nextSeq: () -> UInt64
    ) throws(FileIOError) -> [BlockMeta] {
        let sorted = exported.sorted { precedes(($0.org, $0.labels), ($1.org, $1.labels)) }
        // window start -> [(series index, sample range)], in series order.
        var windows: [Int64: [(Int, Range<Int>)]] = [:]
        for (i, series) in sorted.enumerated() {
            let ts = series.samples.timestampsMillis
            var start = 0
            while start < ts.count {
                let w = windowStart(ts[start], range: rangeMillis)
                let end = w > Int64.max - rangeMillis ? ts.count : partitionPoint(ts, from: start) { $0 < w + rangeMillis }
                windows[w, default: []].append((i, start..<end))
                start = end
            }
        }
        var metas: [BlockMeta] = []
        // A failure leaves nothing behind: blocks already written by this call are removed, so
        // a retry (after a full disk, say) does not fill the disk further or publish duplicates.
        func removeWritten() {
            for meta in metas { try? Directory.remove(directory + "/" + BlockFormat.fileName(seq: meta.seq)) }
        }
        for w in windows.keys.sorted() {
            var writer: BlockWriter
            do throws(FileIOError) {
                writer = try BlockWriter(directory: directory, seq: nextSeq())
            } catch {
                removeWritten()
                throw error
            }
            do throws(FileIOError) {
                for (i, range) in windows[w] ?? [] {
                    let s = sorted[i]
                    try s.samples.timestampsMillis.withUnsafeBufferPointer { tp throws(FileIOError) in
                        try s.samples.values.withUnsafeBufferPointer { vp throws(FileIOError) in
                            try writer.add(
                                org: s.org, labels: s.labels, kind: s.kind,
                                timestampsMillis: UnsafeBufferPointer(rebasing: tp[range]),
                                values: UnsafeBufferPointer(rebasing: vp[range]))
                        }
                    }
                }
            } catch {
                writer.abandon()
                removeWritten()
                throw error
            }
            let end = w > Int64.max - rangeMillis ? Int64.max : w + rangeMillis
            do throws(FileIOError) {
                if let meta = try writer.finish(windowStartMillis: w, windowEndMillis: end, sources: []) { metas.append(meta) }
            } catch {
                removeWritten()
                throw error
            }
        }
        return metas
    }

    /// The first index at or after `from` where `isBefore` is false.
    private static func partitionPoint(_ ts: [Int64], from: Int, _ isBefore: (Int64) -> Bool) -> Int {
        var lo = from
        var hi = ts.count
        while lo < hi {
            let mid = (lo + hi) >> 1
            if isBefore(ts[mid]) { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }

    /// Merges `inputs` (sorted by sequence number, oldest first) into one block covering the
    /// window; where they hold the same (series, timestamp), the later input's value wins.
    ///
    /// Streams series by series: at most one series' samples of every input are in memory.
    static func merge(
        _ inputs: [Block], windowStartMillis: Int64, windowEndMillis: Int64, seq: UInt64,
        directory: String, droppingBefore cutoffMillis: Int64 = .min, tombstones: [Tombstone] = []
    ) throws(BlockMergeError) -> BlockMeta? {
        var writer: BlockWriter
        do throws(FileIOError) {
            writer = try BlockWriter(directory: directory, seq: seq)
        } catch {
            throw .io(error)
        }
        var next = [Int](repeating: 0, count: inputs.count)
        var current: [Block.SeriesEntry?] = []
        do {
            for (k, block) in inputs.enumerated() {
                current.append(block.seriesCount > 0 ? try block.entry(0) : nil)
                next[k] = 1
            }
            var ts: [Int64] = []
            var vs: [Double] = []
            var nts: [Int64] = []
            var nvs: [Double] = []
            while true {
                var smallest: Block.SeriesEntry?
                for entry in current {
                    guard let entry else { continue }
                    if let s = smallest, !precedes((entry.org, entry.labels), (s.org, s.labels)) { continue }
                    smallest = entry
                }
                guard let key = smallest else { break }
                ts.removeAll(keepingCapacity: true)
                vs.removeAll(keepingCapacity: true)
                var kind: MetricKind?
                for k in inputs.indices {
                    guard let entry = current[k], entry.org == key.org, entry.labels == key.labels else { continue }
                    kind = kind ?? entry.kind
                    nts.removeAll(keepingCapacity: true)
                    nvs.removeAll(keepingCapacity: true)
                    try inputs[k].readSamples(entry, startMillis: max(cutoffMillis, windowStartMillis), endMillis: .max, timestamps: &nts, values: &nvs)
                    [Tombstone].remove(tombstones.applying(to: inputs[k].meta, entry), timestamps: &nts, values: &nvs)
                    SampleMerge.merge(timestamps: &ts, values: &vs, newerTimestamps: nts, newerValues: nvs)
                    current[k] = next[k] < inputs[k].seriesCount ? try inputs[k].entry(next[k]) : nil
                    next[k] += 1
                }
                guard !ts.isEmpty else { continue }
                do throws(FileIOError) {
                    try ts.withUnsafeBufferPointer { tp throws(FileIOError) in
                        try vs.withUnsafeBufferPointer { vp throws(FileIOError) in
                            try writer.add(org: key.org, labels: key.labels, kind: kind ?? key.kind, timestampsMillis: tp, values: vp)
                        }
                    }
                } catch {
                    throw BlockMergeError.io(error)
                }
            }
        } catch let error as BlockMergeError {
            writer.abandon()
            throw error
        } catch let error as BlockError {
            writer.abandon()
            throw .block(error)
        } catch {
            writer.abandon()
            throw .block(BlockError(path: directory, reason: "\(error)"))
        }
        do throws(FileIOError) {
            return try writer.finish(
                windowStartMillis: windowStartMillis, windowEndMillis: windowEndMillis, sources: inputs.map(\.meta.seq))
        } catch {
            throw .io(error)
        }
    }
}

/// Why a compaction failed: an input block could not be read, or the output not written.
enum BlockMergeError: Error, CustomStringConvertible {
    case block(BlockError)
    case io(FileIOError)

    var description: String {
        switch self {
        case .block(let e): "\(e)"
        case .io(let e): "\(e)"
        }
    }
}
