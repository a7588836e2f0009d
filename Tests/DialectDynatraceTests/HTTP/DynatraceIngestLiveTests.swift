import BasinHTTP
import BasinModel
import BasinTestKit
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import StorageAPI
import StorageEngine
import Testing

@testable import BasinServer

/// Lines posted to the real router on a loopback port, read back through the Prometheus API.
@Suite("Dynatrace ingest, live on loopback")
struct DynatraceIngestLiveTests {
    static func withServer(_ body: @Sendable (any TestClientProtocol, String, TokenStore) async throws -> Void) async throws {
        let directory = NSTemporaryDirectory() + "basin-dt-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let tokens = try TokenStore(directory: directory)
        let admin = try #require(try tokens.bootstrapIfEmpty())
        let registry = MetricsBootstrap.registry
        let environment = DialectEnvironment(
            store: InMemoryMetricStore(), tokens: tokens, limits: HTTPLimits(), selfMetrics: SelfMetrics(), logger: Logger(label: "test"))
        let recordsDirectory = NSTemporaryDirectory() + "basin-records-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: recordsDirectory) }
        let records = try await EmbeddedRecordStore.open(directory: recordsDirectory, logger: Logger(label: "test"))
        defer { Task { try await records.close() } }
        let router = ServerApplication.makeRouter(
            environment: environment, records: records, tokens: tokens, registry: registry, lifecycle: ServerLifecycle(registry: registry))
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await app.test(.live) { client in try await body(client, admin, tokens) }
    }

    /// `[(labels, value)]` of an instant query at `timeMillis`.
    static func query(_ client: any TestClientProtocol, token: String, _ promql: String, timeMillis: Int64) async throws -> [([String: String], String)] {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        let encoded = promql.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
        let time = String(format: "%.3f", Double(timeMillis) / 1000)
        return try await client.execute(
            uri: "/prometheus/api/v1/query?query=\(encoded)&time=\(time)", method: .get, headers: [.authorization: "Bearer \(token)"]
        ) { response in
            #expect(response.status == .ok)
            let json = try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any]
            let result = (json?["data"] as? [String: Any])?["result"] as? [[String: Any]] ?? []
            return result.map { ($0["metric"] as? [String: String] ?? [:], (($0["value"] as? [Any])?[1] as? String) ?? "") }
        }
    }

    @Test("gauge, count and summary lines are read back through PromQL, summary statistics included")
    func roundTrip() async throws {
        try await Self.withServer { client, admin, tokens in
            let ingest = try tokens.create(org: "default", scopes: [.ingest], name: "dt").secret
            let ts = Int64(Date().timeIntervalSince1970 * 1000) / 1000 * 1000 - 5_000
            let body = """
            live.cpu,host=web-1,dt.metrics.source=test gauge,55.5 \(ts)
            live.requests,region=EAST count,delta=50 \(ts)
            live.latency,route=/a\\ b gauge,min=1,max=9,sum=20,count=4 \(ts)
            #live.latency gauge dt.meta.unit=ms
            """
            try await client.execute(
                uri: "/api/v2/metrics/ingest", method: .post,
                headers: [.authorization: "Api-Token \(ingest)", .contentType: "text/plain; charset=utf-8"],
                body: ByteBuffer(string: body)
            ) { response in
                #expect(response.status == .accepted)
                #expect(String(buffer: response.body) == #"{"linesOk":4,"linesInvalid":0,"error":null,"warnings":{"message":"First 1 warnings reported","warningLines":[{"line":2,"warning":"metric key 'live.requests' changed to 'live.requests.count'"}]}}"#)
            }
            let cpu = try await Self.query(client, token: admin, #"{"live.cpu"}"#, timeMillis: ts)
            #expect(cpu.map(\.0) == [["__name__": "live.cpu", "host": "web-1", "dt.metrics.source": "test"]])
            #expect(cpu.map(\.1) == ["55.5"])
            #expect(try await Self.query(client, token: admin, #"{"live.requests.count", region="EAST"}"#, timeMillis: ts).map(\.1) == ["50"])
            for (name, value) in [("live.latency", "5"), ("live.latency:min", "1"), ("live.latency:max", "9"),
                                  ("live.latency:sum", "20"), ("live.latency:count", "4")] {
                let found = try await Self.query(client, token: admin, #"{"\#(name)", route="/a b"}"#, timeMillis: ts)
                #expect(found.map(\.1) == [value], "\(name)")
            }
            let ratio = try await Self.query(client, token: admin, #"sum({"live.latency:sum"}) / sum({"live.latency:count"})"#, timeMillis: ts)
            #expect(ratio.map(\.1) == ["5"])
        }
    }

    @Test("7.2 #45 an unknown path answers 404; 7.1 #21 the token-less OneAgent path is deliberately not served; a missing token is 401")
    func notFoundAndUnauthorized() async throws {
        try await Self.withServer { client, _, _ in
            try await client.execute(uri: "/api/v2/metrics/ingestt", method: .post, body: ByteBuffer(string: "a.b 1")) { response in
                #expect(response.status == .notFound)
            }
            try await client.execute(uri: "/metrics/ingest", method: .post, body: ByteBuffer(string: "a.b 1")) { response in
                #expect(response.status == .notFound)
            }
            try await client.execute(uri: "/e/env1/api/v2/metrics/ingest", method: .post, body: ByteBuffer(string: "a.b 1")) { response in
                #expect(response.status == .unauthorized)
                #expect(String(buffer: response.body) == #"{"error":{"code":401,"message":"Token Authentication failed"}}"#)
            }
        }
    }
}
