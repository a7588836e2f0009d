import BasinModel
import BasinTestKit
import NIOCore
import StorageAPI
import Testing

@testable import DialectBlueflood

/// `metrics/search` (§11) and `metric_name/search` (§12) over BF-es `ElasticIOIntegrationTest`'s
/// names `one.two.three{00..19}.four{A,B,C}.five{0,1,2}`.
@Suite("Blueflood query search")
struct BluefloodQuerySearchTests {
    typealias F = BluefloodQueryFixture

    static let names: [String] = (0..<20).flatMap { i in
        ["A", "B", "C"].flatMap { four in
            (0..<3).map { five in "one.two.three\(i < 10 ? "0" : "")\(i).four\(four).five\(five)" }
        }
    }

    static func store() async throws -> InMemoryMetricStore {
        let store = InMemoryMetricStore()
        var batch = MetricBatch()
        for name in names {
            let slot = batch.beginSeries(Labels(metricName: name), kind: .unspecified)
            batch.append(seriesSlot: slot, timestampMillis: F.day, value: 1)
        }
        try await store.append(batch, org: F.org)
        return store
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var query: String
        var count: Int
        var testDescription: String { "\(query) → \(count)" }
    }

    static let globs: [Case] = [
        Case(query: "one.two.{three00,three01}.fourA.five0", count: 2),
        Case(query: "one.two.three0?.fourA.five0", count: 10),
        Case(query: "one.two.three0[0-9].fourA.five0", count: 10),
        Case(query: "one.two.three0[!0-4].fourA.five0", count: 5),
        Case(query: "one.two.*", count: 180),
        Case(query: "*.fourA.*", count: 60),
        Case(query: "*", count: 180),
        Case(query: "*five2", count: 60),
        Case(query: "one.two.three19.fourC.five2", count: 1),
        Case(query: "one.two.three19.fourC", count: 0),
        Case(query: "one?two.three19.fourC.five2", count: 1),
        Case(query: "one\\.two.three19.fourC.five2", count: 1),
        Case(query: "two", count: 0),
    ]

    @Test("metrics/search globs match full names, * crossing dots", arguments: globs)
    func metricsGlob(c: Case) async throws {
        let found = try await BluefloodSearch(store: try await Self.store()).metrics(org: F.org, query: c.query)
        #expect(found.count == c.count)
        #expect(found.map(\.name) == found.map(\.name).sorted())
    }

    @Test("uncompilable patterns throw", arguments: ["query ! with bad \\ characters ? <>", "a[b", "a{b,c", "a\\", "a[b[c]]", "x.{a,{b,c}}"])
    func invalidGlob(query: String) async throws {
        await #expect(throws: BluefloodSearchError.self) {
            _ = try await BluefloodSearch(store: InMemoryMetricStore()).metrics(org: F.org, query: query)
        }
    }

    @Test("metrics/search reports units, hides counter and timer parts, lists a set once")
    func partsAndUnits() async throws {
        let store = InMemoryMetricStore()
        try await F.append(store, "test.search.0", [(F.day, 1)])
        try await F.metadata(store, "test.search.0", MetricMetadata(unit: "ms", vendorType: "basic"))
        try await F.append(store, "test.search.1", [(F.day, 1)])
        try await F.append(store, "test.search.c", [(F.day, 1)])
        try await F.append(store, "test.search.c:rate", [(F.day, 1)])
        try await F.append(store, "test.search.c:sampleCount", [(F.day, 1)])
        try await F.metadata(store, "test.search.c", MetricMetadata(vendorType: "counter"))
        try await F.timerFlush(store, "test.search.t", at: F.day, count: 2, rate: 1, min: 1, max: 3, sum: 4, std: 1, percentiles: ["50": 2])
        try await F.metadata(store, "test.search.t", MetricMetadata(vendorType: "timer"))
        for value in ["cow", "dog"] {
            try await F.append(store, BluefloodSeriesNaming.setLabels("test.search.s", value: value), [(F.day, 1)])
        }
        try await F.metadata(store, "test.search.s", MetricMetadata(vendorType: "set"))
        // A colon name that is not a part (no counter or timer behind it) stays visible.
        try await F.append(store, "job:rate5m", [(F.day, 1)])
        let search = BluefloodSearch(store: store)
        let found = try await search.metrics(org: F.org, query: "test.search.*")
        #expect(found.map(\.name) == ["test.search.0", "test.search.1", "test.search.c", "test.search.s", "test.search.t"])
        #expect(found.map(\.unit) == ["ms", nil, nil, nil, nil])
        #expect(String(buffer: BluefloodSearch.renderMetrics(Array(found.prefix(2))))
            == #"[{"metric":"test.search.0","unit":"ms"},{"metric":"test.search.1"}]"#)
        #expect(try await search.metrics(org: F.org, query: "*:*").map(\.name) == ["job:rate5m"])
        #expect(try await search.metrics(org: F.org, query: "dne.x").isEmpty)
        #expect(String(buffer: BluefloodSearch.renderMetrics([])) == "[]")
        let names = try await search.names(org: F.org, query: "test.search.*")
        #expect(names.map(\.name) == ["test.search.0", "test.search.1", "test.search.c", "test.search.s", "test.search.t"])
    }

    @Test("results stop at the discovery limit")
    func limit() async throws {
        let search = BluefloodSearch(store: try await Self.store(), maxResults: 7)
        #expect(try await search.metrics(org: F.org, query: "*").count == 7)
        #expect(try await search.names(org: F.org, query: "one.two.*").count == 7)
    }

    static let levels: [Case] = [
        Case(query: "*", count: 1),
        Case(query: "one.*", count: 1),
        Case(query: "one.two.*", count: 20),
        Case(query: "one.two.three*.*", count: 60),
        Case(query: "*.*.*", count: 20),
        Case(query: "one.two.three00.fourA.*", count: 3),
        Case(query: "one.two.three0{0,1}.four[AB].five?", count: 12),
        Case(query: "one.two.three00.fourA.five0.six", count: 0),
        Case(query: "two.*", count: 0),
    ]

    @Test("metric_name/search lists one level, * within a level", arguments: levels)
    func nameLevels(c: Case) async throws {
        let found = try await BluefloodSearch(store: try await Self.store()).names(org: F.org, query: c.query)
        #expect(found.count == c.count)
        let depth = c.query.split(separator: ".").count
        #expect(found.allSatisfy { $0.name.split(separator: ".").count == depth })
        #expect(found.allSatisfy { $0.isLeaf == (depth == 5) })
    }

    @Test("metric_name/search flags leaves and branches, a name both when it is both (B51, B52)")
    func leaves() async throws {
        let store = try await Self.store()
        try await F.append(store, "one.foo.three00.bar.baz", [(F.day, 1)])
        try await F.append(store, "one.two", [(F.day, 1)])
        let search = BluefloodSearch(store: store)
        let top = try await search.names(org: F.org, query: "*")
        #expect(String(buffer: BluefloodSearch.renderNames(top)) == #"[{"one":false}]"#)
        let exact = try await search.names(org: F.org, query: "one.foo.three00.bar.baz")
        #expect(String(buffer: BluefloodSearch.renderNames(exact)) == #"[{"one.foo.three00.bar.baz":true}]"#)
        let second = try await search.names(org: F.org, query: "one.*")
        #expect(String(buffer: BluefloodSearch.renderNames(second)) == #"[{"one.foo":false},{"one.two":false},{"one.two":true}]"#)
        let third = try await search.names(org: F.org, query: "one.two.*")
        #expect(third.first.map { "\($0.name) \($0.isLeaf)" } == "one.two.three00 false")
    }
}
