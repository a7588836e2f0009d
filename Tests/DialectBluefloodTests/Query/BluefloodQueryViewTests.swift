import BasinModel
import BasinTestKit
import StorageAPI
import Testing

@testable import DialectBlueflood

/// Views of basic metrics and gauges (§8, §10): bucket boundaries, default statistics, number forms, TTLs.
@Suite("Blueflood query views")
struct BluefloodQueryViewTests {
    typealias F = BluefloodQueryFixture

    @Test("1440 samples a minute apart over exactly 24 h give 1440, 289, 73, 25, 7, 2 points (B44)")
    func rollupCounts() async throws {
        let store = InMemoryMetricStore()
        // An instant that is not aligned to any bucket size.
        let start = F.day + 64 * F.minute + 17_000
        try await F.append(store, "a.b.c", (0..<1440).map { (start + Int64($0) * F.minute, Double($0)) })
        try await F.metadata(store, "a.b.c", MetricMetadata(vendorType: "basic", ttlSeconds: 172_800))
        let end = start + 86_400_000
        var counts: [Int] = []
        for g in BluefloodGranularity.allCases {
            let view = try await F.reader(store).view(org: F.org, metricName: "a.b.c", request: F.request(start, end, g), nowMillis: end)
            counts.append(view.points.count)
            #expect(view.points.map(\.timestampMillis) == view.points.map(\.timestampMillis).sorted())
            #expect(view.points.reduce(0) { $0 + ($1["numPoints"]?.doubleValue ?? 0) } == 1440, "\(g.name)")
        }
        #expect(counts == [1440, 289, 73, 25, 7, 2])
    }

    @Test("a bucket of the integer samples 2, 4, 4 averages to the integer 3 (B54)")
    func integerAverage() async throws {
        let store = InMemoryMetricStore()
        try await F.append(store, "ints", [(F.day + 1_000, 2), (F.day + 2_000, 4), (F.day + 3_000, 4)])
        let view = try await F.reader(store).view(
            org: F.org, metricName: "ints", request: F.request(F.day, F.day + 300_000, .min5, select: [.average, .min, .max, .variance, .sum]),
            nowMillis: F.day + 300_000)
        #expect(view.points.count == 1)
        let p = view.points[0]
        #expect(p.timestampMillis == F.day)
        #expect(p["average"] == .integer(3))
        #expect(p["min"] == .integer(2) && p["max"] == .integer(4))
        #expect(p["sum"] == .double(10))
        #expect(abs((p["variance"]?.doubleValue ?? 0) - 8.0 / 9.0) < 1e-12)
        #expect(F.text(BluefloodViewRenderer.single(view)).contains(#""average":3,"#))
    }

    @Test("non-integer samples average in doubles; extremes keep full precision")
    func doubleAverage() async throws {
        let store = InMemoryMetricStore()
        try await F.append(store, "floats", [(F.day + 1_000, 2), (F.day + 2_000, 4.5), (F.day + 3_000, 4)])
        let view = try await F.reader(store).view(
            org: F.org, metricName: "floats", request: F.request(F.day, F.day + 1, .min5, select: [.average, .max]), nowMillis: F.day)
        #expect(view.points[0].stats.map(\.name) == ["average", "max"])
        #expect(view.points[0]["average"] == .double(3.5))
        #expect(view.points[0]["max"] == .double(4.5))
    }

    @Test("the first bucket starts at from snapped down; the last starts at or before to; empty buckets are left out")
    func bucketEdges() async throws {
        let store = InMemoryMetricStore()
        let g = BluefloodGranularity.min5.millis
        // Samples at the edges of buckets: [day, day+g) holds day and day+g−1; day+g opens the next.
        try await F.append(store, "edges", [(F.day, 1), (F.day + g - 1, 1), (F.day + g, 5), (F.day + 3 * g, 7), (F.day + 4 * g, 9)])
        let view = try await F.reader(store).view(
            org: F.org, metricName: "edges", request: F.request(F.day + 10, F.day + 3 * g, .min5), nowMillis: F.day)
        #expect(view.points.map(\.timestampMillis) == [F.day, F.day + g, F.day + 3 * g])
        #expect(view.points.map { $0["numPoints"] } == [.integer(2), .integer(1), .integer(1)])
        #expect(view.points.map(\.names) == Array(repeating: ["average", "numPoints", "sum"], count: 3))
    }

