import BasinModel
import Testing

@testable import DialectDynatrace

/// Default aggregations per kind, the summary statistic series, splitBy/filter/rate/last, and
/// the timeframe's slots.
@Suite("Dynatrace query aggregation per kind")
struct DynatraceQueryKindsTests {
    /// Two gauge series, a count and a summary (as the ingest stores them) in the first two minutes.
    static func fixture() async throws -> QueryFixture {
        let f = QueryFixture()
        try await f.load([
            ("cpu", [("host", "a"), ("region", "eu")], .gauge, 10, 1),
            ("cpu", [("host", "a"), ("region", "eu")], .gauge, 20, 3),
            ("cpu", [("host", "a"), ("region", "eu")], .gauge, 30, 8),
            ("cpu", [("host", "b"), ("region", "eu")], .gauge, 10, 10),
            ("cpu", [("host", "b"), ("region", "eu")], .gauge, 70, 20),
            ("requests.count", [("region", "eu")], .count, 10, 5),
            ("requests.count", [("region", "eu")], .count, 50, 7),
            ("requests.count", [("region", "eu")], .count, 90, 3),
            ("latency", [("route", "/a")], .summary, 10, 5), ("latency:min", [("route", "/a")], .summary, 10, 1),
            ("latency:max", [("route", "/a")], .summary, 10, 9), ("latency:sum", [("route", "/a")], .summary, 10, 20),
            ("latency:count", [("route", "/a")], .summary, 10, 4),
            ("latency", [("route", "/a")], .summary, 20, 2), ("latency:min", [("route", "/a")], .summary, 20, 2),
            ("latency:max", [("route", "/a")], .summary, 20, 2), ("latency:sum", [("route", "/a")], .summary, 20, 2),
            ("latency:count", [("route", "/a")], .summary, 20, 1),
            ("system.load.1", [("host", "web-1")], .gauge, 100, 0.5),
        ])
        return f
    }

    struct Case: CustomTestStringConvertible, Sendable {
        let selector: String
        let expected: [String: [Double?]]
        var testDescription: String { selector }
    }

