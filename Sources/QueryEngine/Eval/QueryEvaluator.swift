import BasinModel
import StorageAPI

/// Evaluates a ``PlanNode`` against a ``MetricStore`` at every step of an ``EvalRange``.
///
/// Each node produces its values for all steps at once (a series-major layout), so a selector
/// reads storage once per query however many steps there are. The semantics follow
/// Prometheus 3: instant selectors take the latest sample in `(t - lookback, t]`, range windows
/// are `(t - range, t]`, and there are no staleness markers.
public struct QueryEvaluator: Sendable {
    /// Where samples come from.
    public let store: any MetricStore
    /// Whose samples are read.
    public let org: OrgID
    /// Bounds on what one evaluation may read, hold and spend.
    public let limits: QueryLimits
    /// Whether simple aggregations of a selector fold the store's windows directly
    /// (``fusedAggregate(_:grouping:parameter:input:_:)``); off only to compare with the plain path.
    var fusesAggregation = true

    public init(store: any MetricStore, org: OrgID, limits: QueryLimits = QueryLimits()) {
        self.store = store
        self.org = org
        self.limits = limits
    }

    /// Evaluates `plan` at every step of `range`.
    ///
    /// - Throws: ``QueryError`` (`badRequest` for an ill-typed plan, `unprocessable` for execution
    ///   failures and limits, `timeout` past the deadline); storage errors keep their kind.
    public func evaluate(_ plan: PlanNode, range: EvalRange) async throws -> QueryValue {
        guard range.stepCount > 0 else { throw QueryError.badQuery("end timestamp must not be before start time") }
        return try await eval(plan, range)
    }

    func eval(_ node: PlanNode, _ range: EvalRange) async throws -> QueryValue {
        try checkDeadline()
        switch node {
        case .number(let value):
            return .scalar(Array(repeating: value, count: range.stepCount))
        case .string(let text):
            return .string(text)
        case .time:
            return .scalar((0..<range.stepCount).map { Double(range.time(at: $0)) / 1000 })
        case .instantSelect(let selector):
            return .vector(try await selectInstant(selector, range))
        case .rangeSelect(let selector, let rangeMillis):
            return .matrix(try await selectRange(selector, rangeMillis: rangeMillis, range))
        case .rollup(let function, let selector, let rangeMillis, let parameter):
            let parameters = try await scalarValues(parameter, range)
            return .vector(try await rollup(function, selector, rangeMillis: rangeMillis, parameters: parameters, range))
        case .aggregate(let op, let grouping, let parameter, let input):
            if let fused = try await fusedAggregate(op, grouping: grouping, parameter: parameter, input: input, range) {
                return .vector(fused)
            }
            let parameters = try await scalarValues(parameter, range)
            let series = try await vectorValues(input, range)
            return .vector(try aggregate(op, grouping: grouping, parameters: parameters, series, range))
        case .binary(let op, let lhs, let rhs, let matching, let returnBool):
            let left = try await eval(lhs, range)
            let right = try await eval(rhs, range)
            return try binary(op, left, right, matching: matching, returnBool: returnBool, range)
        case .math(let function, let input, let arguments):
            var argumentValues: [[Double]] = []
            for argument in arguments { argumentValues.append(try await scalarValues(argument, range) ?? []) }
            let series = try await vectorValues(input, range)
            return .vector(try math(function, series, arguments: argumentValues))
        case .negate(let inner):
            switch try await eval(inner, range) {
            case .scalar(let values): return .scalar(values.map { -$0 })
            case .vector(let series):
                let negated = series.map { s in
                    StepSeries(labels: s.labels.removing([Labels.metricNameKey]), values: s.values.map { -$0 }, present: s.present)
                }
                return .vector(try mergeSameLabels(negated))
            default: throw QueryError.badQuery("unary expression only allowed on expressions of type scalar or instant vector")
            }
        case .sort(let inner, _):
            return .vector(try await vectorValues(inner, range))
        case .absent(let inner, let labels):
            let series = try await vectorValues(inner, range)
            var out = StepSeries(labels: labels, count: range.stepCount)
            for i in 0..<range.stepCount where !series.contains(where: { $0.present[i] }) {
                out.present[i] = true
                out.values[i] = 1
            }
            return .vector(out.isEmpty ? [] : [out])
        case .rewriteLabels(let inner, let rewrite):
            let series = try await vectorValues(inner, range)
            return .vector(try self.rewrite(series, rewrite))
        case .vectorOf(let inner):
            let values = try await scalarValues(inner, range) ?? []
            return .vector([StepSeries(labels: .empty, values: values, present: Array(repeating: true, count: values.count))])
        case .scalarOf(let inner):
            let series = try await vectorValues(inner, range)
            var out = Array(repeating: Double.nan, count: range.stepCount)
            for i in 0..<range.stepCount {
                var found: Double?
                var count = 0
                for s in series where s.present[i] {
                    count += 1
                    found = s.values[i]
                }
                if count == 1, let found { out[i] = found }
            }
            return .scalar(out)
        }
    }

    /// Evaluates a node that must be a scalar; nil for a nil node.
    func scalarValues(_ node: PlanNode?, _ range: EvalRange) async throws -> [Double]? {
        guard let node else { return nil }
        guard case .scalar(let values) = try await eval(node, range) else {
            throw QueryError.badQuery("expected type scalar, got \(node.valueType.promQLName)")
        }
        return values
    }

    /// Evaluates a node that must be an instant vector.
    func vectorValues(_ node: PlanNode, _ range: EvalRange) async throws -> [StepSeries] {
        guard case .vector(let series) = try await eval(node, range) else {
            throw QueryError.badQuery("expected type instant vector, got \(node.valueType.promQLName)")
        }
        return series
    }

    /// Throws a timeout error once the deadline has passed or the task was cancelled.
    func checkDeadline() throws {
        if let deadline = limits.deadline, ContinuousClock.now >= deadline {
            throw QueryError(kind: .timeout, message: "query timed out in expression evaluation")
        }
        if Task.isCancelled {
            throw QueryError(kind: .timeout, message: "query was cancelled")
        }
    }

    /// Fails when a node would hold more step values than the sample limit allows.
    func checkPoints(series: Int, steps: Int) throws {
        let (points, overflow) = series.multipliedReportingOverflow(by: steps)
        if overflow || points > limits.maxSamples {
            throw QueryError.execution("query processing would load too many samples into memory in query execution")
        }
    }

    /// Merges series that ended up with the same labels (after dropping the metric name, say).
    ///
    /// Prometheus fails when two of them have a value at the same step; otherwise they are one series.
    func mergeSameLabels(_ series: [StepSeries]) throws -> [StepSeries] {
        var index: [Labels: Int] = [:]
        var out: [StepSeries] = []
        out.reserveCapacity(series.count)
        for s in series {
            guard let j = index[s.labels] else {
                index[s.labels] = out.count
                out.append(s)
                continue
            }
            for i in s.present.indices where s.present[i] {
                if out[j].present[i] {
                    throw QueryError.execution("vector cannot contain metrics with the same labelset")
                }
                out[j].present[i] = true
                out[j].values[i] = s.values[i]
            }
        }
        return out
    }
}
