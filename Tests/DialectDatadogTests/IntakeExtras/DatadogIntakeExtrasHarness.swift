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

@testable import DialectDatadog

/// Keys: `ingest-key` (org `acme`, ingest), `read-key` (`acme`, query), `both-key` (`acme`,
/// ingest and query), `other-key` (org `other`, ingest and query).
struct DatadogIntakeExtrasTokens: TokenVerifier {
    func verify(secret: String) -> Principal? {
        switch secret {
        case "ingest-key": Principal(org: OrgID("acme"), tokenID: "i", scopes: [.ingest])
        case "read-key": Principal(org: OrgID("acme"), tokenID: "r", scopes: [.query])
        case "both-key": Principal(org: OrgID("acme"), tokenID: "b", scopes: [.ingest, .query])
        case "other-key": Principal(org: OrgID("other"), tokenID: "o", scopes: [.ingest, .query])
        default: nil
        }
    }
}

/// The Datadog routes on a router over the real embedded metric and record stores in a
/// temporary directory (pattern of `BluefloodRouteHarness`).
enum DatadogIntakeExtrasHarness {
    struct Stores: Sendable {
        let metrics: any MetricStore
        let records: any RecordStore
    }

    static func withApp(_ body: @Sendable (any TestClientProtocol, Stores) async throws -> Void) async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("basin-dd-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        let logger = Logger(label: "test")
        let metrics = try await EmbeddedMetricStore.open(directory: root + "/metrics", logger: logger)
        let records = try await EmbeddedRecordStore.open(directory: root + "/records", logger: logger)
        let environment = DialectEnvironment(
            store: metrics, tokens: DatadogIntakeExtrasTokens(), limits: HTTPLimits(), selfMetrics: SelfMetrics(), logger: logger)
        let router = Router(context: BasinRequestContext.self)
        DatadogRoutes(environment: environment, records: records).register(on: router)
        let app = Application(router: router)
        do {
            try await app.test(.router) { client in try await body(client, Stores(metrics: metrics, records: records)) }
        } catch {
            try? await metrics.close()
            try? await records.close()
            throw error
        }
        try await metrics.close()
        try await records.close()
    }

    static func headers(apiKey: String? = "both-key", appKey: String? = nil, contentType: String? = "application/json") -> HTTPFields {
        var fields = HTTPFields()
        if let apiKey { fields[HTTPField.Name("DD-API-KEY")!] = apiKey }
        if let appKey { fields[HTTPField.Name("DD-APPLICATION-KEY")!] = appKey }
        if let contentType { fields[.contentType] = contentType }
        return fields
    }

    static func post(_ client: any TestClientProtocol, _ path: String, _ body: String, apiKey: String? = "both-key", contentType: String? = "application/json") async throws -> TestResponse {
        try await client.execute(uri: path, method: .post, headers: headers(apiKey: apiKey, contentType: contentType), body: ByteBuffer(string: body))
    }

    static func get(_ client: any TestClientProtocol, _ path: String, apiKey: String? = "both-key", appKey: String? = nil) async throws -> TestResponse {
        try await client.execute(uri: path, method: .get, headers: headers(apiKey: apiKey, appKey: appKey, contentType: nil), body: nil)
    }

    static func text(_ response: TestResponse) -> String { String(buffer: response.body) }

    static func json(_ response: TestResponse) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(response.body.readableBytesView))) as? [String: Any] ?? [:]
    }

    static func nowSeconds() -> Int64 { Int64(Date().timeIntervalSince1970) }

    /// Every record of a dataset of `acme` (newest first).
    static func records(_ stores: Stores, _ dataset: String, org: String = "acme") async throws -> [Record] {
        let result = try await stores.records.scan(RecordQuery(
            org: OrgID(org), dataset: dataset, startNanos: Int64.min, endNanos: Int64.max, stages: []))
        guard case .records(let found) = result.output else { return [] }
        return found
    }
}
