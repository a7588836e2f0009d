import BasinModel
import StorageAPI

extension QueryEvaluator {
    /// The time each step reads at, after `@` and `offset`.
    func effectiveTimes(_ selector: SeriesSelector, _ range: EvalRange) -> [Int64] {
        (0..<range.stepCount).map { i in
            let base: Int64
            switch selector.anchor {
            case nil: base = range.time(at: i)
            case .millis(let t): base = t
            case .start: base = range.startMillis
            case .end: base = range.endMillis
            }
            return base &- selector.offsetMillis
        }
    }

    /// Reads the series of a selector with samples in `[minMillis, maxMillis]`, sorted by labels.
    func fetch(_ selector: SeriesSelector, minMillis: Int64, maxMillis: Int64) async throws -> [SeriesSamples] {
        let request = SelectRequest(
            org: org, matchers: selector.matchers, startMillis: minMillis, endMillis: maxMillis,
            maxSeries: limits.maxSeries, maxSamples: limits.maxSamples)
        let result: [SeriesSamples]
        do {
            result = try await store.select(request)
        } catch let error as StorageError {
            throw QueryError(kind: error.kind, message: error.message)
        } catch let error as QueryError {
            throw error
        } catch {
            throw QueryError(kind: .internalError, message: "storage failure: \(error)")
        }
        try checkDeadline()
        return result.sorted { $0.labels < $1.labels }
    }

    /// Instant vector selection: the latest sample in `(t - lookback, t]` at each step.
    func selectInstant(_ selector: SeriesSelector, _ range: EvalRange) async throws -> [StepSeries] {
        let times = effectiveTimes(selector, range)
        guard let minT = times.min(), let maxT = times.max() else { return [] }
        let raw = try await fetch(selector, minMillis: minT &- limits.lookbackMillis &+ 1, maxMillis: maxT)
        try checkPoints(series: raw.count, steps: times.count)
        var out: [StepSeries] = []
        out.reserveCapacity(raw.count)
        for series in raw {
            try checkDeadline()
            var step = StepSeries(labels: series.labels, count: times.count)
            for (i, t) in times.enumerated() {
                let end = QueryEvaluator.partition(series.timestampsMillis, after: t)
                guard end > 0 else { continue }
                let ts = series.timestampsMillis[end - 1]
                if ts > t &- limits.lookbackMillis {
                    step.present[i] = true
                    step.values[i] = series.values[end - 1]
                }
            }
            if !step.isEmpty { out.append(step) }
        }
        return out
    }

    /// Range vector selection at a single instant: raw samples in `(t - range, t]`.
    func selectRange(_ selector: SeriesSelector, rangeMillis: Int64, _ range: EvalRange) async throws -> [RawSeries] {
        guard range.stepCount == 1 else {
            throw QueryError.badQuery("invalid expression type \"range vector\" for range query, must be Scalar or instant Vector")
        }
        let t = effectiveTimes(selector, range)[0]
        let raw = try await fetch(selector, minMillis: t &- rangeMillis &+ 1, maxMillis: t)
        return raw.compactMap { series in
            let lo = QueryEvaluator.partition(series.timestampsMillis, after: t &- rangeMillis)
            let hi = QueryEvaluator.partition(series.timestampsMillis, after: t)
            guard lo < hi else { return nil }
            return RawSeries(
                labels: series.labels, timestampsMillis: Array(series.timestampsMillis[lo..<hi]),
                values: Array(series.values[lo..<hi]))
        }
    }

    /// The per-series rollup of every window `(t - range, t]`.
    func rollup(
        _ function: RollupFunction, _ selector: SeriesSelector, rangeMillis: Int64, parameters: [Double]?,
        _ range: EvalRange
    ) async throws -> [StepSeries] {
        let times = effectiveTimes(selector, range)
        guard let minT = times.min(), let maxT = times.max() else { return [] }
        let raw = try await fetch(selector, minMillis: minT &- rangeMillis &+ 1, maxMillis: maxT)
        try checkPoints(series: raw.count, steps: times.count)
        var out: [StepSeries] = []
        out.reserveCapacity(raw.count)
        let labelsToDrop: Set<String> = function.keepsMetricName ? [] : [Labels.metricNameKey]
        for series in raw {
            try checkDeadline()
            var step = StepSeries(labels: series.labels.removing(labelsToDrop), count: times.count)
            for (i, t) in times.enumerated() {
                let lo = QueryEvaluator.partition(series.timestampsMillis, after: t &- rangeMillis)
                let hi = QueryEvaluator.partition(series.timestampsMillis, after: t)
                guard lo < hi else { continue }
                let window = RollupWindow(
                    timestampsMillis: series.timestampsMillis[lo..<hi], values: series.values[lo..<hi],
                    startMillis: t &- rangeMillis, endMillis: t)
                if let value = window.apply(function, parameter: parameters?[i] ?? .nan) {
                    step.present[i] = true
                    step.values[i] = value
                }
            }
            if !step.isEmpty { out.append(step) }
        }
        return try mergeSameLabels(out)
    }

    /// The index of the first timestamp greater than `t` (binary search over sorted timestamps).
    static func partition(_ timestamps: [Int64], after t: Int64) -> Int {
        var lo = 0
        var hi = timestamps.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if timestamps[mid] <= t { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }
}
