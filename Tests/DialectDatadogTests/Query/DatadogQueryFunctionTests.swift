import BasinModel
import BasinTestKit
import QueryEngine
import StorageAPI
import Testing

@testable import DialectDatadog

/// The spec §4.7 tier-1 functions over exact pointlists (20 s buckets: one-hour ranges).
@Suite("DatadogQuery functions")
struct DatadogQueryFunctionTests {
    typealias E = DatadogQueryEvaluationTests

    /// `m{host:a}`: 1, 3, 2, gap, 6 at 0…80 s; `t` three hosts with means 1, 5, 3; `z` with
    /// zeros; `e` one source without `env`.
    static func store() async throws -> InMemoryMetricStore {
        try await E.store([
            ("m", [("host", "a")], .gauge, [(0, 1), (20, 3), (40, 2), (80, 6)]),
            ("t", [("host", "a")], .gauge, [(0, 1), (20, 1)]),
            ("t", [("host", "b")], .gauge, [(0, 5), (20, 5)]),
            ("t", [("host", "c")], .gauge, [(0, 2), (20, 4)]),
            ("z", [("host", "a")], .gauge, [(0, 0), (20, 1)]),
            ("z", [("host", "b")], .gauge, [(0, 2), (20, 0), (40, 3)]),
            ("z", [("host", "c")], .gauge, [(20, 5)]),
            ("e", [("host", "a"), ("env", "prod")], .gauge, [(0, 1)]),
            ("e", [("host", "b")], .gauge, [(0, 2)]),
        ])
    }

    /// Query, range start (one hour from there) ⇒ the first points `[seconds, value]`.
    static let pointCases: [(String, Int64, [[Double]])] = [
        // Smoothing: α = 2 / (span + 1) over the present points; gaps stay gaps.
        ("ewma_3(m{host:a})", 0, [[0, 1], [20, 2], [40, 2], [80, 4]]),
        ("ewma_5(m{host:a})", 0, [[0, 1], [20, 1.666667], [40, 1.777778], [80, 3.185185]]),
        ("ewma_10(m{host:a})", 0, [[0, 1], [20, 1.363636], [40, 1.479339], [80, 2.301277]]),
        ("ewma_20(m{host:a})", 0, [[0, 1], [20, 1.190476], [40, 1.267574], [80, 1.718281]]),
        // Trailing median of the last N points; earlier points are read for the first ones.
        ("median_3(m{host:a})", 0, [[0, 1], [20, 2], [40, 2], [80, 3]]),
        ("median_3(m{host:a})", 40, [[40, 2], [80, 3]]),
        ("median_5(m{host:a})", 40, [[40, 2], [80, 2.5]]),
        ("median_7(m{host:a})", 0, [[0, 1], [20, 2], [40, 2], [80, 2.5]]),
        ("median_9(m{host:a})", 0, [[0, 1], [20, 2], [40, 2], [80, 2.5]]),
        // moving_rollup over the last N seconds (⌈N / interval⌉ buckets), default avg.
        ("moving_rollup(m{host:a}, 60, 'sum')", 0, [[0, 1], [20, 4], [40, 6], [60, 5], [80, 8], [100, 6], [120, 6]]),
        ("moving_rollup(m{host:a}, 60, 'sum')", 40, [[40, 6], [60, 5], [80, 8], [100, 6], [120, 6]]),
        ("moving_rollup(m{host:a}, 60, max)", 40, [[40, 3], [60, 3], [80, 6], [100, 6], [120, 6]]),
        ("moving_rollup(m{host:a}, 60, 'min')", 0, [[0, 1], [20, 1], [40, 1], [60, 2], [80, 2], [100, 6], [120, 6]]),
        ("moving_rollup(m{host:a}, 60, 'count')", 0, [[0, 1], [20, 2], [40, 3], [60, 2], [80, 2], [100, 1], [120, 1]]),
        ("moving_rollup(m{host:a}, 40)", 0, [[0, 1], [20, 2], [40, 2.5], [60, 2], [80, 6], [100, 6]]),
        ("moving_rollup(m{host:a}, 30, 'avg')", 0, [[0, 1], [20, 2], [40, 2.5], [60, 2], [80, 6], [100, 6]]),
        // Counting across groups, per bucket.
        ("count_nonzero(z{*} by {host})", 0, [[0, 1], [20, 2], [40, 1]]),
        ("count_nonzero_finite(z{*} by {host})", 0, [[0, 1], [20, 2], [40, 1]]),
        ("count_not_null(z{*} by {host})", 0, [[0, 2], [20, 3], [40, 1]]),
        // Clamp also sets empty buckets to the threshold (Datadog's documented behaviour).
        ("clamp_min(m{host:a}, 2)", 0, [[0, 2], [20, 3], [40, 2], [60, 2], [80, 6]]),
        ("clamp_max(m{host:a}, 2)", 0, [[0, 1], [20, 2], [40, 2], [60, 2], [80, 2]]),
        ("cutoff_min(m{host:a}, 2)", 0, [[20, 3], [40, 2], [80, 6]]),
        ("cutoff_max(m{host:a}, 2)", 0, [[0, 1], [40, 2]]),
        // Time shifts: each reads the same data one period later.
        ("hour_before(m{host:a})", 3600, [[3600, 1], [3620, 3], [3640, 2], [3680, 6]]),
        ("day_before(m{host:a})", 86400, [[86400, 1], [86420, 3], [86440, 2], [86480, 6]]),
        ("week_before(m{host:a})", 604_800, [[604_800, 1], [604_820, 3], [604_840, 2], [604_880, 6]]),
        ("month_before(m{host:a})", 2_419_200, [[2_419_200, 1], [2_419_220, 3], [2_419_240, 2], [2_419_280, 6]]),
        ("timeshift(m{host:a}, -3600)", 3600, [[3600, 1], [3620, 3], [3640, 2], [3680, 6]]),
        // Composition.
        ("ewma_3(abs(m{host:a})) * 2", 0, [[0, 2], [20, 4], [40, 4], [80, 8]]),
        ("default_zero(cutoff_min(m{host:a}.fill(null), 3))", 0, [[0, 0], [20, 3], [40, 0], [60, 0], [80, 6]]),
        // default_zero interpolates a gauge first (linear, then the last value for 300 s).
        ("default_zero(cutoff_min(m{host:a}, 3))", 0, [[0, 0], [20, 3], [40, 4], [60, 5], [80, 6], [100, 6]]),
    ]

