import BasinModel
import Logging
import Metrics
import StorageAPI
import Synchronization
import Dispatch

/// Block writing, compaction and deletions block on disk I/O for seconds; they run on this
/// queue so that they never hold a thread of Swift's cooperative pool, which serves requests.
private let maintenanceQueue = DispatchQueue(label: "basin.storage.maintenance", qos: .utility)

/// Runs `body` on the maintenance queue and returns its result.
func onMaintenanceQueue<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        maintenanceQueue.async {
            continuation.resume(with: Result { try body() })
        }
    }
}

extension EmbeddedMetricStore {
    /// One tick of the background task: flush when due, then compaction and retention when due.
    func maintenanceTick() async {
        let now = options.nowMillis()
        let (samples, frozen) = sources.withLock { ($0.active.sampleCount, $0.frozen != nil) }
        let flushDue = frozen || samples >= options.headMaxSamples
            || (samples > 0 && now - lastFlushMillis.load(ordering: .relaxed) >= options.headFlushIntervalMillis)
        let compactionDue = now - lastCompactionMillis.load(ordering: .relaxed) >= options.compactionIntervalMillis
        guard flushDue || compactionDue else { return }
        do {
            try await runMaintenance(forceFlush: flushDue, compact: compactionDue)
        } catch {
            maintenanceFailures.increment()
            logger.error("storage maintenance failed; retrying later", metadata: ["error": "\(error)"])
        }
    }

    /// Cuts the head into blocks (when forced or a cut is pending), merges blocks and applies
    /// the retention; one run at a time. Public for benchmarks and tools that need the data in
    /// blocks now rather than at the next background run.
    public func runMaintenance(forceFlush: Bool, compact: Bool = true) async throws {
        await maintenanceLock.lock()
        defer { maintenanceLock.unlock() }
        if forceFlush { try await flushHead() }
        if compact {
            lastCompactionMillis.store(options.nowMillis(), ordering: .relaxed)
            try await onMaintenanceQueue {
                try self.applyRetention()
                var rounds = 0
                while rounds < 64, try self.compactOnce() { rounds += 1 }
                try self.forgetSpentTombstones()
            }
        }
        publishGauges()
    }

    /// The next block sequence number.
    private func nextSeq() -> UInt64 {
        lastSeq.add(1, ordering: .relaxed).newValue
    }

    /// Freezes the live head, writes it as blocks, publishes them and deletes the log segments
    /// they cover. A failed write leaves the frozen head in place (still read, still in the log)
    /// and the next run retries it.
    func flushHead() async throws {
        if sources.withLock({ $0.frozen == nil }) {
            guard sources.withLock({ $0.active.sampleCount > 0 }) else {
                lastFlushMillis.store(options.nowMillis(), ordering: .relaxed)
                return
            }
            _ = try wal.rotate { newSegment in
                sources.withLock { s in
                    s.frozen = s.active
                    s.active = Head()
                    s.frozenBoundarySegment = newSegment
                }
            }
            // Batches written before the rotation may still be on their way to the frozen head.
            await wal.drain()
        }
        guard let (frozen, boundary) = sources.withLock({ s in s.frozen.map { ($0, s.frozenBoundarySegment) } }) else { return }
        let started = ContinuousClock.now
        let (blocks, seriesCount) = try await onMaintenanceQueue { () throws -> ([Block], Int) in
            let exported = frozen.exportSeries()
            var blocks: [Block] = []
            do {
                let metas = try BlockCutter.writeHead(
                    exported, directory: self.blocksDirectory, rangeMillis: self.options.blockRangeMillis, nextSeq: self.nextSeq)
                for meta in metas {
                    blocks.append(
                        try Block(
                            path: self.blocksDirectory + "/" + BlockFormat.fileName(seq: meta.seq),
                            writtenMillis: self.options.nowMillis()))
                }
                // Before the log segments go: the kinds they recorded must survive them.
                let table = self.blockKinds.withLock { table in
                    for (org, kinds) in frozen.allMetricKinds() {
                        table[org, default: [:]].merge(kinds) { old, _ in old }
                    }
                    return table
                }
                try MetricKindsFile.store(table, directory: self.blocksDirectory)
            } catch {
                throw StorageError(kind: .internalError, message: "cannot cut the head into blocks: \(error)")
            }
            return (blocks, exported.count)
        }
        sources.withLock { s in
            s.blocks.append(contentsOf: blocks)
            s.blocks.sort { $0.meta.seq < $1.meta.seq }
            s.frozen = nil
            s.frozenBoundarySegment = .max
        }
        lastFlushMillis.store(options.nowMillis(), ordering: .relaxed)
        flushCounter.increment()
        let removed: Int
        do {
            removed = try wal.removeSegments(below: boundary)
        } catch {
            throw StorageError(kind: .internalError, message: "blocks written, but old log segments could not be deleted: \(error)")
        }
        logger.info("cut the head into blocks", metadata: [
            "blocks": "\(blocks.map(\.meta.seq))", "series": "\(seriesCount)",
            "samples": "\(blocks.reduce(0) { $0 + Int($1.meta.sampleCount) })",
            "bytes": "\(blocks.reduce(0) { $0 + $1.sizeBytes })", "wal-bytes-deleted": "\(removed)",
            "seconds": "\(ContinuousClock.now - started)",
        ])
    }

