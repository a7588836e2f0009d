import BasinModel
import BasinTestKit
import BasinWire
import Foundation
import Testing

@testable import DialectDatadog

@Suite("DatadogSketch decoder")
struct DatadogSketchDecoderTests {
    static let now: Int64 = 1_800_000_000_000
    static let vector = TestDogsketch(
        ts: 1_700_000_000, cnt: 17, min: 8, max: 21, sum: 240,
        k: [0, 1472, 1473, 1479, 1480, 1503, 1504, 1512, 1513, 1514, 1515, 1531, 1532],
        n: [0, 0, 1, 0, 1, 4, 6, 1, 2, 0, 1, 0, 1])

    func decode(_ bytes: [UInt8], options: DatadogIntakeOptions = DatadogIntakeOptions(nowMillis: now)) -> Result<(MetricBatch, DatadogIntakeResult), WireError> {
        bytes.withUnsafeBytes { raw in
            var batch = MetricBatch()
            do throws(WireError) {
                let result = try DatadogSketchDecoder(options: options).decode(raw, into: &batch)
                return .success((batch, result))
            } catch {
                return .failure(error)
            }
        }
    }

    /// stat (`count`, `bin:1504`, …) → [(timestamp, value)].
    func stats(_ batch: MetricBatch) -> [String: [(Int64, Double)]] {
        var out: [String: [(Int64, Double)]] = [:]
        for i in 0..<batch.sampleCount {
            let labels = batch.labels(at: Int(batch.seriesSlots[i]))
            var stat = labels[DatadogDistributionDecoder.statLabel] ?? "?"
            if stat == "bin" { stat += ":" + (labels[DatadogDistributionDecoder.binLabel] ?? "?") }
            out[stat, default: []].append((batch.timestampsMillis[i], batch.values[i]))
        }
        return out
    }

    @Test("§7.43 dogsketch: count/sum/min/max and the non-empty bins, in the distribution_points layout", arguments: [true, false])
    func vector43(packed: Bool) throws {
        let body = encodeSketchPayload([TestSketch(metric: "dd.sketch", host: "h1", tags: ["env:prod"], dogsketches: [Self.vector])], packed: packed)
        let (batch, result) = try decode(body).get()
        let s = stats(batch)
        #expect(result.accepted == 17)
        #expect(s["count"]?.map(\.1) == [17])
        #expect(s["sum"]?.map(\.1) == [240])
        #expect(s["min"]?.map(\.1) == [8])
        #expect(s["max"]?.map(\.1) == [21])
        #expect(s["count"]?.first?.0 == 1_700_000_000_000)
        let bins = s.filter { $0.key.hasPrefix("bin:") }.mapValues { $0.map(\.1) }
        #expect(bins == ["bin:1473": [1], "bin:1480": [1], "bin:1503": [4], "bin:1504": [6], "bin:1512": [1], "bin:1513": [2], "bin:1515": [1], "bin:1532": [1]])
        for labels in batch.series {
            #expect(labels.metricName == "dd.sketch")
            #expect(labels["host"] == "h1")
            #expect(labels["env"] == "prod")
        }
        let kinds = Dictionary(uniqueKeysWithValues: zip(batch.series.map { $0[DatadogDistributionDecoder.statLabel] ?? "" }, batch.kinds).filter { $0.0 != "bin" })
        #expect(kinds == ["count": .count, "sum": .count, "min": .gauge, "max": .gauge])
    }

    @Test("the stored layout reads back with the sketch's quantiles (§7.43 within 1 %)")
    func vectorQuantiles() throws {
        let (batch, _) = try decode(encodeSketchPayload([TestSketch(metric: "d", dogsketches: [Self.vector])])).get()
        var sketch = DatadogDistributionSketch()
        for (stat, points) in stats(batch) {
            let v = points[0].1
            switch stat {
            case "count": break
            case "sum": sketch.sum = v
            case "min": sketch.min = v
            case "max": sketch.max = v
            default:
                let n = Int64(v)
                sketch.bins[Int32(stat.dropFirst(4))!] = n
                sketch.count += n
            }
        }
        for (q, expected) in [(0.5, 13.18), (0.75, 14.84), (0.9, 15.19), (0.95, 15.55)] {
            let got = sketch.quantile(q) ?? .nan
            #expect(abs(got - expected) <= expected * 0.01, "q\(q): \(got)")
        }
        #expect(sketch.quantile(0) == 8)
        #expect(sketch.quantile(1) == 21)
    }

