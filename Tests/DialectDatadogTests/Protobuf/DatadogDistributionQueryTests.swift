import BasinModel
import BasinTestKit
import BasinWire
import Foundation
import QueryEngine
import StorageAPI
import Testing

@testable import DialectDatadog

@Suite("DatadogDistributionQuery")
struct DatadogDistributionQueryTests {
    static let org = OrgID("acme")
    static let now: Int64 = 1_800_000_000_000

    /// A store holding `samples[host][i]` as Agent sketches of `metric` at 1700000000 + 10·i.
    static func store(metric: String, samples: [String: [[Double]]]) async throws -> InMemoryMetricStore {
        let store = InMemoryMetricStore()
        let sketches = samples.keys.sorted().map { host in
            TestSketch(metric: metric, host: host, tags: ["env:test"], dogsketches: samples[host]!.enumerated().map { i, values in
                TestDogsketch.from(values, ts: 1_700_000_000 + Int64(i) * 10)
            })
        }
        let body = encodeSketchPayload(sketches)
        let batch: MetricBatch = try body.withUnsafeBytes { raw in
            var batch = MetricBatch()
            _ = try DatadogSketchDecoder(options: DatadogIntakeOptions(nowMillis: now)).decode(raw, into: &batch)
            return batch
        }
        try await store.append(batch, org: org)
        try await store.updateMetricMetadata(org: org, [metric: MetricMetadata(dialect: "datadog", vendorType: "distribution")])
        return store
    }

    static func run(_ store: InMemoryMetricStore, _ query: String, from: Int64 = 1_699_999_990, to: Int64 = 1_700_000_100) async throws -> [DatadogSeries] {
        let evaluator = DatadogQueryEvaluator(store: store, org: org, limits: QueryLimits(), maxPoints: 10_000, maxSeries: 10_000)
        return try await evaluator.run(query, fromSeconds: from, toSeconds: to).series.map(\.series)
    }

    /// The value at `seconds` of the only series.
    static func value(_ series: [DatadogSeries], at seconds: Int64, from: Int64 = 1_699_999_990) -> Double? {
        guard series.count == 1 else { return nil }
        // 110 s range ⇒ 1 s buckets starting at `from`.
        let index = Int(seconds - from)
        return index < series[0].values.count ? series[0].values[index] : nil
    }

    static func samples(seed: UInt64, count: Int, shape: Int) -> [Double] {
        var g = SeededGenerator(seed: seed)
        return (0..<count).map { _ in
            switch shape {
            case 0: return Foundation.exp(Double.random(in: 0...1, using: &g) * 2 + Double.random(in: 0...1, using: &g))   // skewed
            case 1: return Double.random(in: 100...200, using: &g)                                                           // uniform
            case 2: return Foundation.pow(10, Double.random(in: -3...5, using: &g))                                          // wide
            default: return Double(Int.random(in: 1...20, using: &g))                                                         // discrete
            }
        }
    }

    @Test("pXX over several hosts' sketches is within 1 % of the exact percentile of all samples", arguments: [
        (UInt64(1), 0), (2, 1), (3, 2), (4, 3),
    ])
    func percentiles(seed: UInt64, shape: Int) async throws {
        let hosts = ["a": [Self.samples(seed: seed, count: 1500, shape: shape)],
                     "b": [Self.samples(seed: seed &+ 100, count: 700, shape: shape)],
                     "c": [Self.samples(seed: seed &+ 200, count: 300, shape: shape)]]
        let store = try await Self.store(metric: "lat", samples: hosts)
        let all = hosts.values.flatMap { $0[0] }.sorted()
        for (aggregator, q) in [("p50", 0.5), ("p75", 0.75), ("p90", 0.9), ("p95", 0.95), ("p99", 0.99)] {
            let exact = all[Int((q * Double(all.count - 1)).rounded(.down))]
            let got = Self.value(try await Self.run(store, "\(aggregator):lat{*}"), at: 1_700_000_000) ?? .nan
            #expect(abs(got - exact) <= abs(exact) * 0.01, "\(aggregator) shape \(shape): \(got) vs \(exact)")
        }
        // Per host with by {host}.
        let grouped = try await Self.run(store, "p90:lat{env:test} by {host}")
        #expect(grouped.map(\.tagSet) == [["host:a"], ["host:b"], ["host:c"]])
        for series in grouped {
            let host = String(series.tagSet[0].dropFirst(5))
            let sorted = hosts[host]![0].sorted()
            let exact = sorted[Int((0.9 * Double(sorted.count - 1)).rounded(.down))]
            let got = series.values[10] ?? .nan
            #expect(abs(got - exact) <= abs(exact) * 0.01, "host \(host): \(got) vs \(exact)")
            #expect(series.aggr == "p90")
            #expect(series.expression == "p90:lat{env:test,host:\(host)}")
        }
    }

