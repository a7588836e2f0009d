import BasinHTTP
import BasinModel
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import StorageAPI
import StorageEngine

@testable import DialectSignalFx

/// Tokens: `sfx` (org `acme`, ingest), `reader` (`acme`, query only).
struct SignalFxTestTokens: TokenVerifier {
    func verify(secret: String) -> Principal? {
        switch secret {
        case "sfx": Principal(org: OrgID("acme"), tokenID: "sfx", scopes: [.ingest])
        case "reader": Principal(org: OrgID("acme"), tokenID: "reader", scopes: [.query])
        default: nil
        }
    }
}

/// The SignalFx routes on a router over the real embedded stores in a temporary directory.
enum SignalFxRouteHarness {
    static let org = OrgID("acme")

    static func withApp(
        limits: HTTPLimits = HTTPLimits(),
        _ body: @Sendable (any TestClientProtocol, any MetricStore, any RecordStore) async throws -> Void
    ) async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("basin-sfx-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        let logger = Logger(label: "test")
        let metrics = try await EmbeddedMetricStore.open(directory: root + "/metrics", logger: logger)
        let records = try await EmbeddedRecordStore.open(directory: root + "/records", logger: logger)
        let environment = DialectEnvironment(
            store: metrics, tokens: SignalFxTestTokens(), limits: limits, selfMetrics: SelfMetrics(), logger: logger)
        let router = Router(context: BasinRequestContext.self)
        SignalFxRoutes(environment: environment, records: records).register(on: router)
        let app = Application(router: router)
        do {
            try await app.test(.router) { client in try await body(client, metrics, records) }
        } catch {
            try? await metrics.close()
            try? await records.close()
            throw error
        }
        try await metrics.close()
        try await records.close()
    }

    static func headers(token: String? = "sfx", tokenHeader: String = "X-SF-Token", contentType: String? = "application/json", encoding: String? = nil) -> HTTPFields {
        var fields = HTTPFields()
        if let token { fields[HTTPField.Name(tokenHeader)!] = token }
        if let contentType { fields[.contentType] = contentType }
        if let encoding { fields[.contentEncoding] = encoding }
        return fields
    }

    static func body(_ response: TestResponse) -> String {
        String(buffer: response.body)
    }

    /// Every stored series of the org, rendered `kind labels [t=v ...]`, sorted.
    static func stored(_ store: any MetricStore) async throws -> [String] {
        let series = try await store.select(SelectRequest(
            org: org, matchers: [try LabelMatcher(name: "__name__", op: .regexMatch, value: ".+")], startMillis: 0, endMillis: .max))
        return series.map { s in
            "\(s.kind.name) \(s.labels) " + zip(s.timestampsMillis, s.values).map { "\($0)=\($1)" }.joined(separator: ",")
        }.sorted()
    }

    /// Every record of `_events` of the org, oldest first.
    static func events(_ records: any RecordStore) async throws -> [Record] {
        let result = try await records.scan(RecordQuery(
            org: org, dataset: ReservedDataset.events.rawValue, startNanos: 0, endNanos: .max, stages: []))
        guard case .records(let found) = result.output else { return [] }
        return found.reversed()
    }
}