    @Test("the same values give the same layout as /api/v1/distribution_points")
    func sameAsDistributionPoints() throws {
        let values = [0.5, 1, 1, 2.25, 3, 1000, 1e-12, -4, 17.5]
        let dogsketch = TestDogsketch.from(values, ts: 1_700_000_000)
        let (fromSketch, _) = try decode(encodeSketchPayload([TestSketch(metric: "d.same", host: "h", tags: ["a:b"], dogsketches: [dogsketch])])).get()
        let json = #"{"series":[{"metric":"d.same","host":"h","tags":["a:b"],"points":[[1700000000,[\#(values.map { "\($0)" }.joined(separator: ","))]]]}]}"#
        let fromJSON: MetricBatch = try Array(json.utf8).withUnsafeBytes { raw in
            var batch = MetricBatch()
            _ = try DatadogDistributionDecoder(options: DatadogIntakeOptions(nowMillis: Self.now)).decode(raw, into: &batch)
            return batch
        }
        #expect(BatchRendering.render(fromSketch, DatadogIntakeResult()) == BatchRendering.render(fromJSON, DatadogIntakeResult()))
    }

    @Test("dogsketches of one series and second merge; empty and non-finite ones are dropped; ±∞ keys clamp")
    func mergeAndDrop() throws {
        var second = Self.vector
        second.cnt = 1
        second.min = 3
        second.max = 3
        second.sum = 3
        second.k = [1412]
        second.n = [1]
        var empty = Self.vector
        empty.cnt = 0
        var infinite = Self.vector
        infinite.ts = 1_700_000_010
        infinite.max = .infinity
        var wide = TestDogsketch(ts: 1_700_000_020, cnt: 2, min: -1e300, max: 1e300, sum: 0, k: [-32_767, 32_767], n: [1, 1])
        wide.avg = 0
        let body = encodeSketchPayload([TestSketch(metric: "d.m", dogsketches: [Self.vector, second, empty, infinite, wide])])
        let (batch, result) = try decode(body).get()
        let s = stats(batch)
        #expect(s["count"]?.map(\.1) == [18, 2])
        #expect(s["min"]?.map(\.1) == [3, -1e300])
        #expect(s["bin:1412"]?.map(\.1) == [1])
        #expect(s["bin:32766"]?.map(\.1) == [1])
        #expect(s["bin:-32766"]?.map(\.1) == [1])
        #expect(result.accepted == 20)
        #expect(result.dropped == 17)
    }

    @Test("timestamps: 0 is now; outside the window dropped")
    func timestamps() throws {
        var zero = Self.vector
        zero.ts = 0
        let options = DatadogIntakeOptions(nowMillis: Self.now, maxPastMillis: 3_600_000)
        let (batch, result) = try decode(encodeSketchPayload([TestSketch(metric: "d.t", dogsketches: [zero, Self.vector])]), options: options).get()
        #expect(stats(batch)["count"]?.map(\.0) == [Self.now])
        #expect(result.dropped == 17)
    }

    @Test("label limits reject the sketch only; the rest is stored")
    func limits() throws {
        let bad = TestSketch(metric: "d.bad", tags: (0..<200).map { "k\($0):v" }, dogsketches: [Self.vector])
        let good = TestSketch(metric: "d.good", dogsketches: [Self.vector])
        let (batch, result) = try decode(encodeSketchPayload([bad, good])).get()
        #expect(result.rejectedSeries == 1)
        #expect(result.rejected == 17)
        #expect(result.accepted == 17)
        #expect(Set(batch.series.compactMap(\.metricName)) == ["d.good"])
        #expect(result.errors.first?.contains("maxLabelsPerSeries") == true)
    }

