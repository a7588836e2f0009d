import BasinHTTP
import BasinModel
import BasinTestKit
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import StorageEngine
import Testing

@testable import BasinServer

/// The assembled router served on a real loopback port (Hummingbird's live test framework),
/// over an in-memory store, with a token file in a temporary directory.
@Suite("Server routes, live on loopback")
struct ServerRoutesTests {
    struct Fixture {
        let application: Application<RouterResponder<BasinRequestContext>>
        let admin: String
        let directory: String
    }

    static func withServer(_ body: @Sendable (any TestClientProtocol, String, TokenStore) async throws -> Void) async throws {
        let directory = NSTemporaryDirectory() + "basin-routes-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let tokens = try TokenStore(directory: directory)
        let admin = try #require(try tokens.bootstrapIfEmpty())
        let registry = MetricsBootstrap.registry
        let environment = DialectEnvironment(
            store: InMemoryMetricStore(), tokens: tokens, limits: HTTPLimits(), selfMetrics: SelfMetrics(),
            logger: Logger(label: "test"))
        let recordsDirectory = NSTemporaryDirectory() + "basin-records-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: recordsDirectory) }
        let records = try await EmbeddedRecordStore.open(directory: recordsDirectory, logger: Logger(label: "test"))
        defer { Task { try await records.close() } }
        let router = ServerApplication.makeRouter(
            environment: environment, records: records, tokens: tokens, registry: registry, lifecycle: ServerLifecycle(registry: registry))
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await app.test(.live) { client in
            try await body(client, admin, tokens)
        }
    }

    @Test("Health, readiness, the UI page and /metrics answer without credentials")
    func unauthenticatedSurfaces() async throws {
        try await Self.withServer { client, _, _ in
            try await client.execute(uri: "/healthz", method: .get) { #expect($0.status == .ok) }
            try await client.execute(uri: "/readyz", method: .get) { #expect($0.status == .ok) }
            try await client.execute(uri: "/", method: .get) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body).contains("<title>Basin</title>"))
            }
            try await client.execute(uri: "/metrics", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType]?.hasPrefix("text/plain") == true)
                #expect(String(buffer: response.body).contains("basin_store_head_series"))
            }
        }
    }

    @Test("Admin endpoints create, list and revoke tokens and need the admin scope")
    func adminTokens() async throws {
        try await Self.withServer { client, admin, tokens in
            let auth: HTTPFields = [.authorization: "Bearer \(admin)"]
            let created = try await client.execute(
                uri: "/api/basin/v1/tokens", method: .post, headers: auth,
                body: ByteBuffer(string: #"{"scopes": ["ingest"], "name": "ci", "org": "team"}"#)
            ) { response -> [String: Any] in
                #expect(response.status == .created)
                return try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any] ?? [:]
            }
            let secret = try #require(created["token"] as? String)
            let id = try #require(created["id"] as? String)
            #expect(tokens.verify(secret: secret)?.org == OrgID("team"))

            try await client.execute(uri: "/api/basin/v1/tokens", method: .get, headers: auth) { response in
                #expect(response.status == .ok)
                let text = String(buffer: response.body)
                #expect(text.contains(id))
                #expect(!text.contains(secret))
            }
            // An ingest-only token may not manage tokens.
            try await client.execute(uri: "/api/basin/v1/tokens", method: .get, headers: [.authorization: "Bearer \(secret)"]) {
                #expect($0.status == .forbidden)
            }
            try await client.execute(uri: "/api/basin/v1/tokens", method: .get) { #expect($0.status == .unauthorized) }
            try await client.execute(
                uri: "/api/basin/v1/tokens", method: .post, headers: auth, body: ByteBuffer(string: #"{"scopes": ["root"]}"#)
            ) { #expect($0.status == .badRequest) }
            try await client.execute(uri: "/api/basin/v1/tokens/\(id)", method: .delete, headers: auth) {
                #expect($0.status == .noContent)
            }
            try await client.execute(uri: "/api/basin/v1/tokens/\(id)", method: .delete, headers: auth) {
                #expect($0.status == .notFound)
            }
        }
    }

    @Test("A Datadog series written over HTTP is read back through the Prometheus API")
    func datadogToPrometheus() async throws {
        try await Self.withServer { client, admin, _ in
            let now = Int(Date().timeIntervalSince1970) / 10 * 10
            let body = #"{"series":[{"metric":"system.load.1","points":[[\#(now - 10),0.5],[\#(now),1.25]],"host":"web-1","tags":["env:prod"],"type":"gauge"}]}"#
            try await client.execute(
                uri: "/api/v1/series", method: .post,
                headers: [HTTPField.Name("DD-API-KEY")!: admin, .contentType: "application/json"],
                body: ByteBuffer(string: body)
            ) { response in
                #expect(response.status == .accepted)
                #expect(String(buffer: response.body).replacingOccurrences(of: " ", with: "") == #"{"status":"ok"}"#)
            }
            let query = #"{"system.load.1",env="prod"}"#.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
            try await client.execute(
                uri: "/prometheus/api/v1/query_range?query=\(query)&start=\(now - 10)&end=\(now)&step=10",
                method: .get, headers: [.authorization: "Bearer \(admin)"]
            ) { response in
                #expect(response.status == .ok)
                let json = try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any]
                let data = json?["data"] as? [String: Any]
                let result = data?["result"] as? [[String: Any]] ?? []
                #expect(result.count == 1)
                let values = (result.first?["values"] as? [[Any]] ?? []).map { $0[1] as? String }
                #expect(values == ["0.5", "1.25"])
                let metric = result.first?["metric"] as? [String: String]
                #expect(metric?["host"] == "web-1")
            }
        }
    }
}
