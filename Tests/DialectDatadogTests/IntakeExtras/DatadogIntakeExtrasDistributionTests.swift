import BasinModel
import BasinTestKit
import BasinWire
import Testing

@testable import DialectDatadog

@Suite("DatadogIntakeExtras distribution points")
struct DatadogIntakeExtrasDistributionTests {
    static let options = DatadogIntakeOptions(nowMillis: 1_800_000_000_000)

    func decode(_ body: String) -> Result<(MetricBatch, DatadogIntakeResult), WireError> {
        Array(body.utf8).withUnsafeBytes { raw in
            var batch = MetricBatch()
            do throws(WireError) {
                let result = try DatadogDistributionDecoder(options: Self.options).decode(raw, into: &batch)
                return .success((batch, result))
            } catch {
                return .failure(error)
            }
        }
    }

    /// stat name → (timestamp, value) samples, for series of `metric`.
    func stats(_ batch: MetricBatch) -> [String: [(Int64, Double)]] {
        var out: [String: [(Int64, Double)]] = [:]
        for i in 0..<batch.values.count {
            let labels = batch.labels(at: Int(batch.seriesSlots[i]))
            var stat = labels[DatadogDistributionDecoder.statLabel] ?? "?"
            if stat == "bin" { stat += ":" + (labels[DatadogDistributionDecoder.binLabel] ?? "?") }
            out[stat, default: []].append((batch.timestampsMillis[i], batch.values[i]))
        }
        return out
    }

    @Test("§7.15 two values give count 2, sum 3, min 1, max 2 (avg 1.5)")
    func validPoint() throws {
        let (batch, result) = try decode(#"{"series":[{"metric":"system.load.1.dist","points":[[1700000000,[1.0,2.0]]]}]}"#).get()
        let s = stats(batch)
        #expect(result.accepted == 2)
        #expect(s["count"]?.map(\.1) == [2])
        #expect(s["sum"]?.map(\.1) == [3])
        #expect(s["min"]?.map(\.1) == [1])
        #expect(s["max"]?.map(\.1) == [2])
        #expect(s["count"]?.first?.0 == 1_700_000_000_000)
        let bins = s.filter { $0.key.hasPrefix("bin:") }
        #expect(bins.values.reduce(0) { $0 + $1.reduce(0) { $0 + $1.1 } } == 2)
        #expect(batch.series.allSatisfy { $0.metricName == "system.load.1.dist" })
    }

    @Test("§7.14 a scalar second element is refused")
    func scalarPoint() {
        guard case .failure(let error) = decode(#"{"series":[{"metric":"system.load.1.dist","points":[[1475317847.0,1.0]]}]}"#) else {
            Issue.record("accepted")
            return
        }
        #expect(error.kind == .badRequest)
    }

    @Test("Captured bodies decode", arguments: [
        ("datadogpy/013", #"{"series": [{"metric": "capture.ts.latency.dist", "points": [[1795350960.0, [0.25, 0.75]]], "type": "distribution", "host": null, "device": null, "tags": ["page:home", "team:core"], "interval": 10}]}"#, 2, ["page": "home", "team": "core"]),
        ("datadog-api-client/007", #"{"series": [{"host": "web-1", "tags": ["env:prod"], "metric": "capture.ddapi.v1.dist", "points": [[1795350969.0, [1.0, 2.0, 3.0]]]}]}"#, 3, ["env": "prod", "host": "web-1"]),
    ] as [(String, String, Int, [String: String])])
    func captures(_ name: String, _ body: String, _ values: Int, _ labels: [String: String]) throws {
        let (batch, result) = try decode(body).get()
        #expect(result.accepted == values)
        for series in batch.series {
            for (key, value) in labels { #expect(series[key] == value) }
        }
    }

    @Test("Points of one series and second merge; nulls and NaN are dropped")
    func mergesAndDrops() throws {
        let (batch, result) = try decode(#"{"series":[{"metric":"d","points":[[1700000000,[1,null]],[1700000000.5,[5,NaN]],[1700000010,[2]]]}]}"#).get()
        let s = stats(batch)
        #expect(s["count"]?.map(\.1) == [2, 1])
        #expect(s["max"]?.map(\.1) == [5, 2])
        #expect(result.dropped == 2)
    }

    @Test("{} and an empty series list store nothing", arguments: ["{}", #"{"series":[]}"#])
    func empty(_ body: String) throws {
        let (batch, _) = try decode(body).get()
        #expect(batch.isEmpty)
    }

    @Test("Percentiles from the bins are within 1 % for several value shapes", arguments: [UInt64(1), 2, 3, 4])
    func quantileAccuracy(seed: UInt64) {
        var generator = SeededGenerator(seed: seed)
        var values: [Double] = []
        for _ in 0..<2000 {
            let magnitude = Double.random(in: -6...9, using: &generator)
            values.append(Foundation.pow(10, magnitude) * (seed == 4 && Bool.random(using: &generator) ? -1 : 1))
        }
        var sketch = DatadogDistributionSketch()
        values.forEach { sketch.add($0) }
        let sorted = values.sorted()
        for q in [0.5, 0.75, 0.9, 0.95, 0.99] {
            let exact = sorted[Int((q * Double(sorted.count - 1)).rounded(.down))]
            let estimate = sketch.quantile(q) ?? .nan
            #expect(abs(estimate - exact) <= abs(exact) * 0.01, "seed \(seed) q \(q): \(estimate) vs \(exact)")
        }
    }

    @Test("The bin mapping is the Agent's: §7.43 keys bound their values")
    func agentMapping() {
        #expect(DatadogDistributionSketch.key(for: 8) == 1472)
        #expect(DatadogDistributionSketch.key(for: 0) == 0)
        #expect(DatadogDistributionSketch.key(for: -8) == -1472)
        #expect(abs(DatadogDistributionSketch.lowerBound(ofKey: 1472) - 7.98) < 0.01)
    }
}

import Foundation
