import BasinHTTP
import BasinModel
import CompressNIO
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import StorageAPI
import StorageEngine

extension IntakeConformance {
    /// One answer: status, body text, `Retry-After`.
    struct Answer {
        var code: Int
        var body: String
        var retryAfter: String?
    }

    /// The profile's routes on a router over real stores; requests and reads for the checks.
    struct Harness {
        let profile: IntakeProfile
        let client: any TestClientProtocol
        let store: any MetricStore

        /// Runs `body` with the routes over stores in `directory` (a fresh one when nil, removed after).
        static func with(
            _ profile: IntakeProfile, directory: String? = nil, failAppends: Bool = false,
            _ body: @Sendable (Harness) async throws -> Void
        ) async throws {
            try await EmbeddedRoutesHarness.withApp(
                tokens: ConformanceTokens(org: profile.org), directory: directory,
                metricStore: { failAppends ? DiskFullStore(base: $0) as any MetricStore : $0 }, register: profile.register
            ) { client, stores in try await body(Harness(profile: profile, client: client, store: stores.metrics)) }
        }

        static func temporaryDirectory() -> String { EmbeddedRoutesHarness.temporaryDirectory() }

        /// A whole second a little in the past: every vendor's time resolution and window holds it.
        static func sampleTime() -> Int64 {
            (Int64(Date().timeIntervalSince1970) - 5) * 1000
        }

        static func gzip(_ bytes: [UInt8]) throws -> [UInt8] {
            var buffer = ByteBuffer(bytes: bytes)
            let compressed = try buffer.compress(with: .gzip())
            return Array(compressed.readableBytesView)
        }

        func post(_ body: [UInt8], secret: String? = IntakeConformance.secret, headers extra: HTTPFields = [:]) async throws -> Answer {
            var headers = HTTPFields()
            if let secret { headers[profile.credentialHeader] = profile.credentialValue(secret) }
            if let contentType = profile.contentType { headers[.contentType] = contentType }
            headers.append(contentsOf: extra)
            return try await client.execute(uri: profile.path, method: .post, headers: headers, body: ByteBuffer(bytes: body)) { response in
                Answer(code: Int(response.status.code), body: String(buffer: response.body), retryAfter: response.headers[.retryAfter])
            }
        }

        /// The values of series `name` of the profile's organisation within a minute of `time`.
        func values(_ name: String, around time: Int64) async throws -> [Double] {
            let found = try await store.select(SelectRequest(
                org: profile.org, matchers: [.equal(Labels.metricNameKey, name)], startMillis: time - 60_000, endMillis: time + 60_000))
            return found.flatMap(\.values)
        }
    }

    /// The one token of the checks.
    struct ConformanceTokens: TokenVerifier {
        let org: OrgID
        func verify(secret: String) -> Principal? {
            secret == IntakeConformance.secret ? Principal(org: org, tokenID: "conformance", scopes: [.ingest, .query]) : nil
        }
    }

    /// The real store, except that appends fail as the engine fails them on a full disk.
    struct DiskFullStore: MetricStore {
        let base: any MetricStore
        static let error = StorageError(
            kind: .unavailable, message: "disk full: write wal/00000001: No space left on device (errno 28); retry later",
            retryAfterSeconds: 5)

        func append(_ batch: MetricBatch, org: OrgID) async throws { throw Self.error }
        func select(_ request: SelectRequest) async throws -> [SeriesSamples] { try await base.select(request) }
        func selectWindows(_ request: WindowSelectRequest) async throws -> [SeriesWindows] { try await base.selectWindows(request) }
        func series(org: OrgID, matcherSets: [[LabelMatcher]], startMillis: Int64, endMillis: Int64) async throws -> [Labels] {
            try await base.series(org: org, matcherSets: matcherSets, startMillis: startMillis, endMillis: endMillis)
        }
        func labelNames(org: OrgID, matcherSets: [[LabelMatcher]], startMillis: Int64, endMillis: Int64) async throws -> [String] {
            try await base.labelNames(org: org, matcherSets: matcherSets, startMillis: startMillis, endMillis: endMillis)
        }
        func labelValues(org: OrgID, name: String, matcherSets: [[LabelMatcher]], startMillis: Int64, endMillis: Int64) async throws -> [String] {
            try await base.labelValues(org: org, name: name, matcherSets: matcherSets, startMillis: startMillis, endMillis: endMillis)
        }
        func deleteSeries(org: OrgID, matchers: [LabelMatcher], startMillis: Int64, endMillis: Int64) async throws { throw Self.error }
        func metricKinds(org: OrgID, metricName: String?) async throws -> [String: MetricKind] {
            try await base.metricKinds(org: org, metricName: metricName)
        }
        func metricMetadata(org: OrgID, metricName: String?) async throws -> [String: MetricMetadata] {
            try await base.metricMetadata(org: org, metricName: metricName)
        }
        func updateMetricMetadata(org: OrgID, metricName: String, _ metadata: MetricMetadata) async throws { throw Self.error }
        func updateMetricMetadata(org: OrgID, _ updates: [String: MetricMetadata]) async throws { throw Self.error }
        func stats() async -> StoreStats { await base.stats() }
    }
}
