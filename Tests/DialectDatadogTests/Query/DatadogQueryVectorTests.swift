import BasinHTTP
import BasinModel
import BasinTestKit
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import QueryEngine
import StorageAPI
import Testing

@testable import DialectDatadog

/// Spec §7 test vectors about the query language (15, 24–32, 36) through `GET /api/v1/query`
/// and the evaluator. Vectors 28 and 30 are also in ``DatadogQueryEvaluationTests``; 26 and
/// 27's interval arithmetic in ``DatadogQueryParserTests``.
@Suite("DatadogQuery spec vectors")
struct DatadogQueryVectorTests {
    static let org = OrgID("acme")

    /// Runs `body` against the query routes over `store`.
    static func withApp(
        _ store: InMemoryMetricStore, rateLimits: DatadogQueryRateLimits = DatadogQueryRateLimits(),
        _ body: @Sendable (any TestClientProtocol) async throws -> Void
    ) async throws {
        let routes = DatadogRoutes(environment: DialectEnvironment(
            store: store, tokens: FixedTokens(), limits: HTTPLimits(), selfMetrics: SelfMetrics(), logger: Logger(label: "test")))
        let router = Router(context: BasinRequestContext.self)
        routes.registerQueries(on: router, rateLimits: rateLimits, limiter: DatadogRateLimiter(clock: { 1_700_000_000 }))
        try await Application(router: router).test(.router) { client in try await body(client) }
    }

    /// `GET path` with query keys ⇒ the decoded JSON object (status must be 200).
    static func get(_ store: InMemoryMetricStore, _ path: String) async throws -> [String: Any] {
        let box = JSONBox()
        try await withApp(store) { client in
            try await client.execute(uri: path, method: .get, headers: DatadogQueryRoutesTests.keys) { response in
                #expect(response.status == .ok, "\(String(buffer: response.body))")
                box.object = try JSONSerialization.jsonObject(with: Data(String(buffer: response.body).utf8)) as? [String: Any] ?? [:]
            }
        }
        return box.object
    }

    final class JSONBox: @unchecked Sendable {
        var object: [String: Any] = [:]
    }

    static func series(_ response: [String: Any]) -> [[String: Any]] {
        response["series"] as? [[String: Any]] ?? []
    }

    static func query(_ text: String, from: Int64, to: Int64) -> String {
        let encoded = text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? text
        return "/api/v1/query?from=\(from)&to=\(to)&query=\(encoded)"
    }

    static func int(_ any: Any?) -> Int64? { (any as? NSNumber)?.int64Value }

    @Test("vector 24: one day ungrouped answers 288 five-minute points from ceil(from/300)·300")
    func vector24() async throws {
        let from: Int64 = 1_641_343_852, to: Int64 = 1_641_430_252
        let store = try await DatadogQueryEvaluationTests.store([
            ("system.cpu.idle", [("host", "a")], .gauge, stride(from: from, through: to, by: 7).map { ($0, 90 + Double($0 % 5)) }),
        ])
        let r = try await Self.get(store, "/api/v1/query?from=1641343852&to=1641430252&query=system.cpu.idle%7B%2A%7D")
        #expect(r["status"] as? String == "ok")
        #expect(r["res_type"] as? String == "time_series")
        #expect(r["query"] as? String == "system.cpu.idle{*}")
        #expect(Self.int(r["from_date"]) == 1_641_343_852_000)
        #expect(Self.int(r["to_date"]) == 1_641_430_252_000)
        #expect((r["group_by"] as? [String]) == [])
        #expect(r["message"] as? String == "")
        let all = Self.series(r)
        #expect(all.count == 1)
        let s = try #require(all.first)
        #expect(Self.int(s["interval"]) == 300)
        #expect(Self.int(s["length"]) == 288)
        #expect(Self.int(s["start"]) == 1_641_344_100_000)
        #expect(Self.int(s["end"]) == 1_641_430_499_000)
        #expect(s["aggr"] is NSNull)
        #expect(s["scope"] as? String == "*")
        #expect((s["tag_set"] as? [String]) == [])
        #expect(s["expression"] as? String == "system.cpu.idle{*}")
        let times = (s["pointlist"] as? [[Any]] ?? []).compactMap { Self.int($0.first) }
        #expect(times.count == 288)
        #expect(times.first == 1_641_344_100_000)
        #expect(zip(times, times.dropFirst()).allSatisfy { $1 - $0 == 300_000 })
    }

