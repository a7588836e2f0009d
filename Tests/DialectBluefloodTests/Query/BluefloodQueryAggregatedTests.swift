import BasinModel
import BasinTestKit
import StorageAPI
import Testing

@testable import DialectBlueflood

/// Views of statsd counters, timers and sets, read from the series `BluefloodSeriesNaming` describes (§5, §10).
@Suite("Blueflood query aggregated types")
struct BluefloodQueryAggregatedTests {
    typealias F = BluefloodQueryFixture

    static func counterStore() async throws -> InMemoryMetricStore {
        let store = InMemoryMetricStore()
        // Three 15 s flushes: counts 317, 100, 3; rates count/15; sample counts floor(rate × 15).
        for (i, count) in [317.0, 100, 3].enumerated() {
            let t = F.day + 1_000 + Int64(i) * 15_000
            try await F.append(store, "internal.packets_received", kind: .count, [(t, count)])
            try await F.append(store, "internal.packets_received:rate", kind: .rate, [(t, count / 15)])
            try await F.append(store, "internal.packets_received:sampleCount", kind: .count, [(t, (count / 15 * 15).rounded(.down))])
        }
        try await F.metadata(store, "internal.packets_received", MetricMetadata(vendorType: "counter", ttlSeconds: Blueflood.aggregatedTTLSeconds))
        return store
    }

    @Test("a counter reports numPoints = Σ sample count and sum = Σ count, plus rate when selected")
    func counter() async throws {
        let store = try await Self.counterStore()
        let reader = F.reader(store)
        let full = try await reader.view(
            org: F.org, metricName: "internal.packets_received", request: F.request(F.day, F.day + 2_000, .full), nowMillis: F.day)
        #expect(full.type == .counter)
        #expect(full.points == [BluefloodPoint(timestampMillis: F.day + 1_000, stats: [("numPoints", .integer(317)), ("sum", .integer(317))])])
        let rollup = try await reader.view(
            org: F.org, metricName: "internal.packets_received",
            request: F.request(F.day, F.day + 60_000, .min5, select: [.numPoints, .sum, .rate, .average]), nowMillis: F.day)
        let p = try #require(rollup.points.first)
        #expect(rollup.points.count == 1)
        #expect(p.names == ["numPoints", "sum", "rate"])
        #expect(p["numPoints"] == .integer(420) && p["sum"] == .integer(420))
        // Blueflood's Σ count / Σ (count / rate): equal flush intervals make it the mean rate.
        #expect(abs((p["rate"]?.doubleValue ?? 0) - 420.0 / 45) < 1e-9)
    }

    @Test("a counter flush whose sample count is 0 keeps numPoints 0 and nulls the rest")
    func zeroSampleCount() async throws {
        let store = InMemoryMetricStore()
        try await F.append(store, "slow", kind: .count, [(F.day, 1)])
        try await F.append(store, "slow:sampleCount", kind: .count, [(F.day, 0)])
        try await F.metadata(store, "slow", MetricMetadata(vendorType: "counter"))
        let view = try await F.reader(store).view(org: F.org, metricName: "slow", request: F.request(F.day, F.day + 1, .full), nowMillis: F.day)
        #expect(view.points == [BluefloodPoint(timestampMillis: F.day, stats: [("numPoints", .integer(0)), ("sum", nil)])])
    }

