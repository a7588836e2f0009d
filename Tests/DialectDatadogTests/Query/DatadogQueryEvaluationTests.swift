import BasinModel
import BasinTestKit
import QueryEngine
import StorageAPI
import Testing

@testable import DialectDatadog

/// Evaluation over the in-memory store with exact expected pointlists.
@Suite("DatadogQuery evaluation")
struct DatadogQueryEvaluationTests {
    static let org = OrgID("acme")

    /// Writes samples: (metric, tags, kind, [(seconds, value)]).
    static func store(_ series: [(String, [(String, String)], MetricKind, [(Int64, Double)])]) async throws -> InMemoryMetricStore {
        let store = InMemoryMetricStore()
        var batch = MetricBatch()
        for (name, tags, kind, points) in series {
            for (t, v) in points { batch.append(Labels(metricName: name, tags), kind: kind, timestampMillis: t * 1000, value: v) }
        }
        try await store.append(batch, org: org)
        return store
    }

    static func run(_ store: InMemoryMetricStore, _ query: String, from: Int64, to: Int64, maxPoints: Int = 11_000) async throws -> DatadogQueryResult {
        try await DatadogQueryEvaluator(store: store, org: org, limits: QueryLimits(), maxPoints: maxPoints, maxSeries: 1000)
            .run(query, fromSeconds: from, toSeconds: to)
    }

    /// `[(seconds, value)]` of the present points of a series.
    static func points(_ result: DatadogQueryResult, _ index: Int = 0) -> [[Double]] {
        let (q, s) = result.series[index]
        let grid = result.grids[q]
        return s.values.enumerated().compactMap { i, v in v.map { [Double(grid.time(at: i)), ($0 * 1e6).rounded() / 1e6] } }
    }

    @Test("one day ungrouped: 300 s buckets from ceil(from/300)·300 (vector 24)")
    func oneDay() async throws {
        let from: Int64 = 1_641_343_852, to: Int64 = 1_641_430_252
        let points = stride(from: from, through: to, by: 100).map { ($0, Double($0 % 7)) }
        let store = try await Self.store([("system.cpu.idle", [("host", "a")], .gauge, points)])
        let result = try await Self.run(store, "system.cpu.idle{*}", from: from, to: to)
        #expect(result.grids[0].intervalSeconds == 300)
        let (_, s) = result.series[0]
        #expect(s.values.compactMap { $0 }.count == 288)
        #expect(result.grids[0].firstSeconds == 1_641_344_100)
        #expect(s.scope == "*" && s.tagSet.isEmpty && s.aggr == nil && s.expression == "system.cpu.idle{*}")
    }

    @Test("avg rollup per bucket, then space aggregation per group")
    func groups() async throws {
        let store = try await Self.store([
            ("m", [("host", "a"), ("env", "prod")], .gauge, [(0, 1), (5, 3), (20, 10)]),
            ("m", [("host", "b"), ("env", "prod")], .gauge, [(0, 5), (20, 20)]),
            ("m", [("host", "c"), ("env", "dev")], .gauge, [(0, 100), (20, 200)]),
        ])
        // One hour: 20 s buckets.
        var r = try await Self.run(store, "sum:m{env:prod}", from: 0, to: 3600)
        #expect(Self.points(r) == [[0, 7], [20, 30]])
        r = try await Self.run(store, "max:m{*} by {env}", from: 0, to: 3600)
        #expect(r.series.map(\.series.tagSet) == [["env:dev"], ["env:prod"]])
        #expect(r.series.map(\.series.scope) == ["env:dev", "env:prod"])
        #expect(r.series.map(\.series.expression) == ["max:m{env:dev}", "max:m{env:prod}"])
        #expect(Self.points(r, 1) == [[0, 5], [20, 20]])
        #expect(r.groupBy == ["env"])
        r = try await Self.run(store, "m{!env:dev, host:*}.rollup(count)", from: 0, to: 3600)
        #expect(Self.points(r) == [[0, 1.5], [20, 1]])
    }

    @Test("interpolates before summing sources (vector 30)")
    func interpolation() async throws {
        let store = try await Self.store([
            ("net.bytes_rcvd", [("host", "a")], .gauge, [(10800, 15), (10830, 25)]),
            ("net.bytes_rcvd", [("host", "b")], .gauge, [(10810, 10), (10840, 40)]),
        ])
        let r = try await Self.run(store, "sum:net.bytes_rcvd{*}.rollup(avg, 10)", from: 10800, to: 10840)
        #expect(Self.points(r) == [[10800, 15], [10810, 28.333333], [10820, 41.666667], [10830, 55], [10840, 40]])
    }

    @Test("as_count and as_rate use the stored kind and interval (vector 28)")
    func typeModifiers() async throws {
        let store = try await Self.store([
            ("c", [], .count, [(0, 1), (20, 1), (40, 1), (60, 1)]),
            ("r", [], .rate, [(0, 0.05), (20, 0.05), (40, 0.05), (60, 0.05)]),
            ("g", [], .gauge, [(0, 2), (20, 2), (40, 2), (60, 2)]),
        ])
        try await store.updateMetricMetadata(org: Self.org, metricName: "r", MetricMetadata(intervalSeconds: 20))
        func values(_ q: String) async throws -> [Double] {
            try await Self.points(Self.run(store, q, from: 0, to: 3600)).map { $0[1] }
        }
        #expect(try await values("sum:c{*}.as_rate()") == [0.05, 0.05, 0.05, 0.05])
        #expect(try await values("sum:c{*}.as_count()") == [1, 1, 1, 1])
        #expect(try await values("sum:r{*}.as_count()") == [1, 1, 1, 1])
        #expect(try await values("sum:r{*}.as_rate()") == [0.05, 0.05, 0.05, 0.05])
        #expect(try await values("sum:g{*}.as_count()") == [2, 2, 2, 2])
        #expect(try await values("sum:g{*}.as_rate()") == [2, 2, 2, 2])
    }

