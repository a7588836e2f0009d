import BasinModel
import QueryEngine
import StorageAPI

/// A PromQL result in the shape of Prometheus' HTTP API.
public enum PrometheusResult: Sendable {
    case scalar(timestampMillis: Int64, value: Double)
    case string(timestampMillis: Int64, value: String)
    case vector([PrometheusSample])
    case matrix([PrometheusSeries])

    /// Prometheus' `resultType`.
    public var resultType: String {
        switch self {
        case .scalar: "scalar"
        case .string: "string"
        case .vector: "vector"
        case .matrix: "matrix"
        }
    }
}

/// One instant vector element.
public struct PrometheusSample: Sendable {
    public var labels: Labels
    public var timestampMillis: Int64
    public var value: Double

    public init(labels: Labels, timestampMillis: Int64, value: Double) {
        self.labels = labels
        self.timestampMillis = timestampMillis
        self.value = value
    }
}

/// One series of a matrix, points sorted by time.
public struct PrometheusSeries: Sendable {
    public var labels: Labels
    public var timestampsMillis: [Int64]
    public var values: [Double]

    public init(labels: Labels, timestampsMillis: [Int64], values: [Double]) {
        self.labels = labels
        self.timestampsMillis = timestampsMillis
        self.values = values
    }
}

/// Runs PromQL instant and range queries: parse, lower, evaluate, shape like Prometheus.
public enum PrometheusQueryRunner {
    /// Evaluates `query` at one instant (Prometheus `/api/v1/query`).
    ///
    /// - Throws: ``PromQLError`` (syntax/type), ``QueryError`` (execution, limits, timeout).
    public static func instant(_ query: String, timeMillis: Int64, evaluator: QueryEvaluator) async throws -> PrometheusResult {
        let plan = try PromQLLowering.compile(query)
        let value = try await evaluator.evaluate(plan, range: .instant(timeMillis))
        switch value {
        case .scalar(let values):
            return .scalar(timestampMillis: timeMillis, value: values.first ?? .nan)
        case .string(let text):
            return .string(timestampMillis: timeMillis, value: text)
        case .matrix(let raw):
            return .matrix(LabelsCollation.sorted(raw, by: { $0.labels }).map {
                PrometheusSeries(labels: $0.labels, timestampsMillis: $0.timestampsMillis, values: $0.values)
            })
        case .vector(let series):
            var samples = series.compactMap { s -> PrometheusSample? in
                guard s.present.first == true else { return nil }
                return PrometheusSample(labels: s.labels, timestampMillis: timeMillis, value: s.values[0])
            }
            switch plan {
            case .aggregate(.topk, _, _, _), .sort(_, descending: true):
                samples.sort { a, b in b.value.isNaN ? !a.value.isNaN : a.value > b.value }
            case .aggregate(.bottomk, _, _, _), .sort(_, descending: false):
                samples.sort { a, b in b.value.isNaN ? !a.value.isNaN : a.value < b.value }
            default:
                samples = LabelsCollation.sorted(samples, by: { $0.labels })
            }
            return .vector(samples)
        }
    }

    /// Evaluates `query` at every step of a range (Prometheus `/api/v1/query_range`); series sorted by labels.
    ///
    /// - Throws: ``PromQLError``, ``QueryError``; a range-vector or string result is a `badRequest`.
    public static func range(
        _ query: String, startMillis: Int64, endMillis: Int64, stepMillis: Int64, evaluator: QueryEvaluator
    ) async throws -> PrometheusResult {
        let plan = try PromQLLowering.compile(query)
        guard plan.valueType == .scalar || plan.valueType == .vector else {
            throw QueryError.badQuery(
                "invalid expression type \"\(plan.valueType.promQLName)\" for range query, must be Scalar or instant Vector")
        }
        let range = EvalRange(startMillis: startMillis, endMillis: endMillis, stepMillis: stepMillis)
        let value = try await evaluator.evaluate(plan, range: range)
        switch value {
        case .scalar(let values):
            return .matrix([PrometheusSeries(
                labels: .empty, timestampsMillis: (0..<values.count).map { range.time(at: $0) }, values: values)])
        case .vector(let series):
            var out: [PrometheusSeries] = []
            for s in series {
                var times: [Int64] = []
                var values: [Double] = []
                for i in s.present.indices where s.present[i] {
                    times.append(range.time(at: i))
                    values.append(s.values[i])
                }
                if !times.isEmpty { out.append(PrometheusSeries(labels: s.labels, timestampsMillis: times, values: values)) }
            }
            return .matrix(LabelsCollation.sorted(out, by: { $0.labels }))
        case .matrix, .string:
            throw QueryError.badQuery("invalid expression type for range query, must be Scalar or instant Vector")
        }
    }
}
