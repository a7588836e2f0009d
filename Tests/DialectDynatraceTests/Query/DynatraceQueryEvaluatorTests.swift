import BasinModel
import BasinTestKit
import StorageAPI
import Testing

@testable import DialectDynatrace

/// A minute-aligned start for the evaluator tests.
let queryT0: Int64 = 1_699_999_980_000
let minute: Int64 = 60_000

/// Stores points and evaluates selectors over `[queryT0, queryT0 + minutes)`.
struct QueryFixture {
    let store = InMemoryMetricStore()
    let org = OrgID("acme")

    /// One point: metric name, dimensions, kind, seconds after ``queryT0``, value.
    typealias Point = (name: String, dimensions: [(String, String)], kind: MetricKind, seconds: Int64, value: Double)

    func load(_ points: [Point]) async throws {
        var batch = MetricBatch()
        for p in points {
            batch.append(Labels(metricName: p.name, p.dimensions.map { (name: $0.0, value: $0.1) }), kind: p.kind,
                         timestampMillis: queryT0 + p.seconds * 1000, value: p.value)
        }
        try await store.append(batch, org: org)
    }

    func evaluate(_ selector: String, minutes: Int64 = 5, resolution: String? = "1m") async throws -> DynatraceMetricData {
        let timeframe = try DynatraceTimeframe(
            from: "\(queryT0)", to: "\(queryT0 + minutes * minute)", resolution: resolution, nowMillis: queryT0 + minutes * minute)
        return try await DynatraceQueryEvaluator(store: store, org: org).evaluate(try DynatraceSelectorParser.parse(selector), timeframe: timeframe)
    }

    /// The values of every series of the first result, by their dimension values joined with `,`.
    func values(_ selector: String, minutes: Int64 = 5, resolution: String? = "1m") async throws -> [String: [Double?]] {
        let data = try await evaluate(selector, minutes: minutes, resolution: resolution)
        var out: [String: [Double?]] = [:]
        for s in data.results[0].data { out[s.dimensions.map(\.value).joined(separator: ",")] = s.values }
        return out
    }
}

/// Selectors evaluated over an in-memory store: spec §7.4 and the aggregation rules per kind.
@Suite("Dynatrace query evaluation")
struct DynatraceQueryEvaluatorTests {
    static func slots(_ n: Int64) -> [Int64] { (1...n).map { queryT0 + $0 * minute } }

    @Test("7.4 #52 a parent grouping gives one result per metric, with dimensions, timestamps at slot ends and nulls")
    func parentGrouping() async throws {
        let f = QueryFixture()
        try await f.load([
            ("builtin:host.cpu.usage", [("dt.entity.host", "HOST-1")], .gauge, 10, 20),
            ("builtin:host.cpu.usage", [("dt.entity.host", "HOST-1")], .gauge, 20, 30),
            ("builtin:host.cpu.idle", [("dt.entity.host", "HOST-1")], .gauge, 130, 81),
        ])
        let data = try await f.evaluate("builtin:host.cpu.(usage,idle)")
        #expect(data.resolution == "1m")
        #expect(data.totalCount == 2)
        #expect(data.results.map(\.metricId) == ["builtin:host.cpu.usage", "builtin:host.cpu.idle"])
        let usage = try #require(data.results[0].data.first)
        #expect(usage.dimensions.map(\.key) == ["dt.entity.host"])
        #expect(usage.dimensions.map(\.value) == ["HOST-1"])
        #expect(usage.timestampsMillis == Self.slots(5))
        #expect(usage.values == [25, nil, nil, nil, nil])
        #expect(data.results[1].data.first?.values == [nil, nil, 81, nil, nil])
    }

    @Test("7.4 #53 :fold gives one point per series at the end of the timeframe, metricId keeps the transformation")
    func fold() async throws {
        let f = QueryFixture()
        try await f.load([
            ("builtin:host.cpu.idle", [("dt.entity.host", "HOST-1")], .gauge, 10, 80),
            ("builtin:host.cpu.idle", [("dt.entity.host", "HOST-1")], .gauge, 70, 90),
            ("builtin:host.cpu.idle", [("dt.entity.host", "HOST-1")], .gauge, 80, 100),
        ])
        let data = try await f.evaluate("builtin:host.cpu.idle:fold", resolution: nil)
        #expect(data.resolution == "1m")
        #expect(data.results[0].metricId == "builtin:host.cpu.idle:fold")
        #expect(data.results[0].data.map(\.timestampsMillis) == [[queryT0 + 5 * minute]])
        #expect(data.results[0].data.map(\.values) == [[90]])
        #expect(try await f.values("builtin:host.cpu.idle:fold(max)") == ["HOST-1": [100]])
    }