    @Test("arithmetic with constants and between queries")
    func arithmetic() async throws {
        let store = try await Self.store([
            ("a", [("host", "x")], .gauge, [(0, 10), (20, 30)]),
            ("a", [("host", "y")], .gauge, [(0, 1), (20, 0)]),
            ("b", [("host", "x")], .gauge, [(0, 2), (20, 0)]),
            ("b", [("host", "y")], .gauge, [(0, 4)]),
        ])
        var r = try await Self.run(store, "a{*} by {host} / b{*} by {host}", from: 0, to: 3600)
        #expect(r.series.count == 2)
        #expect(Self.points(r, 0) == [[0, 5]])   // 30 / 0 dropped
        #expect(Self.points(r, 1) == [[0, 0.25]])
        #expect(r.series[0].series.expression == "a{host:x} / b{host:x}")
        r = try await Self.run(store, "100 - sum:a{*} * 2", from: 0, to: 3600)
        #expect(Self.points(r) == [[0, 78], [20, 40]])
        r = try await Self.run(store, "(sum:a{*} + sum:b{*}) / 2, 3 * 4", from: 0, to: 3600)
        #expect(Self.points(r, 0) == [[0, 8.5], [20, 15]])
        #expect(r.series[1].queryIndex == 1)
        #expect(Self.points(r, 1).count == 181)
        #expect(Self.points(r, 1).prefix(2) == [[0, 12], [20, 12]])
    }

    @Test("functions after aggregation")
    func functions() async throws {
        let store = try await Self.store([
            ("m", [("host", "a")], .gauge, [(0, -1), (20, 3), (40, 2), (80, 6)]),
            ("m", [("host", "b")], .gauge, [(0, 10), (20, 10), (40, 10), (60, 10), (80, 10)]),
        ])
        func values(_ q: String) async throws -> [[Double]] { Array(try await Self.points(Self.run(store, q, from: 0, to: 3600)).prefix(5)) }
        #expect(try await values("abs(m{host:a})") == [[0, 1], [20, 3], [40, 2], [80, 6]])
        #expect(try await values("cumsum(m{host:a})") == [[0, -1], [20, 2], [40, 4], [80, 10]])
        #expect(try await values("diff(m{host:a}.fill(null))") == [[20, 4], [40, -1], [80, 4]])
        #expect(try await values("monotonic_diff(m{host:a})") == [[20, 4], [40, 2], [80, 4]])
        #expect(try await values("derivative(m{host:a})") == [[20, 0.2], [40, -0.05], [80, 0.1]])
        #expect(try await values("integral(m{host:b})") == [[0, 0], [20, 200], [40, 400], [60, 600], [80, 800]])
        #expect(try await values("per_minute(m{host:b})") == [[0, 30], [20, 30], [40, 30], [60, 30], [80, 30]])
        #expect(try await values("log10(m{host:b})") == [[0, 1], [20, 1], [40, 1], [60, 1], [80, 1]])
        #expect(try await values("log2(m{host:a})") == [[20, 1.584963], [40, 1], [80, 2.584963]])
        #expect(try await values("default_zero(m{host:a}.fill(null))") == [[0, -1], [20, 3], [40, 2], [60, 0], [80, 6]])
        #expect(try await values("m{host:a}.fill(last, 20)") == [[0, -1], [20, 3], [40, 2], [60, 2], [80, 6]])
        #expect(try await values("m{host:a}.fill(zero)") == [[0, -1], [20, 3], [40, 2], [60, 0], [80, 6]])
        var r = try await Self.run(store, "top(m{*} by {host}, 1, 'max', 'desc')", from: 0, to: 3600)
        #expect(r.series.map(\.series.tagSet) == [["host:b"]])
        r = try await Self.run(store, "bottom5_mean(m{*} by {host})", from: 0, to: 3600)
        #expect(r.series.map(\.series.tagSet) == [["host:a"], ["host:b"]])
        r = try await Self.run(store, "timeshift(m{host:a}, -20)", from: 20, to: 3620)
        #expect(Self.points(r) == [[20, -1], [40, 3], [60, 2], [100, 6]])
    }

    @Test("unknown functions and cost limits answer errors")
    func errors() async throws {
        let store = try await Self.store([("m", [], .gauge, [(0, 1)])])
        await #expect(throws: DatadogQueryError("function not supported: forecast", position: 0)) {
            _ = try await Self.run(store, "forecast(m{*})", from: 0, to: 60)
        }
        await #expect(throws: DatadogQueryError("query would return 61 points per series, over the limit of 10 (max_query_points)", position: nil)) {
            _ = try await Self.run(store, "m{*}.rollup(1)", from: 0, to: 60, maxPoints: 10)
        }
    }

    @Test("no data answers no series")
    func empty() async throws {
        let store = try await Self.store([])
        let r = try await Self.run(store, "m{*}", from: 0, to: 3600)
        #expect(r.series.isEmpty)
    }
}
