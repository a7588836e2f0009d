import BasinModel
import Logging
import StorageAPI
import Synchronization

extension EmbeddedRecordStore {
    /// Seals the head into partitions when forced, full or due, and drops partitions that
    /// retention, trims and deletions emptied; one run at a time.
    func runMaintenance(forceSeal: Bool) async throws {
        await adminLock.lock()
        defer { adminLock.unlock() }
        let now = options.nowMillis()
        let (records, frozen) = sources.withLock { ($0.active.records, $0.frozen != nil) }
        let due = frozen || records >= options.recordsHeadMaxRecords
            || (records > 0 && now - lastSealMillis.load(ordering: .relaxed) >= options.recordsHeadFlushIntervalMillis)
        if (forceSeal && records > 0) || due {
            try await seal()
            lastSealMillis.store(now, ordering: .relaxed)
        }
        try await dropExpiredPartitions()
    }

    /// Freezes the head at a log rotation, writes its partitions, publishes them and deletes
    /// the log segments they replace. A failure leaves the frozen head readable and the log in
    /// place; the next run retries.
    private func seal() async throws {
        let alreadyFrozen = sources.withLock { $0.frozen != nil }
        if !alreadyFrozen {
            _ = try wal.rotate { segment in
                sources.withLock { s in
                    s.frozen = s.active
                    s.active = RecordHead()
                    s.frozenBoundarySegment = segment
                }
            }
        }
        // Every record of an earlier segment is applied to the frozen head after this.
        await wal.drain()
        let (frozen, boundary, catalog) = sources.withLock { ($0.frozen ?? RecordHead(), $0.frozenBoundarySegment, $0.catalog) }
        let window = max(1, options.recordsPartitionWindowMillis) &* 1_000_000
        let partsDirectory = self.partsDirectory
        let written = try await onMaintenanceQueue { () throws -> [RecordPartition] in
            var out: [RecordPartition] = []
            for (key, data) in frozen.datasets where catalog.entry(org: key.org, name: key.dataset)?.incarnation == key.incarnation {
                for (times, rows) in Self.windows(data, widthNanos: window) {
                    let bytes = RecordPartitionWriter.encode(key: key, sealBoundary: UInt64(boundary), times: times) {
                        rows[$0].chunk.record(rows[$0].row)
                    }
                    let sequence = self.nextSequence.wrappingAdd(1, ordering: .relaxed).oldValue
                    out.append(try Self.writePartition(bytes, directory: partsDirectory, sequence: sequence))
                }
            }
            try Directory.sync(partsDirectory)
            // The commit point: from here a restart keeps these partitions and replays the log from `boundary` on.
            try AtomicFile.write(SealMarker.encode(UInt64(boundary)), directory: self.directory, name: SealMarker.fileName)
            return out
        }
        sources.withLock { s in
            s.partitions += written
            s.frozen = nil
        }
        let removed = try wal.removeSegments(below: boundary)
        logger.info("sealed records head", metadata: [
            "records": "\(frozen.records)", "partitions": "\(written.count)", "walBytesRemoved": "\(removed)",
        ])
    }

    /// Rows in one partition at most: a query that needs whole records (or a needle lookup
    /// that its Bloom filters cannot rule out) inflates the columns of this many rows, not of a
    /// whole window.
    static let maxPartitionRows = 65_536

    /// A dataset's head records split by aligned time window, then, in time order, into runs of
    /// at most ``maxPartitionRows``: per partition, the times and where each row is.
    static func windows(
        _ data: HeadDatasetRecords, widthNanos: Int64
    ) -> [(times: [Int64], rows: [(chunk: RecordHeadChunk, row: Int)])] {
        var byWindow: [Int64: [(time: Int64, chunk: RecordHeadChunk, row: Int)]] = [:]
        for chunk in data.snapshot {
            for (i, t) in chunk.times.enumerated() {
                let w = t >= 0 ? t / widthNanos : (t + 1) / widthNanos - 1
                byWindow[w, default: []].append((t, chunk, i))
            }
        }
        var out: [(times: [Int64], rows: [(chunk: RecordHeadChunk, row: Int)])] = []
        for w in byWindow.keys.sorted() {
            // Stable: rows of one time keep their log order.
            let rows = byWindow[w]!.enumerated().sorted { ($0.element.time, $0.offset) < ($1.element.time, $1.offset) }.map(\.element)
            for start in stride(from: 0, to: rows.count, by: maxPartitionRows) {
                let part = rows[start..<min(rows.count, start + maxPartitionRows)]
                out.append((part.map(\.time), part.map { ($0.chunk, $0.row) }))
            }
        }
        return out
    }

    /// Writes a partition file durably (temporary name, fsync, rename) and opens it.
    static func writePartition(_ bytes: [UInt8], directory: String, sequence: Int) throws -> RecordPartition {
        let name = RecordPartitionFormat.fileName(sequence)
        let tmp = directory + "/" + name + ".tmp"
        let file = try PosixFile.openReadWrite(tmp, create: true)
        do throws(FileIOError) {
            try file.truncate(to: 0)
            try file.write(bytes, at: 0)
            try file.sync()
            file.close()
        } catch {
            file.close()
            try? Directory.remove(tmp)
            throw WriteAheadLog.classify(error, "cannot write record partition \(name)")
        }
        try Directory.rename(tmp, directory + "/" + name)
        return try RecordPartition.open(path: directory + "/" + name, sequence: sequence)
    }

    /// Removes partitions of deleted datasets and partitions wholly older than their dataset's
    /// trim or retention.
    private func dropExpiredPartitions() async throws {
        let doomed = sources.withLock { s -> [RecordPartition] in
            let (keep, drop) = s.partitions.reduce(into: ([RecordPartition](), [RecordPartition]())) { acc, p in
                guard let entry = s.catalog.entry(org: p.index.org, name: p.index.dataset), entry.incarnation == p.index.incarnation,
                      p.index.maxTime >= cutoffNanos(entry) else {
                    acc.1.append(p)
                    return
                }
                acc.0.append(p)
            }
            s.partitions = keep
            return drop
        }
        guard !doomed.isEmpty else { return }
        let partsDirectory = self.partsDirectory
        try await onMaintenanceQueue {
            for p in doomed { try Directory.remove(p.path) }
            try Directory.sync(partsDirectory)
        }
        logger.info("dropped record partitions", metadata: ["partitions": "\(doomed.count)"])
    }
}