    @Test("count, sum, avg, min, max combine the stored parts exactly; no aggregator means avg")
    func basicAggregators() async throws {
        let store = try await Self.store(metric: "d", samples: ["a": [[1, 2, 3], [10]], "b": [[4, 5], []]])
        let t0: Int64 = 1_700_000_000, t1: Int64 = 1_700_000_010
        func at(_ query: String, _ t: Int64) async throws -> Double? { Self.value(try await Self.run(store, query), at: t) }
        #expect(try await at("count:d{*}", t0) == 5)
        #expect(try await at("sum:d{*}", t0) == 15)
        #expect(try await at("avg:d{*}", t0) == 3)
        #expect(try await at("d{*}", t0) == 3)
        #expect(try await at("min:d{*}", t0) == 1)
        #expect(try await at("max:d{*}", t0) == 5)
        #expect(try await at("count:d{host:a}", t1) == 1)
        #expect(try await at("max:d{*}", t1) == 10)
        #expect(try await at("p50:d{*}", t1) == 10)
        #expect(try await at("count:d{host:b}", t1) == nil)   // an empty sketch stores nothing
        let series = try await Self.run(store, "d{*}")
        #expect(series.first?.aggr == nil)
        #expect(series.first?.expression == "d{*}")
    }

    @Test("a distribution from /api/v1/distribution_points answers the same way")
    func distributionPoints() async throws {
        let store = InMemoryMetricStore()
        let values = Self.samples(seed: 9, count: 1000, shape: 0)
        let json = #"{"series":[{"metric":"dp","host":"h","points":[[1700000000,[\#(values.map { "\($0)" }.joined(separator: ","))]]]}]}"#
        let batch: MetricBatch = try Array(json.utf8).withUnsafeBytes { raw in
            var batch = MetricBatch()
            _ = try DatadogDistributionDecoder(options: DatadogIntakeOptions(nowMillis: Self.now)).decode(raw, into: &batch)
            return batch
        }
        try await store.append(batch, org: Self.org)
        try await store.updateMetricMetadata(org: Self.org, ["dp": MetricMetadata(vendorType: "distribution")])
        let sorted = values.sorted()
        for q in [0.5, 0.99] {
            let exact = sorted[Int((q * Double(sorted.count - 1)).rounded(.down))]
            let got = Self.value(try await Self.run(store, "p\(Int(q * 100)):dp{*}"), at: 1_700_000_000) ?? .nan
            #expect(abs(got - exact) <= exact * 0.01)
        }
        #expect(Self.value(try await Self.run(store, "count:dp{*}"), at: 1_700_000_000) == 1000)
    }

    @Test("buckets wider than a flush merge the sketches inside them")
    func wideBuckets() async throws {
        let a = Self.samples(seed: 5, count: 400, shape: 1), b = Self.samples(seed: 6, count: 400, shape: 2)
        let store = try await Self.store(metric: "w", samples: ["a": [a, b]])
        // 1 day ⇒ 300 s buckets; both flushes (…000 and …010) are in the bucket at 1699999800.
        let series = try await Self.run(store, "p75:w{*}", from: 1_699_950_000, to: 1_700_036_400)
        let all = (a + b).sorted()
        let exact = all[Int((0.75 * Double(all.count - 1)).rounded(.down))]
        let got = series.first?.values.compactMap { $0 }.first ?? .nan
        #expect(abs(got - exact) <= exact * 0.01, "\(got) vs \(exact)")
        let count = try await Self.run(store, "count:w{*}", from: 1_699_950_000, to: 1_700_036_400)
        #expect(count.first?.values.compactMap { $0 } == [800])
    }

    @Test("a metric without the distribution metadata is read as an ordinary series")
    func notADistribution() async throws {
        let store = InMemoryMetricStore()
        var batch = MetricBatch()
        batch.append(Labels(metricName: "g", [("host", "h")]), kind: .gauge, timestampMillis: 1_700_000_000_000, value: 4)
        try await store.append(batch, org: Self.org)
        #expect(Self.value(try await Self.run(store, "max:g{*}"), at: 1_700_000_000) == 4)
    }
}