    static let cases: [Case] = [
        .init(selector: "cpu", expected: ["a,eu": [4, nil, nil], "b,eu": [10, 20, nil]]),
        .init(selector: "cpu:avg", expected: ["a,eu": [4, nil, nil], "b,eu": [10, 20, nil]]),
        .init(selector: "cpu:sum", expected: ["a,eu": [12, nil, nil], "b,eu": [10, 20, nil]]),
        .init(selector: "cpu:min", expected: ["a,eu": [1, nil, nil], "b,eu": [10, 20, nil]]),
        .init(selector: "cpu:max", expected: ["a,eu": [8, nil, nil], "b,eu": [10, 20, nil]]),
        .init(selector: "cpu:count", expected: ["a,eu": [3, nil, nil], "b,eu": [1, 1, nil]]),
        .init(selector: "cpu:percentile(50)", expected: ["a,eu": [3, nil, nil], "b,eu": [10, 20, nil]]),
        .init(selector: "cpu:median", expected: ["a,eu": [3, nil, nil], "b,eu": [10, 20, nil]]),
        // splitBy merges before aggregating: the average of all four points, not of the averages.
        .init(selector: #"cpu:splitBy("region")"#, expected: ["eu": [5.5, 20, nil]]),
        .init(selector: #"cpu:splitBy("region"):max"#, expected: ["eu": [10, 20, nil]]),
        .init(selector: "cpu:splitBy()", expected: ["": [5.5, 20, nil]]),
        .init(selector: #"cpu:splitBy("nope")"#, expected: [:]),
        .init(selector: #"cpu:filter(eq("host","b"))"#, expected: ["b,eu": [10, 20, nil]]),
        .init(selector: #"cpu:filter(not(eq(host,b)))"#, expected: ["a,eu": [4, nil, nil]]),
        .init(selector: #"cpu:filter(or(prefix("host","b"),existsKey("zone")))"#, expected: ["b,eu": [10, 20, nil]]),
        .init(selector: #"cpu:filter(in("host","a","c"))"#, expected: ["a,eu": [4, nil, nil]]),
        .init(selector: "cpu:fold(sum)", expected: ["a,eu": [12], "b,eu": [30]]),
        .init(selector: "cpu:last", expected: ["a,eu": [4], "b,eu": [20]]),
        .init(selector: "cpu:max:last", expected: ["a,eu": [8], "b,eu": [20]]),
        .init(selector: "cpu:limit(1)", expected: ["a,eu": [4, nil, nil]]),
        .init(selector: "cpu:names", expected: ["a,eu": [4, nil, nil], "b,eu": [10, 20, nil]]),
        // Counts: sum per slot by default; rate(1m) over 1-minute slots is the same, rate(1s) a 60th.
        .init(selector: "requests.count", expected: ["eu": [12, 3, nil]]),
        .init(selector: "requests.count:value", expected: ["eu": [12, 3, nil]]),
        .init(selector: "requests.count:count", expected: ["eu": [2, 1, nil]]),
        .init(selector: "requests.count:rate(1m)", expected: ["eu": [12, 3, nil]]),
        .init(selector: "requests.count:rate(1h)", expected: ["eu": [720, 180, nil]]),
        .init(selector: "requests.count:fold", expected: ["eu": [15]]),
        // Summaries: the weighted average from :sum and :count, the statistics from their series.
        .init(selector: "latency", expected: ["/a": [22.0 / 5, nil, nil]]),
        .init(selector: "latency:avg", expected: ["/a": [22.0 / 5, nil, nil]]),
        .init(selector: "latency:min", expected: ["/a": [1, nil, nil]]),
        .init(selector: "latency:max", expected: ["/a": [9, nil, nil]]),
        .init(selector: "latency:sum", expected: ["/a": [22, nil, nil]]),
        .init(selector: "latency:count", expected: ["/a": [5, nil, nil]]),
        .init(selector: "latency:max:fold", expected: ["/a": [9]]),
        // A Datadog-style name with dots and a digit section.
        .init(selector: "system.load.1", expected: ["web-1": [nil, 0.5, nil]]),
    ]

    @Test("time aggregation per kind and transformations over slots", arguments: cases)
    func evaluates(_ c: Case) async throws {
        let f = try await Self.fixture()
        #expect(try await f.values(c.selector, minutes: 3) == c.expected)
    }

    @Test("resolution Inf is one point at `to`; a coarser resolution widens the slots")
    func resolutions() async throws {
        let f = try await Self.fixture()
        let inf = try await f.evaluate("cpu:sum", minutes: 3, resolution: "Inf")
        #expect(inf.resolution == "Inf")
        #expect(inf.results[0].data.map(\.timestampsMillis) == [[queryT0 + 3 * minute], [queryT0 + 3 * minute]])
        #expect(inf.results[0].data.map(\.values) == [[12], [30]])
        let twoMinutes = try await f.evaluate("requests.count", minutes: 4, resolution: "2m")
        #expect(twoMinutes.resolution == "2m")
        // Slots align to multiples of their width since the epoch: queryT0 sits mid-slot.
        #expect(twoMinutes.results[0].data.map(\.timestampsMillis) == [[queryT0 + minute, queryT0 + 3 * minute, queryT0 + 5 * minute]])
        #expect(twoMinutes.results[0].data.map(\.values) == [[12, 3, nil]])
    }

    @Test("an unknown metric key, a wildcard and more than ten metrics are errors")
    func errors() async throws {
        let f = try await Self.fixture()
        await #expect(throws: DynatraceQueryError.metricNotFound("nope")) { try await f.evaluate("nope") }
        await #expect(throws: DynatraceQueryError.self) { try await f.evaluate("cpu.*") }
        await #expect(throws: DynatraceQueryError.self) { try await f.evaluate((0...10).map { _ in "cpu" }.joined(separator: ",")) }
        await #expect(throws: DynatraceQueryError.self) { try await f.evaluate("cpu:rate:splitBy()") }
    }
}