    @Test("vector 25: grouped by host names the host in scope and expression")
    func vector25() async throws {
        let to: Int64 = 1_700_000_000, from = to - 172_800
        let store = try await DatadogQueryEvaluationTests.store([
            ("system.cpu.idle", [("host", "vagrant-ubuntu-trusty-64")], .gauge,
             stride(from: from, through: to, by: 60).map { ($0, 98.5) }),
        ])
        let r = try await Self.get(store, Self.query("system.cpu.idle{*}by{host}", from: from, to: to))
        #expect((r["group_by"] as? [String]) == ["host"])
        let s = try #require(Self.series(r).first)
        #expect(Self.int(s["interval"]) == 600)
        #expect(s["scope"] as? String == "host:vagrant-ubuntu-trusty-64")
        #expect(s["expression"] as? String == "system.cpu.idle{host:vagrant-ubuntu-trusty-64}")
        #expect((s["tag_set"] as? [String]) == ["host:vagrant-ubuntu-trusty-64"])
        let start = try #require(Self.int(s["start"])), length = try #require(Self.int(s["length"]))
        #expect(length == 288)
        #expect(Self.int(s["end"]) == start + length * 600 * 1000 - 1000)
    }

    @Test("vector 26: the series interval follows the range", arguments: [
        (Int64(3600), Int64(20)), (14_400, 60), (86_400, 300), (172_800, 600), (604_800, 3600), (2_592_000, 14_400),
    ])
    func vector26(_ range: Int64, _ interval: Int64) async throws {
        let from: Int64 = 1_700_000_000
        let store = try await DatadogQueryEvaluationTests.store([
            ("m", [], .gauge, stride(from: from, through: from + range, by: 1800).map { ($0, 1) }),
        ])
        let r = try await Self.get(store, Self.query("m{*}", from: from, to: from + range))
        #expect(Self.int(Self.series(r).first?["interval"]) == interval)
    }

    @Test("vector 27: .rollup(sum,3600) sums each hour per source, then averages sources; a small rollup is raised to 1500 points")
    func vector27() async throws {
        let from: Int64 = 1_700_000_000, to = from + 86_400
        let points = stride(from: from - 3600, through: to + 3600, by: 600)
        let store = try await DatadogQueryEvaluationTests.store([
            ("m", [("host", "a")], .gauge, points.map { ($0, 1) }),
            ("m", [("host", "b")], .gauge, points.map { ($0, 2) }),
        ])
        var r = try await Self.get(store, Self.query("avg:m{*}.rollup(sum,3600)", from: from, to: to))
        var s = try #require(Self.series(r).first)
        #expect(Self.int(s["interval"]) == 3600)
        #expect((24...25).contains(Self.int(s["length"]) ?? 0))
        // Six points per hour: 6 and 12, averaged.
        let values = (s["pointlist"] as? [[Any]] ?? []).compactMap { ($0.last as? NSNumber)?.doubleValue }
        #expect(values.count == Int(Self.int(s["length"]) ?? 0))
        #expect(values.allSatisfy { $0 == 9 })
        #expect(s["expression"] as? String == "avg:m{*}.rollup(sum,3600)")

        r = try await Self.get(store, Self.query("avg:m{*}.rollup(avg,20)", from: from, to: from + 2_592_000))
        s = try #require(Self.series(r).first)
        #expect(Self.int(s["interval"]) == 1800)
    }

    @Test("vector 28: as_rate / as_count per metric type")
    func vector28() async throws {
        let store = try await DatadogQueryEvaluationTests.store([
            ("c", [], .count, [(0, 1), (20, 1), (40, 1), (60, 1)]),
            ("r", [], .rate, [(0, 0.05), (20, 0.05), (40, 0.05), (60, 0.05)]),
            ("g", [], .gauge, [(0, 2), (20, 2), (40, 2), (60, 2)]),
        ])
        try await store.updateMetricMetadata(org: Self.org, metricName: "r", MetricMetadata(intervalSeconds: 20))
        func values(_ q: String) async throws -> [Double] {
            let r = try await Self.get(store, Self.query(q, from: 0, to: 3600))
            return (Self.series(r).first?["pointlist"] as? [[Any]] ?? []).compactMap { ($0.last as? NSNumber)?.doubleValue }
        }
        #expect(try await values("sum:c{*}.as_rate()") == [0.05, 0.05, 0.05, 0.05])
        #expect(try await values("sum:c{*}.as_count()") == [1, 1, 1, 1])
        #expect(try await values("sum:r{*}.as_count()") == [1, 1, 1, 1])
        #expect(try await values("sum:r{*}.as_rate()") == [0.05, 0.05, 0.05, 0.05])
        #expect(try await values("sum:g{*}.as_count()") == [2, 2, 2, 2])
        #expect(try await values("sum:g{*}.as_rate()") == [2, 2, 2, 2])
    }

