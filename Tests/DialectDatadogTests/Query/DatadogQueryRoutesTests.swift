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
import Testing

@testable import DialectDatadog

@Suite("DatadogQuery routes")
struct DatadogQueryRoutesTests {
    static func withApp(
        rateLimits: DatadogQueryRateLimits = DatadogQueryRateLimits(),
        _ body: @Sendable (any TestClientProtocol) async throws -> Void
    ) async throws {
        let store = InMemoryMetricStore()
        var batch = MetricBatch()
        for (t, v) in [(0, 1.5), (20, 2.5)] {
            batch.append(Labels(metricName: "a.b", [("host", "h1")]), kind: .gauge, timestampMillis: Int64(t) * 1000, value: v)
        }
        try await store.append(batch, org: OrgID("acme"))
        let routes = DatadogRoutes(environment: DialectEnvironment(
            store: store, tokens: FixedTokens(), limits: HTTPLimits(), selfMetrics: SelfMetrics(), logger: Logger(label: "test")))
        let router = Router(context: BasinRequestContext.self)
        // A stopped clock: no token comes back during a test, however slow the machine.
        routes.registerQueries(on: router, rateLimits: rateLimits, limiter: DatadogRateLimiter(clock: { 1_700_000_000 }))
        try await Application(router: router).test(.router) { client in try await body(client) }
    }

    static let keys: HTTPFields = [HTTPField.Name("DD-API-KEY")!: "query-key", HTTPField.Name("DD-APPLICATION-KEY")!: "app"]

    static func golden(_ name: String, _ body: String) throws {
        let source = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/Query/Datadog/\(name).expected.json")
        if ProcessInfo.processInfo.environment["BASIN_UPDATE_GOLDEN"] == "1" {
            try FileManager.default.createDirectory(at: source.deletingLastPathComponent(), withIntermediateDirectories: true)
            try body.write(to: source, atomically: true, encoding: .utf8)
            Issue.record("updated \(name).expected.json; rerun without BASIN_UPDATE_GOLDEN")
            return
        }
        let bundled = Bundle.module.resourceURL!.appendingPathComponent("Fixtures/Query/Datadog/\(name).expected.json")
        guard let expected = (try? String(contentsOf: bundled, encoding: .utf8)) ?? (try? String(contentsOf: source, encoding: .utf8)) else {
            Issue.record("missing \(name).expected.json; run with BASIN_UPDATE_GOLDEN=1 to create it")
            return
        }
        #expect(body == expected)
    }

    static let goldenCases: [(String, String)] = [
        ("query-ungrouped", "/api/v1/query?from=0&to=3600&query=a.b%7B*%7D"),
        ("query-grouped", "/api/v1/query?from=0&to=3600&query=sum:a.b%7B*%7D+by+%7Bhost%7D"),
        ("query-arithmetic", "/api/v1/query?from=0&to=3600&query=a.b%7B*%7D+*+2,1"),
        ("metrics-list", "/api/v1/metrics?from=0"),
        ("metadata", "/api/v1/metrics/a.b"),
        ("search", "/api/v1/search?q=metrics:A."),
    ]

    @Test("answers in Datadog's shapes (golden files)", arguments: goldenCases)
    func goldenResponses(_ name: String, _ path: String) async throws {
        try await Self.withApp { client in
            try await client.execute(uri: path, method: .get, headers: Self.keys) { response in
                #expect(response.status == .ok)
                try Self.golden(name, String(buffer: response.body))
            }
        }
    }