    /// Deletes the samples in `[startMillis, endMillis]` of the matching series, durably.
    ///
    /// Cuts the head into blocks first, so that the deletion is a tombstone over blocks up to
    /// the current sequence number (see ``Tombstone``); reads drop the deleted samples from then
    /// on, and compaction removes them from disk.
    public func deleteSeries(org: OrgID, matchers: [LabelMatcher], startMillis: Int64, endMillis: Int64) async throws {
        guard !matchers.isEmpty else {
            throw StorageError(kind: .badRequest, message: "deleting series needs at least one matcher")
        }
        guard startMillis <= endMillis else { return }
        await maintenanceLock.lock()
        defer { maintenanceLock.unlock() }
        try await flushHead()
        let tombstone = Tombstone(org: org, matchers: matchers, startMillis: startMillis, endMillis: endMillis, maxSeq: lastSeq.load(ordering: .relaxed))
        let all = sources.withLock { $0.tombstones } + [tombstone]
        try await onMaintenanceQueue {
            do throws(FileIOError) {
                try TombstonesFile.store(all, directory: self.blocksDirectory)
            } catch {
                throw StorageError(kind: .internalError, message: "cannot record the deletion: \(error)")
            }
        }
        sources.withLock { $0.tombstones = all }
        logger.info("deleted series", metadata: [
            "org": "\(org)", "matchers": "\(matchers)", "start-millis": "\(startMillis)", "end-millis": "\(endMillis)",
        ])
    }

    /// Drops tombstones that no longer apply to any block (compaction rewrote them all).
    func forgetSpentTombstones() throws {
        let (before, kept) = sources.withLock { s -> ([Tombstone], [Tombstone]) in
            let kept = s.tombstones.filter { t in
                s.blocks.contains { $0.meta.seq <= t.maxSeq && $0.meta.minTimeMillis <= t.endMillis && $0.meta.maxTimeMillis >= t.startMillis }
            }
            return (s.tombstones, kept)
        }
        guard kept.count != before.count else { return }
        do throws(FileIOError) {
            try TombstonesFile.store(kept, directory: blocksDirectory)
        } catch {
            throw StorageError(kind: .internalError, message: "cannot rewrite the tombstones: \(error)")
        }
        // Deletions only happen under the maintenance lock, which the caller holds.
        sources.withLock { $0.tombstones = kept }
    }

    /// Deletes blocks whose newest sample is older than the retention.
    func applyRetention() throws {
        let cutoff = options.nowMillis() &- options.retentionMillis
        let expired = sources.withLock { s -> [Block] in
            let gone = s.blocks.filter { $0.meta.maxTimeMillis < cutoff }
            s.blocks.removeAll { $0.meta.maxTimeMillis < cutoff }
            return gone
        }
        guard !expired.isEmpty else { return }
        do throws(FileIOError) {
            for block in expired { try Directory.remove(block.path) }
            try Directory.sync(blocksDirectory)
        } catch {
            throw StorageError(kind: .internalError, message: "cannot delete expired blocks: \(error)")
        }
        logger.info("deleted blocks past the retention", metadata: [
            "blocks": "\(expired.map(\.meta.seq))", "cutoff-millis": "\(cutoff)",
        ])
    }

    /// Plans and runs one merge; returns false when nothing is left to merge.
    ///
    /// Blocks are cut into aligned windows of the block range; a compacted block covers an
    /// aligned window of ``EmbeddedStoreOptions/compactedRangeMillis``, and every smaller window
    /// nests in one. Once a large window has ended (by a block range) its blocks merge; before
    /// that, the blocks of one small window do. ``mergeRun(_:settled:)`` chooses which: all of
    /// a window's blocks when they are of similar size or the window has settled, but a small
    /// block cut into a window that already holds a large one (late data, a backfill) does not
    /// rewrite the large one each time.
    func compactOnce() throws -> Bool {
        let blocks = sources.withLock { $0.blocks }
        let now = options.nowMillis()
        // A window settles once no cut or merge has written into it for two flush intervals.
        let settledBefore = now &- 2 &* Swift.max(options.headFlushIntervalMillis, 1)
        func settled(_ group: [Block]) -> Bool { group.allSatisfy { $0.writtenMillis <= settledBefore } }
        let large = options.compactedRangeMillis
        let small = options.blockRangeMillis
        var byLarge: [Int64: [Block]] = [:]
        var bySmall: [Int64: [Block]] = [:]
        for block in blocks {
            let w = BlockCutter.windowStart(block.meta.windowStartMillis, range: large)
            if block.meta.windowEndMillis <= w &+ large { byLarge[w, default: []].append(block) }
            // Small windows merge only until their large window has ended: from then on the
            // large window's merges see every block of it. (A small window's merge leaves out
            // the large-window blocks that overlap it, which may hold newer data.)
            if block.meta.windowMillis == small, w &+ large &+ small > now {
                bySmall[block.meta.windowStartMillis, default: []].append(block)
            }
        }
        for w in byLarge.keys.sorted() {
            guard let group = byLarge[w], w &+ large &+ small <= now else { continue }
            let run = Self.mergeRun(group, settled: settled(group))
            guard run.count >= 2 else { continue }
            try merge(run, windowStart: w, windowEnd: w &+ large)
            return true
        }
        for w in bySmall.keys.sorted() {
            guard let group = bySmall[w] else { continue }
            let run = Self.mergeRun(group, settled: settled(group))
            guard run.count >= 2 else { continue }
            try merge(run, windowStart: w, windowEnd: w &+ small)
            return true
        }
        return false
    }

