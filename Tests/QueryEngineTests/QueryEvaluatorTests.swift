import BasinModel
import BasinTestKit
@testable import QueryEngine
import StorageAPI
import Testing

/// The evaluator driven directly through the IR, the way every dialect's lowering uses it.
@Suite("Query evaluator")
struct QueryEvaluatorTests {
    /// `requests{job=...}` counters rising by `slope` per minute, sampled every minute for 10 minutes.
    static func store(org: OrgID = .default) async throws -> InMemoryMetricStore {
        let store = InMemoryMetricStore()
        var batch = MetricBatch()
        for (job, slope) in [("api", 60.0), ("db", 120.0)] {
            let slot = batch.beginSeries(Labels(metricName: "requests", [("job", job)]), kind: .counter)
            for minute in 0...10 {
                batch.append(seriesSlot: slot, timestampMillis: Int64(minute) * 60_000, value: Double(minute) * slope)
            }
        }
        try await store.append(batch, org: org)
        return store
    }

    static let requests = SeriesSelector(matchers: [.equal("__name__", "requests")])

    func vector(_ value: QueryValue) -> [StepSeries] {
        if case .vector(let series) = value { return series }
        Issue.record("expected a vector, got \(value)")
        return []
    }

    @Test("A rate rollup over a linear counter is its slope at every step")
    func rateOfLinearCounter() async throws {
        let evaluator = QueryEvaluator(store: try await Self.store(), org: .default)
        let plan = PlanNode.rollup(.rate, Self.requests, rangeMillis: 300_000, parameter: nil)
        let series = vector(try await evaluator.evaluate(plan, range: EvalRange(startMillis: 300_000, endMillis: 600_000, stepMillis: 60_000)))
        #expect(series.map { $0.labels[Labels.metricNameKey] } == [nil, nil])
        for (s, slope) in zip(series, [1.0, 2.0]) {
            #expect(s.present == Array(repeating: true, count: 6))
            for v in s.values { #expect(abs(v - slope) < 1e-9) }
        }
    }

    @Test("A cross-series sum by nothing adds every series at each step")
    func sumAcrossSeries() async throws {
        let evaluator = QueryEvaluator(store: try await Self.store(), org: .default)
        let plan = PlanNode.aggregate(.sum, grouping: .by([]), parameter: nil, input: .instantSelect(Self.requests))
        let series = vector(try await evaluator.evaluate(plan, range: EvalRange(startMillis: 0, endMillis: 120_000, stepMillis: 60_000)))
        #expect(series.count == 1)
        #expect(series.first?.labels == .empty)
        #expect(series.first?.values == [0, 180, 360])
    }

    @Test("Another organisation's series are invisible")
    func organisationsAreIsolated() async throws {
        let store = try await Self.store(org: OrgID("a"))
        let evaluator = QueryEvaluator(store: store, org: OrgID("b"))
        let series = vector(try await evaluator.evaluate(.instantSelect(Self.requests), range: .instant(300_000)))
        #expect(series.isEmpty)
    }

    @Test("Reading more series than allowed fails with limitExceeded")
    func seriesLimit() async throws {
        let evaluator = QueryEvaluator(store: try await Self.store(), org: .default, limits: QueryLimits(maxSeries: 1))
        await #expect {
            _ = try await evaluator.evaluate(.instantSelect(Self.requests), range: .instant(300_000))
        } throws: { error in
            (error as? QueryError)?.kind == .limitExceeded
        }
    }