    @Test("computes each function's pointlist", arguments: pointCases)
    func points(_ query: String, _ from: Int64, _ expected: [[Double]]) async throws {
        let store = try await Self.store()
        let r = try await E.run(store, query, from: from, to: from + 3600)
        #expect(r.series.count == 1)
        #expect(Array(E.points(r).prefix(expected.count)) == expected)
        if query.hasPrefix("moving_rollup") || query.hasPrefix("count_") || query.hasPrefix("cutoff") {
            #expect(E.points(r).count == expected.count, "no further points")
        }
    }

    @Test("count_nonzero answers one ungrouped series named after the call")
    func countShape() async throws {
        let store = try await Self.store()
        let r = try await E.run(store, "count_not_null(z{host:*} by {host})", from: 0, to: 3600)
        let s = try #require(r.series.first?.series)
        #expect(s.tagSet.isEmpty)
        #expect(s.scope == "host:*")
        #expect(s.expression == "count_not_null(z{host:*})")
        #expect(s.unitMetric == nil)
    }

    @Test("a missing group tag is N/A; exclude_null removes those groups")
    func excludeNull() async throws {
        let store = try await Self.store()
        var r = try await E.run(store, "sum:e{*} by {env}", from: 0, to: 3600)
        #expect(r.series.map(\.series.tagSet) == [["env:N/A"], ["env:prod"]])
        #expect(r.series.map(\.series.scope) == ["env:N/A", "env:prod"])
        r = try await E.run(store, "exclude_null(sum:e{*} by {env})", from: 0, to: 3600)
        #expect(r.series.map(\.series.tagSet) == [["env:prod"]])
        #expect(r.series.map(\.series.expression) == ["exclude_null(sum:e{env:prod})"])
        #expect(E.points(r) == [[0, 1]])
        // Any missing key of several removes the group.
        r = try await E.run(store, "exclude_null(sum:e{*} by {host,env})", from: 0, to: 3600)
        #expect(r.series.map(\.series.tagSet) == [["host:a", "env:prod"]])
        // Without a `by` nothing is removed.
        r = try await E.run(store, "exclude_null(sum:e{*})", from: 0, to: 3600)
        #expect(E.points(r) == [[0, 3]])
    }

