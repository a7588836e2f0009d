import BasinHTTP
import BasinModel
import Logging
import StorageAPI

/// Writes the aggregator's flushes: one metric `append` per flush for the organisation, the
/// events and service checks as records, and each metric name's metadata once.
///
/// What failed to store is kept and written together with the next flush, up to
/// `maxRetrySamples` samples (and as many records); beyond that the oldest is dropped and
/// counted as rejected.
actor DogStatsDFlusher {
    let store: any MetricStore
    let records: (any RecordStore)?
    let org: OrgID
    let maxRetrySamples: Int
    let selfMetrics: SelfMetrics
    let logger: Logger

    var pending = MetricBatch()
    var pendingEvents: [Record] = []
    var pendingChecks: [Record] = []
    var pendingMetadata: [String: MetricMetadata] = [:]
    /// Names whose metadata is stored already.
    var recordedNames: Set<String> = []
    var reported = DogStatsDAggregator.Counts()

    init(store: any MetricStore, records: (any RecordStore)?, org: OrgID, maxRetrySamples: Int, selfMetrics: SelfMetrics, logger: Logger) {
        self.store = store
        self.records = records
        self.org = org
        self.maxRetrySamples = maxRetrySamples
        self.selfMetrics = selfMetrics
        self.logger = logger
    }

    func store(_ flush: DogStatsDAggregator.Flush, counts: DogStatsDAggregator.Counts) async {
        var dropped = counts.dropped - reported.dropped + flush.rejected
        let accepted = counts.accepted - reported.accepted
        reported = counts

        if pending.sampleCount + flush.batch.sampleCount > maxRetrySamples {
            dropped += pending.sampleCount
            logger.warning("dogstatsd: retry buffer full, dropping unstored samples", metadata: ["samples": "\(pending.sampleCount)"])
            pending = MetricBatch()
        }
        Self.merge(flush.batch, into: &pending)
        for (name, metadata) in flush.metadata where !recordedNames.contains(name) { pendingMetadata[name] = metadata }
        if !pending.isEmpty {
            do {
                try await store.append(pending, org: org)
                pending = MetricBatch()
            } catch {
                logger.error("dogstatsd: store append failed; retrying with the next flush", metadata: [
                    "org": "\(org)", "samples": "\(pending.sampleCount)", "error": "\(error)",
                ])
            }
        }
        if pending.isEmpty { await recordMetadata() }

        let (events, droppedEvents) = await appendRecords(pendingEvents + flush.events, dataset: .events)
        pendingEvents = events
        let (checks, droppedChecks) = await appendRecords(pendingChecks + flush.serviceChecks, dataset: .serviceChecks)
        pendingChecks = checks
        dropped += droppedEvents + droppedChecks
        if accepted > 0 || dropped > 0 {
            selfMetrics.recordSamples(dialect: "datadog", endpoint: DogStatsDServer.endpoint, accepted: accepted, rejected: dropped)
        }
    }

    /// Appends `batch` to `dataset`; returns what must be retried and how many records were dropped.
    private func appendRecords(_ batch: [Record], dataset: ReservedDataset) async -> (retry: [Record], dropped: Int) {
        var batch = batch
        var dropped = 0
        if batch.count > maxRetrySamples {
            dropped = batch.count - maxRetrySamples
            batch.removeFirst(dropped)
        }
        guard !batch.isEmpty else { return ([], dropped) }
        guard let records else { return ([], dropped + batch.count) }
        do {
            try await records.appendRecords(batch, org: org, dataset: dataset.rawValue)
            return ([], dropped)
        } catch {
            logger.error("dogstatsd: record append failed; retrying with the next flush", metadata: [
                "dataset": "\(dataset.rawValue)", "records": "\(batch.count)", "error": "\(error)",
            ])
            return (batch, dropped)
        }
    }

    /// Writes `dialect`, `intervalSeconds` and `vendorType` for names not recorded yet, as the
    /// HTTP intake does (only changes; an existing dialect is kept).
    private func recordMetadata() async {
        guard !pendingMetadata.isEmpty else { return }
        var updates: [String: MetricMetadata] = [:]
        for (name, wanted) in pendingMetadata {
            let current = (try? await store.metricMetadata(org: org, metricName: name))?[name]
            var update = MetricMetadata()
            if current?.dialect == nil { update.dialect = wanted.dialect }
            if let interval = wanted.intervalSeconds, current?.intervalSeconds != interval { update.intervalSeconds = interval }
            if let vendorType = wanted.vendorType, current?.vendorType != vendorType { update.vendorType = vendorType }
            if update != MetricMetadata() { updates[name] = update }
        }
        do {
            if !updates.isEmpty { try await store.updateMetricMetadata(org: org, updates) }
            recordedNames.formUnion(pendingMetadata.keys)
            pendingMetadata.removeAll()
        } catch {
            logger.warning("dogstatsd: metric metadata not recorded; retrying with the next flush", metadata: ["error": "\(error)"])
        }
    }

    /// Appends every sample of `other` to `batch`, one series registration per series.
    static func merge(_ other: MetricBatch, into batch: inout MetricBatch) {
        guard !other.isEmpty else { return }
        if batch.isEmpty {
            batch = other
            return
        }
        var slots: [UInt32] = []
        slots.reserveCapacity(other.seriesCount)
        other.labelBytes.withUnsafeBytes { bytes in
            for i in 0..<other.seriesCount {
                let range = other.labelRange(at: i)
                slots.append(batch.beginSeries(encodedLabels: UnsafeRawBufferPointer(rebasing: bytes[range]), kind: other.kinds[i]))
            }
        }
        for i in 0..<other.sampleCount {
            batch.append(seriesSlot: slots[Int(other.seriesSlots[i])], timestampMillis: other.timestampsMillis[i], value: other.values[i])
        }
    }
}
