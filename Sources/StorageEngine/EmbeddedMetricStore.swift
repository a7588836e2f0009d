import BasinModel
import Logging
import Metrics
import StorageAPI

/// The embedded metric store: a write-ahead log on local disk and an in-memory head.
///
/// Layout under `directory`: `wal/` holds the log segments (format in `Docs/wal.md`). Open
/// replays the log into the head; ``append(_:org:)`` returns once the batch is in the log,
/// `fdatasync`ed (concurrent appends share one sync) and applied to the head, so what a query
/// sees is always durable. See ``WriteAheadLog`` for failure behaviour and ``WALReplay`` for
/// how torn and corrupt segments are handled.
///
/// All methods are safe to call concurrently.
public final class EmbeddedMetricStore: MetricStore {
    private let head: Head
    private let wal: WriteAheadLog
    private let logger: Logger
    private let seriesGauge = Gauge(label: "basin_head_series")
    private let samplesGauge = Gauge(label: "basin_head_samples")

    private init(head: Head, wal: WriteAheadLog, logger: Logger) {
        self.head = head
        self.wal = wal
        self.logger = logger
    }

    /// Opens (creating when missing) a store in `directory` and replays its write-ahead log.
    ///
    /// - Parameters:
    ///   - directory: the data directory; created with its parents when missing.
    ///   - options: tuning; defaults suit a single node.
    ///   - logger: receives replay progress, warnings about a truncated tail and errors.
    /// - Returns: a store ready for appends and queries.
    /// - Throws: ``StorageError`` of kind `internalError` when the directory or a segment cannot
    ///   be read or written. A torn or corrupt log does not throw (see ``WALReplay``).
    public static func open(
        directory: String, options: EmbeddedStoreOptions = .init(), logger: Logger
    ) async throws -> EmbeddedMetricStore {
        let walDirectory = directory + "/wal"
        let head = Head()
        do throws(FileIOError) {
            try Directory.create(walDirectory)
            let summary = try WALReplay.run(
                directory: walDirectory, logger: logger, progressEveryRecords: options.replayProgressEveryRecords
            ) { batch, org in head.apply(batch, org: org) }
            let wal = try WriteAheadLog(
                directory: walDirectory, lastSegmentIndex: summary.lastSegmentIndex, existingBytes: summary.bytes,
                options: options, logger: logger
            ) { batch, org in head.apply(batch, org: org) }
            let store = EmbeddedMetricStore(head: head, wal: wal, logger: logger)
            store.publishGauges()
            return store
        } catch {
            throw StorageError(kind: .internalError, message: "cannot open store in \(directory): \(error)")
        }
    }

    /// Finishes pending syncs and closes the log; later appends fail with kind `unavailable`.
    public func close() async throws {
        await wal.close()
    }

    /// Syncs performed by the write-ahead log so far (for group-commit tests).
    package var walSyncCount: Int { wal.syncCount }

    /// Writes the batch to the log, waits for the shared sync, then makes it visible.
    ///
    /// - Throws: ``StorageError`` `badRequest` for a slot the batch did not register,
    ///   `limitExceeded` for a batch over 1 GiB encoded, `internalError` when the write or sync
    ///   failed (nothing of the batch is visible), `unavailable` after close or after an
    ///   earlier sync failure.
    public func append(_ batch: MetricBatch, org: OrgID) async throws {
        guard !batch.isEmpty else { return }
        guard batch.series.count == batch.kinds.count,
              batch.seriesSlots.allSatisfy({ Int($0) < batch.series.count }) else {
            throw StorageError(kind: .badRequest, message: "batch refers to a series slot it did not register")
        }
        try await wal.append(batch, org: org)
        publishGauges()
    }

    /// Matching series' samples in the range, sorted by labels (Prometheus order).
    ///
    /// - Throws: ``StorageError`` `limitExceeded` naming `maxSeries` or `maxSamples`.
    public func select(_ request: SelectRequest) async throws -> [SeriesSamples] {
        try head.select(request)
    }

    /// Label sets of matching series with a sample in the range, sorted by labels.
    public func series(org: OrgID, matcherSets: [[LabelMatcher]], startMillis: Int64, endMillis: Int64) async throws -> [Labels] {
        head.labelSets(org: org, matcherSets: matcherSets, startMillis: startMillis, endMillis: endMillis)
            .sorted(by: LabelsOrder.precedes)
    }

    /// Sorted label names (byte order) of matching series with a sample in the range.
    public func labelNames(org: OrgID, matcherSets: [[LabelMatcher]], startMillis: Int64, endMillis: Int64) async throws -> [String] {
        var names = Set<String>()
        for labels in head.labelSets(org: org, matcherSets: matcherSets, startMillis: startMillis, endMillis: endMillis) {
            labels.forEach { name, _ in names.insert(name) }
        }
        return names.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
    }

    /// Sorted values (byte order) of one label over matching series with a sample in the range.
    public func labelValues(
        org: OrgID, name: String, matcherSets: [[LabelMatcher]], startMillis: Int64, endMillis: Int64
    ) async throws -> [String] {
        var values = Set<String>()
        for labels in head.labelSets(org: org, matcherSets: matcherSets, startMillis: startMillis, endMillis: endMillis) {
            if let value = labels[name] { values.insert(value) }
        }
        return values.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
    }

    /// The kind first written for each metric name of the org.
    public func metricKinds(org: OrgID, metricName: String?) async throws -> [String: MetricKind] {
        head.metricKinds(org: org, metricName: metricName)
    }

    /// Head series and samples, and the bytes of all log segments on disk.
    public func stats() async -> StoreStats {
        StoreStats(headSeries: head.seriesCount, headSamples: head.sampleCount, walBytes: wal.walBytes)
    }

    private func publishGauges() {
        seriesGauge.record(head.seriesCount)
        samplesGauge.record(head.sampleCount)
    }
}