    /// The blocks of one window to merge.
    ///
    /// All of them when they are at least eight, when one is in an older format, when the
    /// window has settled (no block of it written for two head flush intervals: the late data
    /// or backfill has moved on), or when the blocks besides the largest hold at least half as
    /// many samples as it (a window's similar-sized blocks, a day's two-hour blocks once the
    /// day has ended). Otherwise one large block holds most of the window and small ones are
    /// being cut into it (late data, a backfill): rewriting the large block for each of them
    /// rewrote the whole window per cut (21 times the data in a 42-hour backfill). Then only
    /// the newest blocks merge, as far back as each older one holds no more samples than the
    /// newer ones taken so far together, like a binary counter; the large block is rewritten
    /// once they add up to half of it, or once the window settles. A backfill of many equal
    /// cuts is then rewritten 3–4 times in all, plus once when it settles, and a settled window
    /// is one block again: a small block beside a large one costs its own index (a tail of a
    /// few samples for each of 10,000 series took 1 MB) and a second read for every series.
    ///
    /// Only a run of the newest blocks may merge without the rest: the output takes a fresh,
    /// higher sequence number, so it must not hold data older than a block it leaves out that
    /// overlaps it (a repeated sample keeps the value of the newest block).
    static func mergeRun(_ group: [Block], settled: Bool) -> [Block] {
        guard group.count >= 2 else { return group }
        var total: UInt64 = 0
        var largest: UInt64 = 0
        for block in group {
            total &+= block.meta.sampleCount
            largest = max(largest, block.meta.sampleCount)
        }
        // A block in an older format merges whenever its window has another block, so old
        // blocks are rewritten in the current format as their windows change.
        if settled || group.count >= 8 || (total &- largest) &* 2 >= largest
            || group.contains(where: { $0.version < BlockFormat.version }) {
            return group
        }
        let bySeq = group.sorted { $0.meta.seq < $1.meta.seq }
        var first = bySeq.count - 1
        var newer = bySeq[first].meta.sampleCount
        while first > 0, bySeq[first - 1].meta.sampleCount <= newer {
            first -= 1
            newer &+= bySeq[first].meta.sampleCount
        }
        return Array(bySeq[first...])
    }

    private func merge(_ inputs: [Block], windowStart: Int64, windowEnd: Int64) throws {
        let started = ContinuousClock.now
        let seq = nextSeq()
        let cutoff = options.nowMillis() &- options.retentionMillis
        let output: Block?
        do {
            let meta = try BlockCutter.merge(
                inputs, windowStartMillis: windowStart, windowEndMillis: windowEnd, seq: seq,
                directory: blocksDirectory, droppingBefore: cutoff, tombstones: sources.withLock { $0.tombstones })
            output = try meta.map { _ throws in
                try Block(path: blocksDirectory + "/" + BlockFormat.fileName(seq: seq), writtenMillis: options.nowMillis())
            }
        } catch let error as BlockMergeError {
            if case .block(let damaged) = error, let bad = inputs.first(where: { $0.path == damaged.path }) {
                // One input is damaged: take it out of service and leave the rest for the next round.
                sources.withLock { s in s.blocks.removeAll { $0 === bad } }
                try? BlockDirectory.quarantine(bad.path, directory: blocksDirectory, logger: logger, reason: damaged.reason)
                return
            }
            throw StorageError(kind: .internalError, message: "compaction failed: \(error)")
        }
        let inputSeqs = Set(inputs.map(\.meta.seq))
        sources.withLock { s in
            s.blocks.removeAll { inputSeqs.contains($0.meta.seq) }
            if let output { s.blocks.append(output) }
            s.blocks.sort { $0.meta.seq < $1.meta.seq }
        }
        do throws(FileIOError) {
            for block in inputs { try Directory.remove(block.path) }
            try Directory.sync(blocksDirectory)
        } catch {
            throw StorageError(kind: .internalError, message: "compacted, but the merged blocks could not be deleted: \(error)")
        }
        compactionCounter.increment()
        logger.info("compacted blocks", metadata: [
            "inputs": "\(inputs.map(\.meta.seq))", "output": "\(output.map { "\($0.meta.seq)" } ?? "none")",
            "window-start-millis": "\(windowStart)", "window-end-millis": "\(windowEnd)",
            "samples": "\(output.map { Int($0.meta.sampleCount) } ?? 0)", "bytes": "\(output?.sizeBytes ?? 0)",
            "seconds": "\(ContinuousClock.now - started)",
        ])
    }
}