    @Test("malformed payloads are refused", arguments: [
        ("k/n length mismatch", encodeSketchPayload([TestSketch(metric: "d", dogsketches: [TestDogsketch(ts: 1, cnt: 1, min: 1, max: 1, sum: 1, k: [1, 2], n: [1])])])),
        ("missing metric", [0x0A, 0x02, 0x22, 0x00]),
        ("truncated", [0x0A, 0x09, 0x0A, 0x01, 0x64, 0x3A, 0x04, 0x3A, 0x02, 0x01]),
        ("zstd frame", [0x28, 0xB5, 0x2F, 0xFD]),
        ("invalid UTF-8", [0x0A, 0x03, 0x0A, 0x01, 0xFF]),
    ] as [(String, [UInt8])])
    func malformed(_ name: String, _ bytes: [UInt8]) {
        guard case .failure(let error) = decode(bytes) else {
            Issue.record("\(name): accepted")
            return
        }
        #expect(error.kind == .badRequest, "\(name)")
    }

    @Test("more bins than maxValuesPerPoint is a 413-class limit")
    func binLimit() {
        var limits = DatadogRecordLimits()
        limits.maxValuesPerPoint = 3
        let body = encodeSketchPayload([TestSketch(metric: "d", dogsketches: [Self.vector])])
        let outcome: Result<DatadogIntakeResult, WireError> = body.withUnsafeBytes { raw in
            var batch = MetricBatch()
            do throws(WireError) {
                return .success(try DatadogSketchDecoder(options: DatadogIntakeOptions(nowMillis: Self.now), limits: limits).decode(raw, into: &batch))
            } catch {
                return .failure(error)
            }
        }
        guard case .failure(let error) = outcome else {
            Issue.record("accepted")
            return
        }
        #expect(error.kind == .limitExceeded)
    }

    @Test("random sketches: encode → decode keeps counts, extremes and bins exactly", arguments: Array(UInt64(1)...20))
    func roundTrip(seed: UInt64) throws {
        var g = SeededGenerator(seed: seed)
        var sketches: [TestSketch] = []
        for i in 0..<Int.random(in: 1...4, using: &g) {
            let dogs = (0..<Int.random(in: 1...3, using: &g)).map { j in
                TestDogsketch.from((0..<Int.random(in: 1...300, using: &g)).map { _ in
                    Foundation.pow(10, Double.random(in: -3...6, using: &g)) * (Bool.random(using: &g) ? 1 : -1)
                }, ts: 1_700_000_000 + Int64(j) * 10)
            }
            sketches.append(TestSketch(metric: "r.\(i)", host: "h\(i)", tags: ["seed:\(seed)"], dogsketches: dogs))
        }
        let (batch, result) = try decode(encodeSketchPayload(sketches, packed: seed % 2 == 0)).get()
        #expect(result.accepted == sketches.reduce(0) { $0 + $1.dogsketches.reduce(0) { $0 + Int($1.cnt) } })
        for sketch in sketches {
            for d in sketch.dogsketches {
                let at = d.ts * 1000
                func value(_ stat: String, bin: Int32? = nil) -> Double? {
                    for i in 0..<batch.sampleCount where batch.timestampsMillis[i] == at {
                        let labels = batch.labels(at: Int(batch.seriesSlots[i]))
                        guard labels.metricName == sketch.metric, labels["host"] == sketch.host,
                              labels[DatadogDistributionDecoder.statLabel] == stat,
                              bin == nil || labels[DatadogDistributionDecoder.binLabel] == String(bin!) else { continue }
                        return batch.values[i]
                    }
                    return nil
                }
                #expect(value("count") == Double(d.cnt))
                #expect(value("sum") == d.sum)
                #expect(value("min") == d.min)
                #expect(value("max") == d.max)
                for (k, n) in zip(d.k, d.n) { #expect(value("bin", bin: k) == Double(n)) }
            }
        }
    }
}
