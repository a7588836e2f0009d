import BasinModel
import BasinTestKit
@testable import QueryEngine
import StorageAPI
import Testing

/// Aggregations folded straight from the store's windows equal the plain evaluation, bit for bit.
@Suite("Fused aggregation")
struct FusedAggregateTests {
    /// Three metrics over hosts and regions, 15 s samples with random gaps and awkward values.
    static func store(_ g: inout SeededGenerator) async throws -> InMemoryMetricStore {
        let store = InMemoryMetricStore()
        var batch = MetricBatch()
        let special: [Double] = [.nan, .infinity, -.infinity, .greatestFiniteMagnitude, 0, -0.0]
        for name in ["cpu", "mem", "disk"] {
            for host in 0..<Int.random(in: 5...40, using: &g) {
                var pairs: [(name: String, value: String)] = [("host", "h\(host)")]
                if host % 7 != 3 { pairs.append(("region", ["eu", "us", "ap"][host % 3])) }
                if Bool.random(using: &g) { pairs.append(("zone", "z\(host % 2)")) }
                let slot = batch.beginSeries(Labels(metricName: name, pairs), kind: .gauge)
                let scale = Bool.random(using: &g) ? 1.0 : 1e305
                for k in 0..<120 where Int.random(in: 0..<5, using: &g) > 0 {
                    let v = Int.random(in: 0..<40, using: &g) == 0
                        ? special.randomElement(using: &g) ?? 0
                        : Double.random(in: -100...100, using: &g) * scale
                    batch.append(seriesSlot: slot, timestampMillis: Int64(k) * 15_000, value: v)
                }
            }
        }
        try await store.append(batch, org: .default)
        return store
    }

    static func same(_ a: [StepSeries], _ b: [StepSeries]) -> Bool {
        guard a.count == b.count else { return false }
        for (x, y) in zip(a, b) {
            guard x.labels == y.labels, x.present == y.present else { return false }
            for i in x.values.indices where x.present[i] {
                let u = x.values[i], v = y.values[i]
                if u.isNaN ? !v.isNaN : u.bitPattern != v.bitPattern { return false }
            }
        }
        return true
    }

    static let inputs: [PlanNode] = {
        let cpu = SeriesSelector(matchers: [.equal("__name__", "cpu")])
        let all = SeriesSelector(matchers: [try! LabelMatcher(name: "__name__", op: .regexMatch, value: ".+")])
        var out: [PlanNode] = [
            .instantSelect(cpu), .instantSelect(all),
            .instantSelect(SeriesSelector(matchers: [.equal("__name__", "mem")], offsetMillis: 45_000)),
            .instantSelect(SeriesSelector(matchers: [.equal("__name__", "cpu")], anchor: .end)),
            .rollup(.sum, all, rangeMillis: 60_000, parameter: nil),
            .rollup(.rate, cpu, rangeMillis: 60_000, parameter: nil),
        ]
        for function in [RollupFunction.sum, .avg, .min, .max, .count, .last] {
            out.append(.rollup(function, cpu, rangeMillis: [30_000, 60_000, 300_000][out.count % 3], parameter: nil))
        }
        out.append(.rollup(.last, all, rangeMillis: 120_000, parameter: nil))
        return out
    }()

    static let groupings: [Grouping] = [
        .by([]), .by(["region"]), .by(["region", "zone"]), .by(["__name__", "region"]), .by(["nothing"]),
        .without(["host"]), .without([]),
    ]

    @Test("Folded and plain aggregations agree on random data", arguments: [
        AggregateOperator.sum, .avg, .min, .max, .count, .group,
    ])
    func foldedEqualsPlain(op: AggregateOperator) async throws {
        var g = SeededGenerator(seed: SeededGenerator.seed("fused \(op)"))
        let store = try await Self.store(&g)
        let fused = QueryEvaluator(store: store, org: .default)
        var plain = fused
        plain.fusesAggregation = false
        for range in [EvalRange(startMillis: 0, endMillis: 1_800_000, stepMillis: 60_000),
                      EvalRange(startMillis: 7_000, endMillis: 1_790_000, stepMillis: 15_000),
                      EvalRange.instant(900_000)] {
            for input in Self.inputs {
                for grouping in Self.groupings {
                    let plan = PlanNode.aggregate(op, grouping: grouping, parameter: nil, input: input)
                    let want: QueryValue
                    do {
                        want = try await plain.evaluate(plan, range: range)
                    } catch {
                        // Series colliding once the metric name is dropped: both paths refuse alike.
                        await #expect(throws: QueryError.self) { _ = try await fused.evaluate(plan, range: range) }
                        continue
                    }
                    let got = try await fused.evaluate(plan, range: range)
                    guard case .vector(let w) = want, case .vector(let o) = got else {
                        Issue.record("expected vectors")
                        continue
                    }
                    #expect(!w.isEmpty || grouping == .by(["nothing"]) || range.stepCount == 1)
                    #expect(Self.same(o, w), "\(op) \(grouping) of \(input) over \(range)")
                }
            }
        }
    }

    @Test("A series limit fails the folded path as it fails the plain one")
    func limitsStillApply() async throws {
        var g = SeededGenerator(seed: 7)
        let store = try await Self.store(&g)
        var fused = QueryEvaluator(store: store, org: .default, limits: QueryLimits(maxSamples: 10))
        fused.fusesAggregation = true
        let plan = PlanNode.aggregate(.sum, grouping: .by(["region"]), parameter: nil,
                                      input: .instantSelect(SeriesSelector(matchers: [.equal("__name__", "cpu")])))
        await #expect(throws: QueryError.self) {
            _ = try await fused.evaluate(plan, range: EvalRange(startMillis: 0, endMillis: 1_800_000, stepMillis: 60_000))
        }
    }
}