    @Test("FULL gives raw samples within [from, to] with average and numPoints")
    func fullBasic() async throws {
        let store = InMemoryMetricStore()
        try await F.append(store, "raw", [(F.day - 1, 1), (F.day, 66), (F.day + 500, 1.25), (F.day + 1000, 3), (F.day + 1001, 4)])
        try await F.metadata(store, "raw", MetricMetadata(unit: "ms", vendorType: "basic", ttlSeconds: 86_400))
        let view = try await F.reader(store).view(org: F.org, metricName: "raw", request: F.request(F.day, F.day + 1000, .full), nowMillis: F.day)
        #expect(view.unit == "ms" && view.type == .basic)
        #expect(view.points == [
            BluefloodPoint(timestampMillis: F.day, stats: [("average", .integer(66)), ("numPoints", .integer(1))]),
            BluefloodPoint(timestampMillis: F.day + 500, stats: [("average", .double(1.25)), ("numPoints", .integer(1))]),
            BluefloodPoint(timestampMillis: F.day + 1000, stats: [("average", .integer(3)), ("numPoints", .integer(1))]),
        ])
    }

    @Test("FULL with a select reports a raw sample's value as every statistic, variance 0")
    func fullSelect() async throws {
        let store = InMemoryMetricStore()
        try await F.append(store, "raw", [(F.day, 7.5)])
        let view = try await F.reader(store).view(
            org: F.org, metricName: "raw", request: F.request(F.day, F.day + 1, .full, select: BluefloodStat.allCases), nowMillis: F.day)
        #expect(view.points == [BluefloodPoint(timestampMillis: F.day, stats: [
            ("average", .double(7.5)), ("min", .double(7.5)), ("max", .double(7.5)), ("numPoints", .integer(1)),
            ("variance", .double(0)), ("sum", .double(7.5)),
        ])])
    }

    @Test("a gauge reports numPoints and latest")
    func gauge() async throws {
        let store = InMemoryMetricStore()
        try await F.append(store, "3333333.G1s", kind: .gauge, [(F.day + 1_000, 397), (F.day + 16_000, 12.5), (F.day + 31_000, 401)])
        try await F.metadata(store, "3333333.G1s", MetricMetadata(vendorType: "gauge", ttlSeconds: Blueflood.aggregatedTTLSeconds))
        let reader = F.reader(store)
        let full = try await reader.view(org: F.org, metricName: "3333333.G1s", request: F.request(F.day, F.day + 2_000, .full), nowMillis: F.day)
        #expect(full.unit == "unknown")
        #expect(full.points == [BluefloodPoint(timestampMillis: F.day + 1_000, stats: [("numPoints", .integer(1)), ("latest", .integer(397))])])
        let rollup = try await reader.view(org: F.org, metricName: "3333333.G1s", request: F.request(F.day, F.day + 60_000, .min5), nowMillis: F.day)
        #expect(rollup.points == [BluefloodPoint(timestampMillis: F.day, stats: [("numPoints", .integer(3)), ("latest", .integer(401))])])
    }

    @Test("an unknown metric has no points and the unit unknown")
    func unknown() async throws {
        let view = try await F.reader(InMemoryMetricStore()).view(
            org: F.org, metricName: "nope", request: F.request(F.day, F.day + 1, .min60), nowMillis: F.day)
        #expect(view.points.isEmpty && view.unit == "unknown" && view.type == .basic)
        #expect(F.text(BluefloodViewRenderer.single(view))
            == #"{"unit":"unknown","values":[],"metadata":{"limit":null,"next_href":null,"count":0,"marker":null}}"#)
    }

    @Test("FULL hides samples older than the metric's TTL; roll-ups keep them for the granularity's TTL (§13)")
    func ttl() async throws {
        let store = InMemoryMetricStore()
        let now = F.day + 12 * 3_600_000
        // Hourly samples over the last 12 hours, kept for 3 hours at FULL.
        try await F.append(store, "short", (0..<12).map { (F.day + Int64($0) * 3_600_000 + 1, 1) })
        try await F.metadata(store, "short", MetricMetadata(vendorType: "basic", ttlSeconds: 3 * 3600))
        let reader = F.reader(store)
        let full = try await reader.view(org: F.org, metricName: "short", request: F.request(F.day, now, .full), nowMillis: now)
        #expect(full.points.map(\.timestampMillis) == (9..<12).map { F.day + Int64($0) * 3_600_000 + 1 })
        let hourly = try await reader.view(org: F.org, metricName: "short", request: F.request(F.day, now, .min60), nowMillis: now)
        #expect(hourly.points.count == 12)
        // Eleven days later MIN5 data has expired too, MIN60 has not.
        let later = now + 11 * 86_400_000
        let min5 = try await reader.view(org: F.org, metricName: "short", request: F.request(F.day, now, .min5), nowMillis: later)
        #expect(min5.points.isEmpty)
        let min60 = try await reader.view(org: F.org, metricName: "short", request: F.request(F.day, now, .min60), nowMillis: later)
        #expect(min60.points.count == 12)
    }

    @Test("another dialect's labelled series of one name combine per bucket")
    func otherDialectSeries() async throws {
        let store = InMemoryMetricStore()
        let host = { (h: String) in Labels(metricName: "system.cpu", [(name: "host", value: h)]) }
        try await F.append(store, host("a"), kind: .gauge, [(F.day + 1_000, 1), (F.day + 2_000, 2), (F.day + 3_000, 3)])
        try await F.append(store, host("b"), kind: .gauge, [(F.day + 1_500, 10), (F.day + 2_500, 20)])
        let request = F.request(F.day, F.day + 1, .min5, select: [.average, .min, .max, .numPoints, .variance, .sum, .latest])
        let view = try await F.reader(store).view(org: F.org, metricName: "system.cpu", request: request, nowMillis: F.day)
        #expect(view.type == .gauge)
        let p = try #require(view.points.first)
        let values: [Double] = [1, 2, 3, 10, 20]
        let mean = values.reduce(0, +) / 5
        let variance = values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 5
        #expect(p["numPoints"] == .integer(5))
        // A gauge has no sum (§10): selected, it is omitted.
        #expect(p.names == ["average", "min", "max", "numPoints", "variance", "latest"])
        #expect(p["average"] == .integer(7))  // 36 / 5 in integer arithmetic: every sample is an integer
        #expect(p["min"] == .integer(1) && p["max"] == .integer(20))
        #expect(abs((p["variance"]?.doubleValue ?? 0) - variance) < 1e-9)
        #expect(p["latest"] != nil)
        // At FULL, samples of different series at one time combine too.
        try await F.append(store, host("b"), kind: .gauge, [(F.day + 1_000, 5)])
        let full = try await F.reader(store).view(
            org: F.org, metricName: "system.cpu", request: F.request(F.day + 1_000, F.day + 1_000 + 1, .full, select: [.numPoints, .average]), nowMillis: F.day)
        #expect(full.points.first == BluefloodPoint(timestampMillis: F.day + 1_000, stats: [("average", .integer(3)), ("numPoints", .integer(2))]))
    }

    @Test("another dialect's delta counts read as a counter: sum and numPoints")
    func otherDialectCounts() async throws {
        let store = InMemoryMetricStore()
        try await F.append(store, Labels(metricName: "req", [(name: "code", value: "200")]), kind: .count, [(F.day + 1_000, 4), (F.day + 11_000, 6)])
        try await F.append(store, Labels(metricName: "req", [(name: "code", value: "500")]), kind: .count, [(F.day + 1_000, 1)])
        let view = try await F.reader(store).view(org: F.org, metricName: "req", request: F.request(F.day, F.day + 1, .min5), nowMillis: F.day)
        #expect(view.type == .counter)
        #expect(view.points == [BluefloodPoint(timestampMillis: F.day, stats: [("numPoints", .integer(3)), ("sum", .integer(11))])])
    }

    @Test("a batch reads each distinct name once, in request order")
    func batch() async throws {
        let store = InMemoryMetricStore()
        try await F.append(store, "g1", kind: .gauge, [(F.day, 397)])
        try await F.append(store, "g2", kind: .gauge, [(F.day, 56)])
        let views = try await F.reader(store).views(
            org: F.org, metricNames: ["g2", "g1", "g2", "missing"], request: F.request(F.day, F.day + 1, .full), nowMillis: F.day)
        #expect(views.map(\.metricName) == ["g2", "g1", "missing"])
        #expect(views.map { $0.points.first?["latest"] } == [.integer(56), .integer(397), nil])
    }

    @Test("a roll-up over more buckets than the sample limit is refused")
    func bucketLimit() async throws {
        let reader = BluefloodViewReader(store: InMemoryMetricStore(), maxSeries: 10, maxSamples: 100)
        await #expect(throws: StorageError.self) {
            _ = try await reader.view(org: F.org, metricName: "x", request: F.request(0, 300_000 * 200, .min5), nowMillis: 0)
        }
    }
}