    /// 2024-01-01 17:45:00 UTC.
    static let t1745: Int64 = 1_704_131_100

    @Test("vector 29: default_zero interpolates a gauge point for 5 minutes, then fills zeros")
    func vector29() async throws {
        let store = try await DatadogQueryEvaluationTests.store([("custom_metric", [], .gauge, [(Self.t1745, 1)])])
        let from = Self.t1745 - 900, to = Self.t1745 + 900   // 17:30 … 18:00
        var r = try await DatadogQueryEvaluationTests.run(store, "avg:custom_metric{*}.rollup(avg,60)", from: from, to: to)
        #expect(DatadogQueryEvaluationTests.points(r) == [[Double(Self.t1745), 1]])
        r = try await DatadogQueryEvaluationTests.run(store, "default_zero(avg:custom_metric{*}.rollup(avg,60))", from: from, to: to)
        #expect(r.grids[0].intervalSeconds == 60)
        let expected: [[Double]] = (0...30).map { minute in
            let t = from + Int64(minute) * 60
            return [Double(t), (Self.t1745...Self.t1745 + 300).contains(t) ? 1 : 0]   // 1 from 17:45 to 17:50
        }
        #expect(DatadogQueryEvaluationTests.points(r) == expected)
        #expect(r.series[0].series.expression == "default_zero(avg:custom_metric{*}.rollup(avg,60))")

        // The default interval for 30 minutes (10 s): still 1 through 17:50:00 inclusive.
        r = try await DatadogQueryEvaluationTests.run(store, "default_zero(avg:custom_metric{*})", from: from, to: to)
        #expect(r.grids[0].intervalSeconds == 10)
        let ones = DatadogQueryEvaluationTests.points(r).filter { $0[1] == 1 }.map { Int64($0[0]) }
        #expect(ones == Array(stride(from: Self.t1745, through: Self.t1745 + 300, by: 10)))
        #expect(DatadogQueryEvaluationTests.points(r).count == 181)
    }

    @Test("vector 29 variants: explicit fill, fill(null), linear between points, counts")
    func vector29Variants() async throws {
        let store = try await DatadogQueryEvaluationTests.store([
            ("g", [], .gauge, [(Self.t1745, 1)]),
            ("two", [], .gauge, [(Self.t1745, 0), (Self.t1745 + 180, 6)]),
            ("c", [], .count, [(Self.t1745, 4)]),
        ])
        let from = Self.t1745 - 120, to = from + 14_400   // four hours: 60 s buckets
        func values(_ q: String) async throws -> [Double] {
            Array(DatadogQueryEvaluationTests.points(try await DatadogQueryEvaluationTests.run(store, q, from: from, to: to))
                .map { $0[1] }.prefix(12))
        }
        #expect(try await values("default_zero(g{*})") == [0, 0, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0])
        #expect(try await values("default_zero(g{*}.fill(null))") == [0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0])
        #expect(try await values("default_zero(g{*}.fill(zero))") == [0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0])
        #expect(try await values("default_zero(g{*}.fill(last, 120))") == [0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0])
        #expect(try await values("default_zero(two{*})") == [0, 0, 0, 2, 4, 6, 6, 6, 6, 6, 6, 0])
        #expect(try await values("default_zero(sum:c{*}.as_count())") == [0, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0])
        #expect(try await values("default_zero(3)").count == 12)
    }

    @Test("vector 30: sources are interpolated before the space aggregation")
    func vector30() async throws {
        let store = try await DatadogQueryEvaluationTests.store([
            ("net.bytes_rcvd", [("host", "a")], .gauge, [(10800, 15), (10830, 25)]),
            ("net.bytes_rcvd", [("host", "b")], .gauge, [(10810, 10), (10840, 40)]),
        ])
        let r = try await Self.get(store, Self.query("sum:net.bytes_rcvd{*}.rollup(avg,10)", from: 10800, to: 10840))
        let points = (Self.series(r).first?["pointlist"] as? [[Any]] ?? []).map { p in
            p.compactMap { ($0 as? NSNumber)?.doubleValue }.map { ($0 * 100).rounded() / 100 }
        }
        #expect(points.contains([10_810_000, 28.33]))
        #expect(points.contains([10_830_000, 55]))
    }

    @Test("vector 31: the active metrics list answers from as a string")
    func vector31() async throws {
        let store = try await DatadogQueryEvaluationTests.store([("m", [], .gauge, [(1_700_000_100, 1)])])
        let r = try await Self.get(store, "/api/v1/metrics?from=1700000000")
        #expect(r["from"] as? String == "1700000000")
        #expect((r["metrics"] as? [String]) == ["m"])
    }