    @Test("7.4 #54 a filter on a dimension the metric lacks answers empty data and the warning")
    func unknownDimension() async throws {
        let f = QueryFixture()
        try await f.load([("builtin:host.cpu.idle", [("dt.entity.host", "HOST-123")], .gauge, 10, 80)])
        let data = try await f.evaluate(#"builtin:host.cpu.idle:filter(eq("dt.entityhost",HOST-123))"#)
        #expect(data.results[0].data.isEmpty)
        #expect(data.results[0].warnings == ["The dimension key `dt.entityhost` has been referenced, but the metric has no such key."])
        #expect(try await f.values(#"builtin:host.cpu.idle:filter(eq("dt.entity.host",HOST-123))"#) == ["HOST-123": [80, nil, nil, nil, nil]])
    }

    @Test("7.4 #55 :default on a metric without points: a warning, or with always after an empty splitBy a zero series")
    func defaultTransformation() async throws {
        let f = QueryFixture()
        try await f.load([("k", [("a", "1")], .gauge, -3600, 1)])  // exists, but outside the timeframe
        let plain = try await f.evaluate("k:splitBy():auto:default(0)")
        #expect(plain.results[0].data.isEmpty)
        #expect(plain.results[0].warnings == [
            "The :default operator could not be applied as it requires at least one written data point for the metric in the query timeframe."])
        let always = try await f.evaluate("k:splitBy():default(0,always)")
        #expect(always.results[0].data == [DynatraceMetricSeries(dimensions: [], timestampsMillis: Self.slots(5), values: [0, 0, 0, 0, 0])])
        try await f.load([("k", [("a", "1")], .gauge, 70, 4)])
        #expect(try await f.values("k:default(-1)") == ["1": [-1, 4, -1, -1, -1]])
    }

    @Test("7.4 #56 :value:delta", arguments: [([8338, 8449, 8343, 8372, 8425], [nil, 111, 0, 29, 53] as [Double?])])
    func delta(_ input: [Double], _ expected: [Double?]) async throws {
        let f = QueryFixture()
        try await f.load(input.enumerated().map { ("k", [], .gauge, Int64($0.offset) * 60 + 1, $0.element) })
        #expect(try await f.values("k:value:delta") == ["": expected])
    }

    @Test("7.4 #57 :smooth(skipfirst)")
    func smooth() async throws {
        let input: [Double?] = [nil, 15, 13, 15, nil, nil, 28, 14, 14, 13]
        let f = QueryFixture()
        try await f.load(input.enumerated().compactMap { i, v in v.map { ("k", [], .gauge, Int64(i) * 60 + 1, $0) } })
        #expect(try await f.values("k:smooth(skipfirst)", minutes: 10) == ["": [nil, nil, 13, 15, nil, nil, nil, 14, 14, 13]])
    }

    @Test("7.4 #58 :sort(value(sum,descending)):limit(2) keeps the two largest; totalCount counts what is left")
    func sortLimit() async throws {
        let f = QueryFixture()
        try await f.load([
            ("visits", [("country", "Austria")], .count, 10, 6593),
            ("visits", [("country", "Switzerland")], .count, 10, 1002),
            ("visits", [("country", "Germany")], .count, 10, 564),
        ])
        let data = try await f.evaluate("visits:sort(value(sum,descending)):limit(2)")
        #expect(data.results[0].data.map { $0.dimensions.map(\.value) } == [["Austria"], ["Switzerland"]])
        #expect(data.totalCount == 2)
        let ascending = try await f.evaluate(#"visits:sort(dimension("country",ascending))"#)
        #expect(ascending.results[0].data.map { $0.dimensions.map(\.value) } == [["Austria"], ["Germany"], ["Switzerland"]])
    }
}