    /// Query ⇒ the `host` tags of the series returned, in order.
    static let topCases: [(String, [String])] = [
        ("top(t{*} by {host}, 2, 'mean', 'desc')", ["b", "c"]),
        ("top(t{*} by {host}, 2, 'mean', 'asc')", ["a", "c"]),
        ("top(t{*} by {host}, 1, 'last', 'desc')", ["b"]),
        ("top(t{*} by {host}, 1, 'min', 'asc')", ["a"]),
        ("top(t{*} by {host}, 3, 'area', 'desc')", ["b", "c", "a"]),
        ("top(t{*} by {host})", ["b", "c", "a"]),
        ("top_offset(t{*} by {host}, 1, 'mean', 'desc', 1)", ["c"]),
        ("top_offset(t{*} by {host}, 2, 'max', 'desc', 2)", ["a"]),
        ("top5_mean(t{*} by {host})", ["b", "c", "a"]),
        ("top10_max(t{*} by {host})", ["b", "c", "a"]),
        ("bottom5_max(t{*} by {host})", ["a", "c", "b"]),
        ("bottom20_l2norm(t{*} by {host})", ["a", "c", "b"]),
        ("top15_sum(t{*} by {host})", ["b", "c", "a"]),
    ]

    @Test("top, top_offset and the topN/bottomN shorthands rank groups", arguments: topCases)
    func top(_ query: String, _ hosts: [String]) async throws {
        let store = try await Self.store()
        let r = try await E.run(store, query, from: 0, to: 3600)
        #expect(r.series.map(\.series.tagSet) == hosts.map { ["host:\($0)"] })
    }

    /// Query ⇒ the error.
    static let failures: [(String, String)] = [
        ("ewma_4(m{*})", "function not supported: ewma_4"),
        ("median_4(m{*})", "function not supported: median_4"),
        ("forecast(m{*}, 'linear', 1)", "function not supported: forecast"),
        ("ewma_3(m{*}, 2)", "ewma_3() takes no arguments besides the query"),
        ("median_5(m{*}, 2)", "median_5() takes no arguments besides the query"),
        ("moving_rollup(m{*})", "moving_rollup() needs a window of 1 to 31536000 seconds and optionally avg, sum, min, max or count"),
        ("moving_rollup(m{*}, 'sum', 60)", "moving_rollup() needs a window of 1 to 31536000 seconds and optionally avg, sum, min, max or count"),
        ("moving_rollup(m{*}, 0)", "moving_rollup() needs a window of 1 to 31536000 seconds and optionally avg, sum, min, max or count"),
        ("moving_rollup(m{*}, 60, 'median')", "unknown moving_rollup method; use avg, sum, min, max or count"),
        ("clamp_min(m{*})", "clamp_min() needs a number argument"),
        ("top(m{*} by {host}, 5, 'median', 'desc')", "invalid arguments to top()"),
    ]

    @Test("rejects unknown functions and bad arguments", arguments: failures)
    func rejects(_ query: String, _ message: String) async throws {
        let store = try await Self.store()
        await #expect(throws: DatadogQueryError(message, position: 0)) {
            _ = try await E.run(store, query, from: 0, to: 3600)
        }
    }

    @Test("a long moving_rollup window reads no more than max_query_points buckets")
    func lookbackIsBounded() async throws {
        let store = try await Self.store()
        // 181 buckets in the range; a one-day window would need 4320 more.
        let r = try await E.run(store, "moving_rollup(m{host:a}, 86400, 'sum')", from: 40, to: 3640, maxPoints: 200)
        #expect(E.points(r).first == [40, 6])
        #expect(E.points(r).count == 181)
    }
}
