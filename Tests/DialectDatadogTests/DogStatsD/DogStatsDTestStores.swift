import BasinModel
import BasinTestKit
import StorageAPI
import Synchronization

/// An ``InMemoryMetricStore`` whose first `failures` appends throw (to test retries).
final class DogStatsDFlakyMetricStore: MetricStore {
    let inner = InMemoryMetricStore()
    let remainingFailures: Mutex<Int>
    let appends = Mutex(0)

    init(failures: Int) {
        remainingFailures = Mutex(failures)
    }

    func append(_ batch: MetricBatch, org: OrgID) async throws {
        appends.withLock { $0 += 1 }
        let fail = remainingFailures.withLock { n -> Bool in
            defer { n = max(0, n - 1) }
            return n > 0
        }
        if fail { throw StorageError(kind: .unavailable, message: "disk full (test)") }
        try await inner.append(batch, org: org)
    }

    func select(_ request: SelectRequest) async throws -> [SeriesSamples] { try await inner.select(request) }
    func series(org: OrgID, matcherSets: [[LabelMatcher]], startMillis: Int64, endMillis: Int64) async throws -> [Labels] {
        try await inner.series(org: org, matcherSets: matcherSets, startMillis: startMillis, endMillis: endMillis)
    }
    func labelNames(org: OrgID, matcherSets: [[LabelMatcher]], startMillis: Int64, endMillis: Int64) async throws -> [String] {
        try await inner.labelNames(org: org, matcherSets: matcherSets, startMillis: startMillis, endMillis: endMillis)
    }
    func labelValues(org: OrgID, name: String, matcherSets: [[LabelMatcher]], startMillis: Int64, endMillis: Int64) async throws -> [String] {
        try await inner.labelValues(org: org, name: name, matcherSets: matcherSets, startMillis: startMillis, endMillis: endMillis)
    }
    func deleteSeries(org: OrgID, matchers: [LabelMatcher], startMillis: Int64, endMillis: Int64) async throws {
        try await inner.deleteSeries(org: org, matchers: matchers, startMillis: startMillis, endMillis: endMillis)
    }
    func metricKinds(org: OrgID, metricName: String?) async throws -> [String: MetricKind] {
        try await inner.metricKinds(org: org, metricName: metricName)
    }
    func metricMetadata(org: OrgID, metricName: String?) async throws -> [String: MetricMetadata] {
        try await inner.metricMetadata(org: org, metricName: metricName)
    }
    func updateMetricMetadata(org: OrgID, metricName: String, _ metadata: MetricMetadata) async throws {
        try await inner.updateMetricMetadata(org: org, metricName: metricName, metadata)
    }
    func stats() async -> StoreStats { await inner.stats() }
}

/// Collects appended records; everything else is unused.
actor DogStatsDTestRecordStore: RecordStore {
    var stored: [String: [Record]] = [:]

    func records(_ dataset: ReservedDataset) -> [Record] { stored[dataset.rawValue] ?? [] }

    func appendRecords(_ records: [Record], org: OrgID, dataset: String) async throws {
        stored[dataset, default: []].append(contentsOf: records)
    }

    func scan(_ query: RecordQuery) async throws -> RecordQueryResult { throw Self.unused }
    func createDataset(org: OrgID, _ spec: DatasetSpec) async throws -> DatasetInfo { throw Self.unused }
    func datasets(org: OrgID) async throws -> [DatasetInfo] { [] }
    func dataset(org: OrgID, name: String) async throws -> DatasetInfo? { nil }
    func updateDataset(org: OrgID, name: String, description: String?, retentionDays: Int?) async throws -> DatasetInfo { throw Self.unused }
    func deleteDataset(org: OrgID, name: String) async throws { throw Self.unused }
    func trimDataset(org: OrgID, name: String, beforeNanos: Int64) async throws { throw Self.unused }
    func datasetStats(org: OrgID, name: String) async throws -> DatasetStats { throw Self.unused }
    func recordStats() async -> RecordStoreStats { RecordStoreStats() }

    static let unused = StorageError(kind: .internalError, message: "not used by DogStatsD tests")
}

/// Every sample of an org as sorted `{labels} timestampMillis value` lines.
func dogStatsDDump(_ store: any MetricStore, org: OrgID = .init("default")) async throws -> [String] {
    let all = try LabelMatcher(name: Labels.metricNameKey, op: .regexMatch, value: ".+")
    let found = try await store.select(SelectRequest(org: org, matchers: [all], startMillis: 0, endMillis: Int64.max / 2))
    var lines: [String] = []
    for series in found {
        for (t, v) in zip(series.timestampsMillis, series.values) {
            lines.append("\(BatchRendering.render(series.labels)) \(t) \(v)")
        }
    }
    return lines.sorted()
}
