import BasinModel
import Logging
import Metrics
import StorageAPI
import Synchronization

/// The embedded metric store: a write-ahead log, an in-memory head and immutable blocks on disk.
///
/// Layout under `directory`: `wal/` holds the log segments (`Docs/wal.md`), `blocks/` the
/// blocks (`Docs/blocks.md`, chunks in `Docs/chunks.md`). Open replays the log into the head;
/// ``append(_:org:)`` returns once the batch is in the log, `fdatasync`ed (concurrent appends
/// share one sync) and applied to the head, so what a query sees is always durable.
///
/// A background task cuts the head into blocks (when it holds ``EmbeddedStoreOptions/headMaxSamples``
/// or every ``EmbeddedStoreOptions/headFlushIntervalMillis``), then deletes the log segments the
/// blocks cover, merges the blocks of one window, and drops blocks past the retention. Reads
/// merge blocks (oldest sequence first), the head being cut, and the live head; on a repeated
/// (series, timestamp) the later source wins, so the last value written is what is read.
///
/// All methods are safe to call concurrently.
public final class EmbeddedMetricStore: MetricStore {
    /// What a reader sees, swapped atomically by flushes and compactions.
    struct Sources: Sendable {
        var active: Head
        /// The head being cut into blocks, with the first log segment that is not part of it.
        var frozen: Head?
        var frozenBoundarySegment = Int.max
        /// Sorted by sequence number, oldest first.
        var blocks: [Block]
        /// Pending deletions (`blocks/tombstones`).
        var tombstones: [Tombstone] = []
    }

    let sources: Mutex<Sources>
    let wal: WriteAheadLog
    let logger: Logger
    let options: EmbeddedStoreOptions
    let blocksDirectory: String
    /// The last block sequence number handed out.
    let lastSeq: Atomic<UInt64>
    /// Serializes flushes, compactions and retention (the background task and test hooks).
    let maintenanceLock = AsyncLock()
    let lastFlushMillis: Atomic<Int64>
    let lastCompactionMillis = Atomic<Int64>(0)
    /// Metric kinds of everything cut into blocks (first writer wins; `blocks/metric-kinds`).
    let blockKinds: Mutex<[OrgID: [String: MetricKind]]>
    /// Unit, description and display name per metric name (`blocks/metric-metadata`).
    let metadata: Mutex<[OrgID: [String: MetricMetadata]]>
    /// Serializes metadata updates (each rewrites the file).
    let metadataLock = AsyncLock()
    /// Sizes of `blocks/metric-metadata` and its journal (changed under ``metadataLock``).
    let metadataFiles: Mutex<(snapshotBytes: Int, journalBytes: Int)>
    /// The TTLs of ``metadata`` by organisation and metric name, for ``expiry(for:)``.
    let ttls: Mutex<[OrgID: [String: Int64]]>
    private let maintenance = MaintenanceLoop()
    private let seriesGauge = Gauge(label: "basin_head_series")
    private let samplesGauge = Gauge(label: "basin_head_samples")
    let blocksGauge = Gauge(label: "basin_blocks")
    let blockBytesGauge = Gauge(label: "basin_block_bytes")
    let flushCounter = Counter(label: "basin_head_flushes_total")
    let compactionCounter = Counter(label: "basin_compactions_total")
    let maintenanceFailures = Counter(label: "basin_storage_maintenance_failures_total")

    private init(
        sources: Sources, wal: WriteAheadLog, logger: Logger, options: EmbeddedStoreOptions,
        blocksDirectory: String, lastSeq: UInt64, blockKinds: [OrgID: [String: MetricKind]],
        metadata: [OrgID: [String: MetricMetadata]], metadataFiles: (snapshotBytes: Int, journalBytes: Int)
    ) {
        self.metadataFiles = Mutex(metadataFiles)
        self.blockKinds = Mutex(blockKinds)
        self.metadata = Mutex(metadata)
        self.ttls = Mutex(Self.ttls(of: metadata))
        self.sources = Mutex(sources)
        self.wal = wal
        self.logger = logger
        self.options = options
        self.blocksDirectory = blocksDirectory
        self.lastSeq = Atomic(lastSeq)
        self.lastFlushMillis = Atomic(options.nowMillis())
    }

