import BasinModel
import Foundation
import StorageAPI
import Synchronization

/// A simple, obviously correct ``MetricStore`` held in memory, for query tests.
///
/// Linear scans everywhere; correctness over speed. A repeated (series, timestamp) keeps the
/// last value; the first kind written for a metric name wins; metrics with a TTL expire
/// (``MetricExpiry``) by the clock given at creation.
public final class InMemoryMetricStore: MetricStore {
    private struct Series {
        var kind: MetricKind
        var samples: [Int64: Double] = [:]
    }

    private struct State {
        var series: [OrgID: [Labels: Series]] = [:]
        var kinds: [OrgID: [String: MetricKind]] = [:]
        var metadata: [OrgID: [String: MetricMetadata]] = [:]
    }

    private let state = Mutex(State())
    private let nowMillis: @Sendable () -> Int64

    /// - Parameter nowMillis: the clock that decides which samples have expired; the wall clock
    ///   by default.
    public init(nowMillis: @escaping @Sendable () -> Int64 = { Int64((Date().timeIntervalSince1970 * 1000).rounded(.down)) }) {
        self.nowMillis = nowMillis
    }

    /// What a read of `org` leaves out now.
    private func expiry(_ state: State, org: OrgID, honoured: Bool = true) -> MetricExpiry {
        guard honoured, let metadata = state.metadata[org] else { return .none }
        return MetricExpiry(metadata: metadata, nowMillis: nowMillis())
    }

    public func append(_ batch: MetricBatch, org: OrgID) async throws {
        let series = batch.series
        state.withLock { state in
            for index in batch.values.indices {
                let slot = Int(batch.seriesSlots[index])
                let labels = series[slot]
                let kind = batch.kinds[slot]
                state.series[org, default: [:]][labels, default: Series(kind: kind)]
                    .samples[batch.timestampsMillis[index]] = batch.values[index]
                if let name = labels.metricName, state.kinds[org]?[name] == nil {
                    state.kinds[org, default: [:]][name] = kind
                }
            }
        }
    }

    public func deleteSeries(org: OrgID, matchers: [LabelMatcher], startMillis: Int64, endMillis: Int64) async throws {
        guard !matchers.isEmpty else { throw StorageError(kind: .badRequest, message: "deleting series needs at least one matcher") }
        state.withLock { state in
            for (labels, var series) in state.series[org] ?? [:] where Self.matches(labels, matchers) {
                series.samples = series.samples.filter { $0.key < startMillis || $0.key > endMillis }
                state.series[org]?[labels] = series.samples.isEmpty ? nil : series
            }
        }
    }

    public func metricMetadata(org: OrgID, metricName: String?) async throws -> [String: MetricMetadata] {
        state.withLock { state in
            let all = state.metadata[org] ?? [:]
            guard let metricName else { return all }
            return all[metricName].map { [metricName: $0] } ?? [:]
        }
    }

    public func updateMetricMetadata(org: OrgID, metricName: String, _ metadata: MetricMetadata) async throws {
        try MetricMetadataLimits.check(metricName, metadata)
        state.withLock { state in
            let current = state.metadata[org]?[metricName] ?? MetricMetadata()
            state.metadata[org, default: [:]][metricName] = current.merging(metadata)
        }
    }

    /// Forgets everything (the `clear` command of query scripts).
    public func removeAll() {
        state.withLock { $0 = State() }
    }

    public func select(_ request: SelectRequest) async throws -> [SeriesSamples] {
        guard !request.matchers.isEmpty else { return [] }
        return try state.withLock { state throws(StorageError) in
            let expiry = expiry(state, org: request.org, honoured: request.honoursExpiry)
            var out: [SeriesSamples] = []
            var sampleCount = 0
            for (labels, series) in state.series[request.org] ?? [:] where Self.matches(labels, request.matchers) {
                let start = expiry.startMillis(for: labels, from: request.startMillis)
                let times = series.samples.keys
                    .filter { $0 >= start && $0 <= request.endMillis }
                    .sorted()
                guard !times.isEmpty else { continue }
                sampleCount += times.count
                if out.count + 1 > request.maxSeries {
                    throw StorageError(kind: .limitExceeded, message: "query would read more than \(request.maxSeries) series")
                }
                if sampleCount > request.maxSamples {
                    throw StorageError(
                        kind: .limitExceeded,
                        message: "query processing would load too many samples into memory in query execution")
                }
                out.append(SeriesSamples(
                    labels: labels, kind: series.kind, timestampsMillis: times,
                    values: times.map { series.samples[$0] ?? .nan }))
            }
            return out.sorted { $0.labels < $1.labels }
        }
    }

    public func series(org: OrgID, matcherSets: [[LabelMatcher]], startMillis: Int64, endMillis: Int64) async throws -> [Labels] {
        matching(org: org, matcherSets: matcherSets, startMillis: startMillis, endMillis: endMillis).sorted()
    }

    public func labelNames(org: OrgID, matcherSets: [[LabelMatcher]], startMillis: Int64, endMillis: Int64) async throws -> [String] {
        var names: Set<String> = []
        for labels in matching(org: org, matcherSets: matcherSets, startMillis: startMillis, endMillis: endMillis) {
            labels.forEach { name, _ in names.insert(name) }
        }
        return names.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
    }

    public func labelValues(
        org: OrgID, name: String, matcherSets: [[LabelMatcher]], startMillis: Int64, endMillis: Int64
    ) async throws -> [String] {
        var values: Set<String> = []
        for labels in matching(org: org, matcherSets: matcherSets, startMillis: startMillis, endMillis: endMillis) {
            if let value = labels[name] { values.insert(value) }
        }
        return values.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
    }

    public func metricKinds(org: OrgID, metricName: String?) async throws -> [String: MetricKind] {
        let kinds = state.withLock { $0.kinds[org] ?? [:] }
        guard let metricName else { return kinds }
        return kinds.filter { $0.key == metricName }
    }

    public func stats() async -> StoreStats {
        state.withLock { state in
            let all = state.series.values.flatMap(\.values)
            return StoreStats(headSeries: all.count, headSamples: all.reduce(0) { $0 + $1.samples.count })
        }
    }

    private func matching(org: OrgID, matcherSets: [[LabelMatcher]], startMillis: Int64, endMillis: Int64) -> [Labels] {
        state.withLock { state in
            let expiry = expiry(state, org: org)
            return (state.series[org] ?? [:]).compactMap { labels, series -> Labels? in
                let start = expiry.startMillis(for: labels, from: startMillis)
                guard series.samples.keys.contains(where: { $0 >= start && $0 <= endMillis }) else { return nil }
                if matcherSets.isEmpty { return labels }
                return matcherSets.contains { Self.matches(labels, $0) } ? labels : nil
            }
        }
    }

    private static func matches(_ labels: Labels, _ matchers: [LabelMatcher]) -> Bool {
        matchers.allSatisfy { $0.matches(labels[$0.name] ?? "") }
    }
}