    static let failures: [(String, HTTPFields, Int, String)] = [
        ("/api/v1/query?from=0&to=60&query=a%7B", keys, 400, #"{"errors": ["Error parsing query: unexpected end of query at position 2"]}"#),
        ("/api/v1/query?to=60&query=a%7B*%7D", keys, 400, #"{"errors": ["missing required parameter 'from'"]}"#),
        ("/api/v1/query?from=60&to=0&query=a%7B*%7D", keys, 400, #"{"errors": ["'from' must not be after 'to'"]}"#),
        ("/api/v1/query?from=0&to=60&query=a%7B*%7D", [HTTPField.Name("DD-API-KEY")!: "query-key"], 403, #"{"errors": ["Forbidden"]}"#),
        ("/api/v1/query?from=0&to=60&query=a%7B*%7D", [:], 403, #"{"errors": ["API key required"]}"#),
        ("/api/v1/metrics", keys, 400, #"{"errors": ["missing required parameter 'from'"]}"#),
        ("/api/v1/metrics/nope", keys, 404, #"{"errors": ["Metric not found"]}"#),
        ("/api/v1/search", keys, 400, #"{"errors": ["missing required parameter 'q'"]}"#),
    ]

    @Test("rejects bad requests with the error envelope", arguments: failures)
    func rejects(_ path: String, _ headers: HTTPFields, _ status: Int, _ body: String) async throws {
        try await Self.withApp { client in
            try await client.execute(uri: path, method: .get, headers: headers) { response in
                #expect(Int(response.status.code) == status)
                #expect(String(buffer: response.body) == body)
            }
        }
    }

    @Test("PUT merges metadata and GET returns it")
    func metadataRoundTrip() async throws {
        try await Self.withApp { client in
            try await client.execute(uri: "/api/v1/metrics/a.b", method: .put, headers: Self.keys,
                                     body: ByteBuffer(string: #"{"unit":"byte","per_unit":"second","type":"rate"}"#)) { response in
                #expect(String(buffer: response.body) == #"{"description":null,"integration":null,"per_unit":"second","short_name":null,"statsd_interval":null,"type":"rate","unit":"byte"}"#)
            }
            try await client.execute(uri: "/api/v1/metrics/a.b", method: .put, headers: Self.keys,
                                     body: ByteBuffer(string: #"{"unit":"furlong"}"#)) { response in
                #expect(response.status == .badRequest)
            }
            try await client.execute(uri: "/api/v1/query?from=0&to=3600&query=a.b%7B*%7D", method: .get, headers: Self.keys) { response in
                #expect(String(buffer: response.body).contains(#""unit":[{"family":"bytes","name":"byte""#))
            }
        }
    }

    @Test("sends rate-limit headers and answers 429 over the limit (vector 36)")
    func rateLimit() async throws {
        try await Self.withApp(rateLimits: DatadogQueryRateLimits(all: 2, periodSeconds: 60)) { client in
            for remaining in ["1", "0"] {
                try await client.execute(uri: "/api/v1/metrics?from=0", method: .get, headers: Self.keys) { response in
                    #expect(response.status == .ok)
                    #expect(response.headers[HTTPField.Name("X-RateLimit-Remaining")!] == remaining)
                    #expect(response.headers[HTTPField.Name("X-RateLimit-Limit")!] == "2")
                    #expect(response.headers[HTTPField.Name("X-RateLimit-Period")!] == "60")
                    #expect(response.headers[HTTPField.Name("X-RateLimit-Name")!] == "metrics_list")
                }
            }
            try await client.execute(uri: "/api/v1/metrics?from=0", method: .get, headers: Self.keys) { response in
                #expect(response.status == .tooManyRequests)
                #expect(String(buffer: response.body) == #"{"errors": ["Rate limit exceeded"]}"#)
                // One request comes back every 30 s.
                #expect(response.headers[HTTPField.Name("X-RateLimit-Reset")!] == "30")
            }
        }
    }

    final class ManualClock: @unchecked Sendable {
        var seconds = 1_700_000_000.0
    }

    @Test("the token bucket refills at limit / period per second, per organisation and limit")
    func limiterRefill() {
        let clock = ManualClock()
        let limiter = DatadogRateLimiter(clock: { clock.seconds })
        let limit = DatadogRateLimit(name: "query", limit: 2, periodSeconds: 60)
        let acme = OrgID("acme"), other = OrgID("other")
        #expect(limiter.take(limit, org: acme).remaining == 1)
        #expect(limiter.take(limit, org: acme).remaining == 0)
        var refused = limiter.take(limit, org: acme)
        #expect(!refused.allowed && refused.resetSeconds == 30)
        #expect(limiter.take(limit, org: other).allowed)
        #expect(limiter.take(DatadogRateLimit(name: "metrics_list", limit: 2, periodSeconds: 60), org: acme).allowed)
        clock.seconds += 15
        refused = limiter.take(limit, org: acme)
        #expect(!refused.allowed && refused.resetSeconds == 15)
        clock.seconds += 15
        let allowed = limiter.take(limit, org: acme)
        #expect(allowed.allowed && allowed.remaining == 0 && allowed.resetSeconds == 60)
    }
}