    @Test("Holding more step values than the sample limit fails as an execution error")
    func pointLimit() async throws {
        let evaluator = QueryEvaluator(store: try await Self.store(), org: .default, limits: QueryLimits(maxSamples: 15))
        await #expect {
            _ = try await evaluator.evaluate(
                .instantSelect(Self.requests), range: EvalRange(startMillis: 0, endMillis: 600_000, stepMillis: 60_000))
        } throws: { error in
            (error as? QueryError)?.kind == .unprocessable || (error as? QueryError)?.kind == .limitExceeded
        }
    }

    @Test("A passed deadline fails with a timeout")
    func deadline() async throws {
        let limits = QueryLimits(deadline: ContinuousClock.now.advanced(by: .seconds(-1)))
        let evaluator = QueryEvaluator(store: try await Self.store(), org: .default, limits: limits)
        await #expect {
            _ = try await evaluator.evaluate(.instantSelect(Self.requests), range: .instant(0))
        } throws: { error in
            (error as? QueryError)?.kind == .timeout
        }
    }

    @Test("An end before the start is rejected")
    func emptyRange() async throws {
        let evaluator = QueryEvaluator(store: try await Self.store(), org: .default)
        await #expect(throws: QueryError.self) {
            _ = try await evaluator.evaluate(.number(1), range: EvalRange(startMillis: 10, endMillis: 0, stepMillis: 1))
        }
    }

    @Test("Series that collide after dropping the name merge when their steps do not overlap")
    func mergeDisjointSeries() throws {
        let evaluator = QueryEvaluator(store: InMemoryMetricStore(), org: .default)
        let a = StepSeries(labels: Labels([("x", "1")]), values: [1, 0], present: [true, false])
        let b = StepSeries(labels: Labels([("x", "1")]), values: [0, 2], present: [false, true])
        let merged = try evaluator.mergeSameLabels([a, b])
        #expect(merged.count == 1)
        #expect(merged.first?.values == [1, 2])
        #expect(throws: QueryError.self) { try evaluator.mergeSameLabels([a, a]) }
    }

    static let quantiles: [(Double, [Double], Double)] = [
        (0.5, [1, 2, 3, 4, 5], 3), (0.25, [5, 1, 3, 2, 4], 2), (0.9, [30, 60, 90, 120, 150], 138),
        (0, [3, 1, 2], 1), (1, [3, 1, 2], 3), (0.5, [7], 7), (0.5, [1, 2], 1.5),
    ]

    @Test("Quantiles interpolate linearly between ranks", arguments: quantiles)
    func quantile(q: Double, values: [Double], expected: Double) {
        #expect(Quantile.of(q, values) == expected)
    }

    static let quantileEdges: [(Double, [Double], Double)] = [
        (-0.1, [1, 2], -.infinity), (1.1, [1, 2], .infinity),
    ]

    @Test("Quantiles outside [0, 1] are infinite", arguments: quantileEdges)
    func quantileOutOfRange(q: Double, values: [Double], expected: Double) {
        #expect(Quantile.of(q, values) == expected)
        #expect(Quantile.of(.nan, values).isNaN)
        #expect(Quantile.of(0.5, []).isNaN)
    }

    @Test("Compensated summation keeps small terms next to large ones")
    func kahan() {
        #expect(Kahan.sum([1e100, 1.0, -1e100]) == 1)
        #expect(Kahan.mean([1e308, 1e308]) == 1e308)
    }

    static let binaryCases: [(BinaryOperator, Double, Double, Double)] = [
        (.add, 1, 2, 3), (.subtract, 1, 2, -1), (.multiply, 3, 4, 12), (.divide, 1, 4, 0.25),
        (.modulo, -7, 3, -1), (.modulo, 7.5, 2, 1.5), (.power, 2, 10, 1024), (.divide, 1, 0, .infinity),
    ]

    @Test("Arithmetic follows IEEE 754 and Go's math.Mod", arguments: binaryCases)
    func arithmetic(op: BinaryOperator, a: Double, b: Double, expected: Double) {
        #expect(BinaryOperator.apply(op, a, b).value == expected)
    }

    static let rounding: [(Double, Double?, Double)] = [
        (2.5, nil, 3), (-2.5, nil, -2), (0.4, nil, 0), (7, 5, 5), (8, 5, 10), (1.26, 0.1, 1.3),
    ]

    @Test("round rounds halves up to the nearest multiple", arguments: rounding)
    func round(value: Double, nearest: Double?, expected: Double) {
        #expect(abs(MathFunction.apply(.round, value, argument: nearest) - expected) < 1e-12)
    }
}
