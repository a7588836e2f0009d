import BasinHTTP
import BasinModel
import BasinTestKit
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import StorageAPI
import StorageEngine
import Testing

@testable import BasinServer

/// The Prometheus API as Grafana calls it, served on a loopback port over an in-memory store.
@Suite("Prometheus API, live on loopback")
struct PrometheusAPILiveTests {
    static let base: Int64 = 1_700_000_000_000

    static func withServer(_ body: @Sendable (any TestClientProtocol, String, TokenStore) async throws -> Void) async throws {
        let directory = NSTemporaryDirectory() + "basin-prom-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let tokens = try TokenStore(directory: directory)
        let admin = try #require(try tokens.bootstrapIfEmpty())
        let store = InMemoryMetricStore()
        var batch = MetricBatch()
        for host in ["a", "b"] {
            let slot = batch.beginSeries(
                Labels(metricName: "system.cpu.user", [(name: "host", value: host), (name: "env", value: "prod")]), kind: .gauge)
            for i in 0..<10 {
                batch.append(seriesSlot: slot, timestampMillis: base + Int64(i) * 60_000, value: Double(i) * (host == "a" ? 1 : 2))
            }
        }
        try await store.append(batch, org: .default)
        let registry = MetricsBootstrap.registry
        let environment = DialectEnvironment(
            store: store, tokens: tokens, limits: HTTPLimits(), selfMetrics: SelfMetrics(), logger: Logger(label: "test"))
        let recordsDirectory = NSTemporaryDirectory() + "basin-records-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: recordsDirectory) }
        let records = try await EmbeddedRecordStore.open(directory: recordsDirectory, logger: Logger(label: "test"))
        defer { Task { try await records.close() } }
        let router = ServerApplication.makeRouter(
            environment: environment, records: records, tokens: tokens, registry: registry, lifecycle: ServerLifecycle(registry: registry))
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await app.test(.live) { client in try await body(client, admin, tokens) }
    }

    static func json(_ response: TestResponse) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any] ?? [:]
    }

    @Test("A form-encoded POST query_range with basic auth answers a matrix")
    func postFormWithBasicAuth() async throws {
        try await Self.withServer { client, admin, _ in
            let basic = Data("grafana:\(admin)".utf8).base64EncodedString()
            let form = "query=sum+by+(env)+(%7B%22system.cpu.user%22%7D)&start=\(Self.base / 1000)&end=\(Self.base / 1000 + 540)&step=60"
            try await client.execute(
                uri: "/prometheus/api/v1/query_range", method: .post,
                headers: [.authorization: "Basic \(basic)", .contentType: "application/x-www-form-urlencoded"],
                body: ByteBuffer(string: form)
            ) { response in
                #expect(response.status == .ok)
                let body = try Self.json(response)
                #expect(body["status"] as? String == "success")
                let data = body["data"] as? [String: Any]
                #expect(data?["resultType"] as? String == "matrix")
                let series = (data?["result"] as? [[String: Any]])?.first
                #expect(series?["metric"] as? [String: String] == ["env": "prod"])
                let values = (series?["values"] as? [[Any]] ?? []).compactMap { $0[1] as? String }
                #expect(values == (0..<10).map { String($0 * 3) })
            }
        }
    }

    @Test("Series, labels and label values list what was stored")
    func metadataEndpoints() async throws {
        try await Self.withServer { client, admin, _ in
            let auth: HTTPFields = [.authorization: "Bearer \(admin)"]
            let range = "start=\(Self.base / 1000)&end=\(Self.base / 1000 + 600)"
            try await client.execute(uri: "/prometheus/api/v1/labels?\(range)", method: .get, headers: auth) { response in
                let body = try Self.json(response)
                #expect(body["data"] as? [String] == ["__name__", "env", "host"])
            }
            try await client.execute(uri: "/prometheus/api/v1/label/host/values?\(range)", method: .get, headers: auth) { response in
                let body = try Self.json(response)
                #expect(body["data"] as? [String] == ["a", "b"])
            }
            let match = "match%5B%5D=%7Bhost%3D%22a%22%7D"
            try await client.execute(uri: "/prometheus/api/v1/series?\(match)&\(range)", method: .get, headers: auth) { response in
                let body = try Self.json(response)
                let series = body["data"] as? [[String: String]]
                #expect(series == [["__name__": "system.cpu.user", "env": "prod", "host": "a"]])
            }
            try await client.execute(uri: "/prometheus/api/v1/status/buildinfo", method: .get, headers: auth) { response in
                #expect(response.status == .ok)
                let body = try Self.json(response)
                #expect((body["data"] as? [String: Any])?["version"] as? String == "2.53.0")
            }
        }
    }

    @Test("Errors use Prometheus' envelope: bad_data with a position, 401 without a token, 403 without the scope")
    func errors() async throws {
        try await Self.withServer { client, admin, tokens in
            try await client.execute(
                uri: "/prometheus/api/v1/query?query=sum(", method: .get, headers: [.authorization: "Bearer \(admin)"]
            ) { response in
                #expect(response.status == .badRequest)
                let body = try Self.json(response)
                #expect(body["status"] as? String == "error")
                #expect(body["errorType"] as? String == "bad_data")
                #expect((body["error"] as? String)?.contains("parse error") == true)
            }
            try await client.execute(uri: "/prometheus/api/v1/query?query=1", method: .get) { response in
                #expect(response.status == .unauthorized)
                let body = try Self.json(response)
                #expect(body["status"] as? String == "error")
            }
            let (_, ingestOnly) = try tokens.create(org: "default", scopes: [.ingest], name: "")
            try await client.execute(
                uri: "/prometheus/api/v1/query?query=1", method: .get, headers: [.authorization: "Bearer \(ingestOnly)"]
            ) { response in
                #expect(response.status == .forbidden)
            }
            let tooFine = "query=1&start=0&end=100000&step=1"
            try await client.execute(
                uri: "/prometheus/api/v1/query_range?\(tooFine)", method: .get, headers: [.authorization: "Bearer \(admin)"]
            ) { response in
                #expect(response.status == .badRequest)
                let body = try Self.json(response)
                #expect((body["error"] as? String)?.contains("11,000 points") == true)
            }
        }
    }
}

