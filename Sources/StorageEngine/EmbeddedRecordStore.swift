import BasinModel
import Glibc
import Logging
import StorageAPI
import Synchronization

/// The embedded records engine: events, service checks and log datasets (layout in
/// `Docs/records.md`).
///
/// Writes go through a write-ahead log of the same implementation as the metrics engine's
/// (group commit; acknowledged means synced), in `records/wal`, and land in an in-memory head
/// readable at once. The head is sealed into columnar, compressed partitions (one per dataset
/// and aligned time window, `records/parts`) when it holds ``EmbeddedStoreOptions/recordsHeadMaxRecords``
/// or every ``EmbeddedStoreOptions/recordsHeadFlushIntervalMillis``; the log behind a seal is
/// deleted. The dataset catalog (`records/datasets`) decides what is visible: a deleted dataset's
/// records (its incarnation) are never read again and its partitions are removed, a trim or a
/// retention hides older records at once and drops partitions that hold nothing newer.
public final class EmbeddedRecordStore: RecordStore {
    struct Sources: Sendable {
        var active = RecordHead()
        /// The head being sealed: every record of a log segment below `frozenBoundarySegment`.
        var frozen: RecordHead?
        var frozenBoundarySegment = 0
        var partitions: [RecordPartition] = []
        var catalog = DatasetCatalog()
    }

    let sources: Mutex<Sources>
    let wal: WriteAheadLog
    let logger: Logger
    let options: EmbeddedStoreOptions
    let directory: String
    let partsDirectory: String
    /// Serialises catalog changes and seals.
    let adminLock = AsyncLock()
    let nextSequence: Atomic<Int>
    let lastSealMillis: Atomic<Int64>
    let maintenance = MaintenanceLoop()

    private init(sources: Sources, wal: WriteAheadLog, logger: Logger, options: EmbeddedStoreOptions, directory: String, nextSequence: Int) {
        self.sources = Mutex(sources)
        self.wal = wal
        self.logger = logger
        self.options = options
        self.directory = directory
        self.partsDirectory = directory + "/parts"
        self.nextSequence = Atomic(nextSequence)
        self.lastSealMillis = Atomic(options.nowMillis())
    }

    /// Opens (creating when missing) a records store in `directory`: loads the catalog, opens
    /// the partitions and replays the log.
    ///
    /// - Throws: ``StorageError`` `internalError` when the directory cannot be read or written or
    ///   the catalog is damaged. A damaged partition is moved aside to `parts/quarantine` and
    ///   logged; a torn log tail is cut (see ``WALReplay``).
    public static func open(directory: String, options: EmbeddedStoreOptions = .init(), logger: Logger) async throws -> EmbeddedRecordStore {
        let walDirectory = directory + "/wal"
        let partsDirectory = directory + "/parts"
        do throws(FileIOError) {
            try Directory.create(walDirectory)
            try Directory.create(partsDirectory)
        } catch {
            throw StorageError(kind: .internalError, message: "cannot open records store in \(directory): \(error)")
        }
        let catalog = try DatasetCatalog.load(directory: directory)
        var sources = Sources(catalog: catalog)
        var maxSequence = 0
        do throws(FileIOError) {
            var sealed: UInt64 = 0
            if let bytes = try AtomicFile.read(directory: directory, name: SealMarker.fileName) {
                guard let b = SealMarker.decode(bytes) else {
                    throw FileIOError(operation: "read seal marker (damaged)", path: directory + "/" + SealMarker.fileName, errnoValue: EIO)
                }
                sealed = b
            }
            (sources.partitions, maxSequence) = try openPartitions(partsDirectory, catalog: catalog, sealed: sealed, logger: logger)
            var head = RecordHead()
            let summary = try RecordLogReplay.run(directory: walDirectory, fromSegment: Int(sealed), logger: logger) { entry, org in
                guard catalog.entry(org: org, name: entry.dataset)?.incarnation == entry.incarnation else { return }
                head.append(entry.records, to: DatasetKey(org: org, dataset: entry.dataset, incarnation: entry.incarnation))
            }
            sources.active = head
            let box = LateBound<EmbeddedRecordStore>()
            // The new segment is numbered after the seal's boundary even when no segment is
            // left on disk: segments below the boundary are the sealed partitions' and are
            // deleted below.
            let wal = try WriteAheadLog(
                directory: walDirectory, lastSegmentIndex: max(summary.lastSegmentIndex, Int(sealed)), existingBytes: summary.bytes,
                options: options, logger: logger
            ) { payload, org, segment in
                if case .records(let entry) = payload { box.value?.applyDurable(entry, org: org, segment: segment) }
            }
            // Segments a committed seal holds in partitions (a crash came before their deletion).
            _ = try wal.removeSegments(below: Int(sealed))
            let store = EmbeddedRecordStore(
                sources: sources, wal: wal, logger: logger, options: options, directory: directory, nextSequence: maxSequence + 1)
            box.value = store
            store.startMaintenance()
            return store
        } catch {
            throw StorageError(kind: .internalError, message: "cannot open records store in \(directory): \(error)")
        }
    }