    @Test("a timer reports rate, numPoints = Σ count and average = Σ sum / Σ count; min, max, sum, variance and percentiles on request")
    func timer() async throws {
        let store = InMemoryMetricStore()
        try await F.timerFlush(store, "3333333.T200ms", at: F.day + 1_000, count: 74, rate: 4.93, min: 1, max: 491, sum: 18082, std: 142.1,
                               percentiles: ["50": 121.7, "99": 480, "99.9": 490])
        try await F.timerFlush(store, "3333333.T200ms", at: F.day + 16_000, count: 26, rate: 1.73, min: 3, max: 200, sum: 2600, std: 50,
                               percentiles: ["50": 90, "99": 190, "99.9": 199])
        try await F.metadata(store, "3333333.T200ms", MetricMetadata(vendorType: "timer", ttlSeconds: Blueflood.aggregatedTTLSeconds))
        let reader = F.reader(store)
        let defaults = try await reader.view(
            org: F.org, metricName: "3333333.T200ms", request: F.request(F.day, F.day + 60_000, .min5), nowMillis: F.day)
        let p = try #require(defaults.points.first)
        #expect(defaults.type == .timer && defaults.points.count == 1)
        #expect(p.names == ["average", "numPoints", "rate"])
        #expect(p["numPoints"] == .integer(100))
        #expect(abs((p["average"]?.doubleValue ?? 0) - 20682.0 / 100) < 1e-9)
        #expect(abs((p["rate"]?.doubleValue ?? 0) - (4.93 + 1.73) / 2) < 1e-9)
        let all = try await reader.view(
            org: F.org, metricName: "3333333.T200ms", request: F.request(F.day, F.day + 60_000, .min5, select: BluefloodStat.allCases),
            nowMillis: F.day)
        let q = try #require(all.points.first)
        #expect(q.names == ["average", "min", "max", "numPoints", "variance", "sum", "rate", "pct_50", "pct_99", "pct_99.9"])
        #expect(q["min"] == .integer(1) && q["max"] == .integer(491) && q["sum"] == .double(20682))
        #expect(abs((q["pct_50"]?.doubleValue ?? 0) - 105.85) < 1e-9)
        let averages = [18082.0 / 74, 2600.0 / 26]
        let between = ((averages[0] - averages[1]) / 2) * ((averages[0] - averages[1]) / 2)
        #expect(abs((q["variance"]?.doubleValue ?? 0) - ((142.1 * 142.1 + 50 * 50) / 2 + between)) < 1e-6)
        let full = try await reader.view(
            org: F.org, metricName: "3333333.T200ms", request: F.request(F.day, F.day + 60_000, .full), nowMillis: F.day)
        #expect(full.points.map(\.timestampMillis) == [F.day + 1_000, F.day + 16_000])
        #expect(full.points[0]["numPoints"] == .integer(74))
    }

    @Test("a set reports numPoints = distinct values with a sample in the bucket")
    func set() async throws {
        let store = InMemoryMetricStore()
        let flushes: [(Int64, [String])] = [(F.day + 1_000, ["cow", "dog", "cat"]), (F.day + 16_000, ["cow", "emu"]), (F.day + 400_000, ["cow"])]
        for (t, values) in flushes {
            for value in values { try await F.append(store, BluefloodSeriesNaming.setLabels("3333333.S500ms", value: value), [(t, 1)]) }
        }
        try await F.metadata(store, "3333333.S500ms", MetricMetadata(vendorType: "set", ttlSeconds: Blueflood.aggregatedTTLSeconds))
        let reader = F.reader(store)
        let rollup = try await reader.view(
            org: F.org, metricName: "3333333.S500ms", request: F.request(F.day, F.day + 600_000, .min5, select: [.numPoints, .average]),
            nowMillis: F.day)
        #expect(rollup.type == .set)
        #expect(rollup.points == [
            BluefloodPoint(timestampMillis: F.day, stats: [("numPoints", .integer(4))]),
            BluefloodPoint(timestampMillis: F.day + 300_000, stats: [("numPoints", .integer(1))]),
        ])
        let full = try await reader.view(org: F.org, metricName: "3333333.S500ms", request: F.request(F.day, F.day + 20_000, .full), nowMillis: F.day)
        #expect(full.points.map { $0["numPoints"] } == [.integer(3), .integer(2)])
    }

    @Test("a timer without a sum part averages its stored averages")
    func timerWithoutSum() async throws {
        let store = InMemoryMetricStore()
        try await F.append(store, "t", kind: .summary, [(F.day + 1, 10), (F.day + 2, 20)])
        try await F.append(store, "t:count", kind: .summary, [(F.day + 1, 3), (F.day + 2, 1)])
        try await F.metadata(store, "t", MetricMetadata(vendorType: "timer"))
        let view = try await F.reader(store).view(org: F.org, metricName: "t", request: F.request(F.day, F.day + 1, .min5), nowMillis: F.day)
        #expect(view.points == [BluefloodPoint(timestampMillis: F.day, stats: [("average", .double(15)), ("numPoints", .integer(4))])])
    }
}
