import BasinHTTP
import BasinModel
import Foundation
import NIOCore
import QueryEngine

extension PrometheusRoutes {
    static func nowMillis() -> Int64 { Int64((Date().timeIntervalSince1970 * 1000).rounded()) }

    func queryText(_ parameters: PrometheusParameters) throws(PrometheusAPIError) -> String {
        // An empty or missing query reaches the parser, which answers as Prometheus does
        // ("1:1: parse error: no expression found in input").
        let query = parameters.first("query") ?? ""
        guard query.utf8.count <= 1 << 20 else { throw PrometheusAPIError.badData("invalid parameter \"query\": query too long") }
        return query
    }

    /// The evaluator and the timeout (seconds) for one request.
    func evaluator(_ parameters: PrometheusParameters, _ principal: Principal) throws(PrometheusAPIError) -> (QueryEvaluator, Double) {
        // Clamped so a configured value far beyond any real budget cannot overflow the clock arithmetic.
        var timeout = min(max(environment.limits.queryTimeoutSeconds, 0.001), 1e9)
        if let requested = try parameters.duration("timeout") {
            guard requested > 0 else { throw PrometheusAPIError.badData("invalid parameter \"timeout\": timeout must be positive") }
            timeout = min(timeout, Double(requested) / 1000)
        }
        let limits = QueryLimits(
            maxSeries: environment.limits.maxQuerySeries, maxSamples: environment.limits.maxQuerySamples,
            deadline: ContinuousClock.now.advanced(by: .milliseconds(Int64(timeout * 1000))))
        return (QueryEvaluator(store: environment.store, org: principal.org, limits: limits), timeout)
    }

    /// Runs `work`, failing with a timeout error once `seconds` have passed.
    func withTimeout(_ seconds: Double, _ work: @escaping @Sendable () async throws -> PrometheusResult) async throws -> PrometheusResult {
        try await withThrowingTaskGroup(of: PrometheusResult.self) { group in
            group.addTask { try await work() }
            group.addTask {
                try await Task.sleep(for: .milliseconds(Int64(seconds * 1000)))
                throw QueryError(kind: .timeout, message: "query timed out in expression evaluation")
            }
            defer { group.cancelAll() }
            guard let first = try await group.next() else {
                throw QueryError(kind: .internalError, message: "query produced no result")
            }
            return first
        }
    }

    func query(_ parameters: PrometheusParameters, _ principal: Principal) async throws -> ByteBuffer {
        let text = try queryText(parameters)
        let time = try parameters.time("time", default: PrometheusRoutes.nowMillis())
        let (evaluator, timeout) = try evaluator(parameters, principal)
        let result = try await withTimeout(timeout) {
            try await PrometheusQueryRunner.instant(text, timeMillis: time, evaluator: evaluator)
        }
        return PrometheusResponseWriter.render(result)
    }

    func queryRange(_ parameters: PrometheusParameters, _ principal: Principal) async throws -> ByteBuffer {
        let text = try queryText(parameters)
        for name in ["start", "end"] where (parameters.first(name) ?? "").isEmpty {
            throw PrometheusAPIError.badData("invalid parameter \"\(name)\": cannot parse \"\" to a valid timestamp")
        }
        let start = try parameters.time("start", default: 0)
        let end = try parameters.time("end", default: 0)
        guard end >= start else {
            throw PrometheusAPIError.badData("invalid parameter \"end\": end timestamp must not be before start time")
        }
        guard let step = try parameters.duration("step") else {
            throw PrometheusAPIError.badData("invalid parameter \"step\": cannot parse \"\" to a valid duration")
        }
        guard step > 0 else {
            throw PrometheusAPIError.badData(
                "invalid parameter \"step\": zero or negative query resolution step widths are not accepted. Try a positive integer")
        }
        // Prometheus: (end - start) / step > 11000 is refused.
        if (end - start) / step > Int64(environment.limits.maxQueryPoints) {
            throw PrometheusAPIError.badData(
                "exceeded maximum resolution of \(PrometheusRoutes.grouped(environment.limits.maxQueryPoints)) points per timeseries. Try decreasing the query resolution (?step=XX)")
        }
        let (evaluator, timeout) = try evaluator(parameters, principal)
        let result = try await withTimeout(timeout) {
            try await PrometheusQueryRunner.range(text, startMillis: start, endMillis: end, stepMillis: step, evaluator: evaluator)
        }
        return PrometheusResponseWriter.render(result)
    }

    /// `11000` as `11,000`.
    static func grouped(_ n: Int) -> String {
        let digits = Array(String(n))
        var out = ""
        for (i, d) in digits.enumerated() {
            if i > 0, (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(d)
        }
        return out
    }
}