    /// Opens every partition of a current dataset incarnation; removes leftovers (`.tmp`,
    /// partitions of deleted datasets and of seals after the committed one `sealed`) and moves
    /// damaged ones aside.
    private static func openPartitions(
        _ partsDirectory: String, catalog: DatasetCatalog, sealed: UInt64, logger: Logger
    ) throws(FileIOError) -> ([RecordPartition], Int) {
        var partitions: [RecordPartition] = []
        var maxSequence = 0
        for name in try Directory.list(partsDirectory).sorted() {
            let path = partsDirectory + "/" + name
            if name.hasSuffix(".tmp") {
                try Directory.remove(path)
                continue
            }
            guard let sequence = RecordPartitionFormat.sequence(ofName: name) else { continue }
            maxSequence = max(maxSequence, sequence)
            do {
                let p = try RecordPartition.open(path: path, sequence: sequence)
                if p.index.sealBoundary <= sealed,
                   catalog.entry(org: p.index.org, name: p.index.dataset)?.incarnation == p.index.incarnation {
                    partitions.append(p)
                } else {
                    try Directory.remove(path)
                }
            } catch {
                let aside = partsDirectory + "/quarantine"
                try Directory.create(aside)
                try Directory.rename(path, aside + "/" + name)
                logger.error("record partition is damaged; moved aside", metadata: ["partition": "\(path)", "error": "\(error)"])
            }
        }
        try Directory.sync(partsDirectory)
        return (partitions, maxSequence)
    }

    /// Stops background maintenance, finishes pending syncs and closes the log.
    public func close() async throws {
        await maintenance.stop()
        await wal.close()
    }

    /// Applies durable records to the head that owns their segment (in log order).
    private func applyDurable(_ entry: RecordLogEntry, org: OrgID, segment: Int) {
        sources.withLock { s in
            // A dataset deleted while the records were on their way: they are not shown.
            guard s.catalog.entry(org: org, name: entry.dataset)?.incarnation == entry.incarnation else { return }
            let key = DatasetKey(org: org, dataset: entry.dataset, incarnation: entry.incarnation)
            if s.frozen != nil, segment < s.frozenBoundarySegment {
                s.frozen!.append(entry.records, to: key)
            } else {
                s.active.append(entry.records, to: key)
            }
        }
    }

    public func appendRecords(_ records: [Record], org: OrgID, dataset: String) async throws {
        guard let entry = sources.withLock({ $0.catalog.entry(org: org, name: dataset) }) else {
            throw StorageError(kind: .notFound, message: "dataset \"\(dataset)\" not found")
        }
        guard !records.isEmpty else { return }
        try await wal.append(records: RecordLogEntry(dataset: dataset, incarnation: entry.incarnation, records: EncodedRecords(records)), org: org)
        if options.maintenanceAfterEveryAppend {
            try await runMaintenance(forceSeal: true)
        }
    }

    public func recordStats() async -> RecordStoreStats {
        let s = sources.withLock { $0 }
        return RecordStoreStats(
            headRecords: s.active.records + (s.frozen?.records ?? 0), partitions: s.partitions.count,
            partitionBytes: s.partitions.reduce(0) { $0 + $1.fileBytes }, walBytes: wal.walBytes)
    }

    /// The oldest record time a dataset still shows (trim and retention).
    func cutoffNanos(_ entry: DatasetEntry) -> Int64 {
        let nowNanos = options.nowMillis().multipliedReportingOverflow(by: 1_000_000)
        let retention = entry.retentionDays > 0
            ? Int64(entry.retentionDays).multipliedReportingOverflow(by: 86_400 * 1_000_000_000)
            : options.retentionMillis.multipliedReportingOverflow(by: 1_000_000)
        // A retention beyond what nanoseconds can count keeps everything.
        guard !nowNanos.overflow, !retention.overflow else { return entry.trimmedBeforeNanos }
        let cutoff = nowNanos.partialValue.subtractingReportingOverflow(retention.partialValue)
        return max(entry.trimmedBeforeNanos, cutoff.overflow ? .min : cutoff.partialValue)
    }

    private func startMaintenance() {
        maintenance.start(owner: self, everyMillis: min(options.compactionIntervalMillis, 1_000)) { store in
            do {
                try await store.runMaintenance(forceSeal: false)
            } catch {
                store.logger.error("records maintenance failed; retrying later", metadata: ["error": "\(error)"])
            }
        }
    }
}

