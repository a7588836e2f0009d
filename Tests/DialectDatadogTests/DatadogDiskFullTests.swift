import BasinHTTP
import BasinModel
import BasinTestKit
import HTTPTypes
import Hummingbird
import Logging
import StorageAPI
import Testing

@testable import DialectDatadog

/// Reads from an in-memory store; every append fails with `error`.
struct FailingAppendStore: MetricStore {
    let error: StorageError
    let reads = InMemoryMetricStore()

    func append(_ batch: MetricBatch, org: OrgID) async throws { throw error }
    func select(_ request: SelectRequest) async throws -> [SeriesSamples] { try await reads.select(request) }
    func series(org: OrgID, matcherSets: [[LabelMatcher]], startMillis: Int64, endMillis: Int64) async throws -> [Labels] {
        try await reads.series(org: org, matcherSets: matcherSets, startMillis: startMillis, endMillis: endMillis)
    }
    func labelNames(org: OrgID, matcherSets: [[LabelMatcher]], startMillis: Int64, endMillis: Int64) async throws -> [String] {
        try await reads.labelNames(org: org, matcherSets: matcherSets, startMillis: startMillis, endMillis: endMillis)
    }
    func labelValues(
        org: OrgID, name: String, matcherSets: [[LabelMatcher]], startMillis: Int64, endMillis: Int64
    ) async throws -> [String] {
        try await reads.labelValues(org: org, name: name, matcherSets: matcherSets, startMillis: startMillis, endMillis: endMillis)
    }
    func metricKinds(org: OrgID, metricName: String?) async throws -> [String: MetricKind] {
        try await reads.metricKinds(org: org, metricName: metricName)
    }
    func deleteSeries(org: OrgID, matchers: [LabelMatcher], startMillis: Int64, endMillis: Int64) async throws { throw error }
    func metricMetadata(org: OrgID, metricName: String?) async throws -> [String: MetricMetadata] {
        try await reads.metricMetadata(org: org, metricName: metricName)
    }
    func updateMetricMetadata(org: OrgID, metricName: String, _ metadata: MetricMetadata) async throws { throw error }
    func stats() async -> StoreStats { await reads.stats() }
}

@Suite("Datadog routes: storage failures")
struct DatadogDiskFullTests {
    static func routes(failingWith error: StorageError) -> DatadogRoutes {
        DatadogRoutes(environment: DialectEnvironment(
            store: FailingAppendStore(error: error), tokens: FixedTokens(), limits: HTTPLimits(),
            selfMetrics: SelfMetrics(), logger: Logger(label: "test")))
    }

    static let headers: HTTPFields = [HTTPField.Name("DD-API-KEY")!: "ingest-key", .contentType: "application/json"]

    @Test("a full disk is 503 in Datadog's envelope with Retry-After, on v1 and v2", arguments: [
        DatadogRoutes.SeriesVersion.v1, .v2,
    ])
    func diskFull(version: DatadogRoutes.SeriesVersion) async throws {
        let routes = Self.routes(failingWith: StorageError(
            kind: .unavailable, message: "disk full: write /data/wal/00000001: No space left on device (errno 28); retry later",
            retryAfterSeconds: 5))
        let body = version == .v1
            ? DatadogRoutesTests.series
            : #"{"series":[{"metric":"m","type":3,"points":[{"timestamp":1700000000,"value":1.5}]}]}"#
        let response = await routes.submitSeries(
            DatadogRoutesTests.request(path: version.endpoint, headers: Self.headers, body: body), version: version)
        #expect(response.status == .serviceUnavailable)
        #expect(response.headers[.retryAfter] == "5")
        #expect(response.headers[.contentType] == "application/json")
        #expect(try await DatadogRoutesTests.bodyText(response)
            == #"{"errors": ["disk full: write /data/wal/00000001: No space left on device (errno 28); retry later"]}"#)
    }

    @Test("a storage failure that names no delay gets no Retry-After")
    func noDelayNoHeader() async throws {
        let routes = Self.routes(failingWith: StorageError(kind: .unavailable, message: "store is closed"))
        let response = await routes.submitSeriesV1(DatadogRoutesTests.request(headers: Self.headers, body: DatadogRoutesTests.series))
        #expect(response.status == .serviceUnavailable)
        #expect(response.headers[.retryAfter] == nil)
        #expect(try await DatadogRoutesTests.bodyText(response) == #"{"errors": ["store is closed"]}"#)
    }
}