    /// Opens (creating when missing) a store in `directory`: opens its blocks and replays its log.
    ///
    /// - Parameters:
    ///   - directory: the data directory; created with its parents when missing.
    ///   - options: tuning; defaults suit a single node.
    ///   - logger: receives replay progress, warnings about a truncated tail, quarantined
    ///     blocks and errors.
    /// - Returns: a store ready for appends and queries, its background maintenance running.
    /// - Throws: ``StorageError`` of kind `internalError` when the directory or a segment cannot
    ///   be read or written. A torn or corrupt log or block does not throw (see ``WALReplay``
    ///   and ``BlockDirectory``).
    public static func open(
        directory: String, options: EmbeddedStoreOptions = .init(), logger: Logger
    ) async throws -> EmbeddedMetricStore {
        let walDirectory = directory + "/wal"
        let blocksDirectory = directory + "/blocks"
        let head = Head()
        do throws(FileIOError) {
            try Directory.create(walDirectory)
            let opened = try BlockDirectory.open(blocksDirectory, logger: logger)
            if !opened.blocks.isEmpty {
                logger.info("opened blocks", metadata: [
                    "blocks": "\(opened.blocks.count)",
                    "samples": "\(opened.blocks.reduce(0) { $0 + Int($1.meta.sampleCount) })",
                ])
            }
            var kinds = try MetricKindsFile.load(directory: blocksDirectory)
            if kinds == nil {
                logger.error("blocks/metric-kinds is damaged; metric kinds of data in blocks are taken from the blocks' series")
                kinds = [:]
            }
            let openedMetadata = try MetricMetadataFile.open(directory: blocksDirectory)
            if openedMetadata.table == nil {
                logger.error("blocks/metric-metadata is damaged; units and descriptions start empty")
            }
            if openedMetadata.discardedJournalBytes > 0 {
                logger.warning("blocks/metric-metadata.journal ended in a torn or damaged append; it was cut off", metadata: [
                    "bytes": "\(openedMetadata.discardedJournalBytes)",
                ])
            }
            let metadata = openedMetadata.table
            var tombstones = try TombstonesFile.load(directory: blocksDirectory)
            if tombstones == nil {
                logger.error("blocks/tombstones is damaged; earlier series deletions are not applied")
                tombstones = []
            }
            let summary = try WALReplay.run(
                directory: walDirectory, logger: logger, progressEveryRecords: options.replayProgressEveryRecords, into: head)
            let box = LateBound<EmbeddedMetricStore>()
            let wal = try WriteAheadLog(
                directory: walDirectory, lastSegmentIndex: summary.lastSegmentIndex, existingBytes: summary.bytes,
                options: options, logger: logger
            ) { payload, org, segment in
                if case .metrics(let batch) = payload { box.value?.applyDurable(batch, org: org, segment: segment) }
            }
            let store = EmbeddedMetricStore(
                sources: Sources(active: head, blocks: opened.blocks, tombstones: tombstones ?? []), wal: wal, logger: logger, options: options,
                blocksDirectory: blocksDirectory, lastSeq: opened.maxSeq, blockKinds: kinds ?? [:], metadata: metadata ?? [:],
                metadataFiles: (openedMetadata.snapshotBytes, openedMetadata.journalBytes))
            box.value = store
            store.publishGauges()
            store.startMaintenance()
            return store
        } catch {
            throw StorageError(kind: .internalError, message: "cannot open store in \(directory): \(error)")
        }
    }

    /// Stops background maintenance, finishes pending syncs and closes the log; later appends
    /// fail with kind `unavailable`.
    public func close() async throws {
        await maintenance.stop()
        await wal.close()
    }

    /// Syncs performed by the write-ahead log so far (for group-commit tests).
    package var walSyncCount: Int { wal.syncCount }

    /// Applies a durable batch to the head that owns its segment (called in log order).
    private func applyDurable(_ batch: MetricBatch, org: OrgID, segment: Int) {
        let head = sources.withLock { s in
            if let frozen = s.frozen, segment < s.frozenBoundarySegment { return frozen }
            return s.active
        }
        head.apply(batch, org: org)
    }

    /// Writes the batch to the log, waits for the shared sync, then makes it visible.
    ///
    /// - Throws: ``StorageError`` `badRequest` for a slot the batch did not register,
    ///   `limitExceeded` for a batch over 1 GiB encoded, `internalError` when the write or sync
    ///   failed (nothing of the batch is visible), `unavailable` after close or after an
    ///   earlier sync failure.
    public func append(_ batch: MetricBatch, org: OrgID) async throws {
        guard !batch.isEmpty else { return }
        let seriesCount = batch.seriesCount
        guard seriesCount == batch.kinds.count,
              batch.seriesSlots.allSatisfy({ Int($0) < seriesCount }) else {
            throw StorageError(kind: .badRequest, message: "batch refers to a series slot it did not register")
        }
        try await wal.append(batch, org: org)
        publishGauges()
        if options.maintenanceAfterEveryAppend {
            try await runMaintenance(forceFlush: true)
        }
    }

    /// Head series and samples (live and being cut), the log's bytes, and the blocks.
    public func stats() async -> StoreStats {
        let s = sources.withLock { $0 }
        let heads = [s.active] + (s.frozen.map { [$0] } ?? [])
        return StoreStats(
            headSeries: heads.reduce(0) { $0 + $1.seriesCount }, headSamples: heads.reduce(0) { $0 + $1.sampleCount },
            walBytes: wal.walBytes, blocks: s.blocks.count, blockBytes: s.blocks.reduce(0) { $0 + $1.sizeBytes },
            blockSamples: s.blocks.reduce(0) { $0 + Int($1.meta.sampleCount) })
    }

    func publishGauges() {
        let s = sources.withLock { $0 }
        seriesGauge.record(s.active.seriesCount + (s.frozen?.seriesCount ?? 0))
        samplesGauge.record(s.active.sampleCount + (s.frozen?.sampleCount ?? 0))
    }

    private func startMaintenance() {
        maintenance.start(owner: self, everyMillis: min(options.compactionIntervalMillis, 1_000)) { await $0.maintenanceTick() }
    }
}

/// A lock that async code can hold across suspension points (FIFO).
final class AsyncLock: Sendable {
    private struct State {
        var locked = false
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    private let state = Mutex(State())

    func lock() async {
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            let resumeNow = state.withLock { s -> Bool in
                if s.locked {
                    s.waiters.append(c)
                    return false
                }
                s.locked = true
                return true
            }
            if resumeNow { c.resume() }
        }
    }

    func unlock() {
        let next = state.withLock { s -> CheckedContinuation<Void, Never>? in
            if s.waiters.isEmpty {
                s.locked = false
                return nil
            }
            return s.waiters.removeFirst()
        }
        next?.resume()
    }
}