@Suite("Prometheus admin API, live on loopback")
struct PrometheusAdminLiveTests {
    @Test("delete_series with an admin token answers 204 and the samples are gone; a query token gets 403")
    func deleteSeries() async throws {
        try await PrometheusAPILiveTests.withServer { client, admin, tokens in
            let query = try tokens.create(org: "default", scopes: [.query], name: "reader").secret
            let start = PrometheusAPILiveTests.base / 1000
            let path = "/prometheus/api/v1/admin/tsdb/delete_series?match[]=%7Bhost%3D%22a%22%7D&start=\(start)&end=\(start + 240)"
            try await client.execute(uri: path, method: .post, headers: [.authorization: "Bearer \(query)"]) { response in
                #expect(response.status == .forbidden)
                let body = try PrometheusAPILiveTests.json(response)
                #expect(body["error"] as? String == "token lacks the admin scope")
            }
            try await client.execute(uri: path, method: .post, headers: [.authorization: "Bearer \(admin)"]) { response in
                #expect(response.status == .noContent)
                #expect(response.body.readableBytes == 0)
            }
            try await client.execute(
                uri: "/prometheus/api/v1/admin/tsdb/delete_series", method: .put, headers: [.authorization: "Bearer \(admin)"]
            ) { response in
                #expect(response.status == .badRequest)
                let body = try PrometheusAPILiveTests.json(response)
                #expect(body["errorType"] as? String == "bad_data")
            }
            let q = "query=%7Bhost%3D%22a%22%7D%5B1h%5D&time=\(start + 540)"
            try await client.execute(
                uri: "/prometheus/api/v1/query", method: .post,
                headers: [.authorization: "Bearer \(admin)", .contentType: "application/x-www-form-urlencoded"],
                body: ByteBuffer(string: q)
            ) { response in
                let data = try PrometheusAPILiveTests.json(response)["data"] as? [String: Any]
                let values = ((data?["result"] as? [[String: Any]])?.first?["values"] as? [[Any]]) ?? []
                #expect(values.compactMap { $0[0] as? Double }.map { Int64($0) } == (5..<10).map { start + Int64($0) * 60 })
            }
        }
    }
}
