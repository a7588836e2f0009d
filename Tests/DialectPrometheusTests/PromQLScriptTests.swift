import BasinModel
import BasinTestKit
import DialectPrometheus
import Foundation
import QueryEngine
import Testing

/// Runs every `Scripts/*.test` file through PromQL over the in-memory store.
@Suite("PromQL scripts")
struct PromQLScriptTests {
    static let scriptNames = ["selectors", "functions", "aggregations", "operators", "errors"]

    @Test("Script runs with every expectation met", arguments: scriptNames)
    func scriptPasses(name: String) async throws {
        let url = try #require(Bundle.module.url(forResource: name, withExtension: "test", subdirectory: "Scripts"))
        let script = try QueryScript.parse(String(contentsOf: url, encoding: .utf8))
        let evaluations = script.commands.filter { if case .eval = $0 { true } else { false } }
        #expect(evaluations.count >= 20, "\(name).test has only \(evaluations.count) evaluations")
        let failures = await PromQLScriptHarness.run(script)
        for failure in failures { Issue.record("\(name).test \(failure)") }
    }

    @Test("A wrong expectation is reported as a failure")
    func wrongExpectationFails() async throws {
        let script = try QueryScript.parse("""
            load 1m
                m{a="1"} 1 2 3

            eval instant at 2m m
                m{a="1"} 4

            eval range from 0 to 2m step 1m m
                m{a="1"} 1 2 4

            eval instant at 2m m
                m{a="2"} 3

            eval_fail instant at 2m m

            eval instant at 2m foo(
                m{a="1"} 3

            eval_fail instant at 2m foo(
                expected_fail_message no such text
            """)
        let failures = await PromQLScriptHarness.run(script)
        #expect(failures.count == 6, "\(failures)")
    }
}

/// Bridges query scripts to PromQL over an ``InMemoryMetricStore``.
enum PromQLScriptHarness {
    static func run(_ script: QueryScript) async -> [String] {
        let store = InMemoryMetricStore()
        let evaluator = QueryEvaluator(store: store, org: .default)
        return await script.run(
            load: { try await store.append($0, org: .default) },
            clear: { store.removeAll() },
            evaluate: { evaluation in
                let result: PrometheusResult
                if evaluation.isInstant {
                    result = try await PrometheusQueryRunner.instant(
                        evaluation.query, timeMillis: evaluation.startMillis, evaluator: evaluator)
                } else {
                    result = try await PrometheusQueryRunner.range(
                        evaluation.query, startMillis: evaluation.startMillis, endMillis: evaluation.endMillis,
                        stepMillis: evaluation.stepMillis, evaluator: evaluator)
                }
                return outcome(result)
            })
    }

    static func outcome(_ result: PrometheusResult) -> QueryScriptOutcome {
        switch result {
        case .scalar(_, let v): .scalar(v)
        case .string(_, let s): .string(s)
        case .vector(let samples): .vector(samples.map { ($0.labels, $0.value) })
        case .matrix(let series):
            .matrix(series.map { s in (s.labels, zip(s.timestampsMillis, s.values).map { ($0, $1) }) })
        }
    }
}