    @Test("vector 32: unit is null or exactly two elements")
    func vector32() async throws {
        let store = try await DatadogQueryEvaluationTests.store([
            ("pct", [], .gauge, [(0, 1)]), ("bytes", [], .gauge, [(0, 1)]), ("plain", [], .gauge, [(0, 1)]),
        ])
        try await Self.withApp(store) { client in
            for (name, body) in [("pct", #"{"unit":"percent"}"#), ("bytes", #"{"unit":"byte","per_unit":"second"}"#)] {
                try await client.execute(uri: "/api/v1/metrics/\(name)", method: .put, headers: DatadogQueryRoutesTests.keys,
                                         body: ByteBuffer(string: body)) { response in
                    #expect(response.status == .ok)
                }
            }
        }
        let r = try await Self.get(store, Self.query("pct{*}, bytes{*}, plain{*}, pct{*} * 2", from: 0, to: 3600))
        let units = Self.series(r).map { $0["unit"] }
        #expect(units.count == 4)
        let pct = try #require(units[0] as? [Any])
        #expect(pct.count == 2)
        #expect((pct[0] as? [String: Any])?["name"] as? String == "percent")
        #expect((pct[0] as? [String: Any])?["short_name"] as? String == "%")
        #expect(pct[1] is NSNull)
        let bytes = try #require(units[1] as? [Any])
        #expect(bytes.count == 2)
        #expect((bytes[1] as? [String: Any])?["name"] as? String == "second")
        #expect(units[2] is NSNull)
        #expect(units[3] is NSNull)   // a formula has no unit
    }

    @Test("vector 15: distribution points answer count 2, sum 3, min 1, max 2, avg 1.5")
    func vector15() async throws {
        let now: Int64 = 1_700_000_000
        let store = InMemoryMetricStore()
        let json = #"{"series":[{"metric":"system.load.1.dist","points":[[\#(now),[1.0,2.0]]]}]}"#
        let batch: MetricBatch = try Array(json.utf8).withUnsafeBytes { raw in
            var batch = MetricBatch()
            _ = try DatadogDistributionDecoder(options: DatadogIntakeOptions(nowMillis: now * 1000)).decode(raw, into: &batch)
            return batch
        }
        try await store.append(batch, org: Self.org)
        try await store.updateMetricMetadata(org: Self.org, ["system.load.1.dist": MetricMetadata(vendorType: "distribution")])
        for (aggregator, expected) in [("count", 2.0), ("sum", 3), ("min", 1), ("max", 2), ("avg", 1.5)] {
            let r = try await DatadogQueryEvaluationTests.run(store, "\(aggregator):system.load.1.dist{*}", from: now - 60, to: now + 60)
            #expect(DatadogQueryEvaluationTests.points(r) == [[Double(now), expected]], "\(aggregator)")
        }
    }

    @Test("vector 36: over the limit the answer is a JSON 429 with X-RateLimit headers")
    func vector36() async throws {
        let store = try await DatadogQueryEvaluationTests.store([("m", [], .gauge, [(0, 1)])])
        try await Self.withApp(store, rateLimits: DatadogQueryRateLimits(all: 1, periodSeconds: 3600)) { client in
            let path = Self.query("m{*}", from: 0, to: 3600)
            try await client.execute(uri: path, method: .get, headers: DatadogQueryRoutesTests.keys) { response in
                #expect(response.status == .ok)
                #expect(response.headers[HTTPField.Name("X-RateLimit-Name")!] == "query")
            }
            try await client.execute(uri: path, method: .get, headers: DatadogQueryRoutesTests.keys) { response in
                #expect(response.status == .tooManyRequests)
                #expect(response.headers[.contentType]?.hasPrefix("application/json") == true)
                let body = try JSONSerialization.jsonObject(with: Data(String(buffer: response.body).utf8)) as? [String: Any]
                #expect((body?["errors"] as? [String]) == ["Rate limit exceeded"])
                for name in ["X-RateLimit-Limit", "X-RateLimit-Period", "X-RateLimit-Remaining", "X-RateLimit-Reset"] {
                    #expect(response.headers[HTTPField.Name(name)!] != nil, "\(name)")
                }
                #expect(response.headers[HTTPField.Name("X-RateLimit-Limit")!] == "1")
                #expect(response.headers[HTTPField.Name("X-RateLimit-Remaining")!] == "0")
            }
        }
    }
}
