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
        return LabelsCollation.sorted(result, by: { $0.labels })
    }

    /// Reads per-window aggregates from the store (the pushdown path: the store folds each
    /// series while it reads, so raw samples of all series are never held at once).
    func fetchWindows(
        _ selector: SeriesSelector, times: [Int64], windowMillis: Int64, aggregates: WindowAggregates
    ) async throws -> [SeriesWindows] {
        let request = WindowSelectRequest(
            select: SelectRequest(
                org: org, matchers: selector.matchers, startMillis: 0, endMillis: 0,
                maxSeries: limits.maxSeries, maxSamples: limits.maxSamples),
            windowEndsMillis: times, windowMillis: windowMillis, aggregates: aggregates)
        let result: [SeriesWindows]
        do {
            result = try await store.selectWindows(request)
        } catch let error as StorageError {
            throw QueryError(kind: error.kind, message: error.message)
        } catch let error as QueryError {
            throw error
        } catch {
            throw QueryError(kind: .internalError, message: "storage failure: \(error)")
        }
        try checkDeadline()
        try checkPoints(series: result.count, steps: times.count)
        return LabelsCollation.sorted(result, by: { $0.labels })
    }

    /// Whether every step time is at or after the one before (what window pushdown needs).
    static func isNonDecreasing(_ times: [Int64]) -> Bool {
        zip(times, times.dropFirst()).allSatisfy { $0 <= $1 }
    }

    /// Instant vector selection: the latest sample in `(t - lookback, t]` at each step.
    func selectInstant(_ selector: SeriesSelector, _ range: EvalRange) async throws -> [StepSeries] {
        let times = effectiveTimes(selector, range)
        guard !times.isEmpty, Self.isNonDecreasing(times) else { return try await selectInstantFromSamples(selector, times) }
        let windows = try await fetchWindows(selector, times: times, windowMillis: limits.lookbackMillis, aggregates: .last)
        return windows.map { w in
            var step = StepSeries(labels: w.labels, count: times.count)
            for i in times.indices where w.count[i] > 0 {
                step.present[i] = true
                step.values[i] = w.last[i]
            }
            return step
        }
    }

    /// Instant selection from raw samples (step times out of order).
    private func selectInstantFromSamples(_ selector: SeriesSelector, _ times: [Int64]) async throws -> [StepSeries] {
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

    /// The rollups the store computes itself, and which of its aggregates each reads.
    static func pushdown(_ function: RollupFunction) -> (WindowAggregates, (SeriesWindows, Int) -> Double)? {
        switch function {
        case .sum: (.sum, { $0.sum[$1] })
        case .avg: (.mean, { $0.mean[$1] })
        case .min: (.min, { $0.min[$1] })
        case .max: (.max, { $0.max[$1] })
        case .last: (.last, { $0.last[$1] })
        case .count: ([], { Double($0.count[$1]) })
        default: nil
        }
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
        let labelsToDrop: Set<String> = function.keepsMetricName ? [] : [Labels.metricNameKey]
        if !times.isEmpty, Self.isNonDecreasing(times), let (aggregate, value) = Self.pushdown(function) {
            let windows = try await fetchWindows(selector, times: times, windowMillis: rangeMillis, aggregates: aggregate)
            let steps = windows.map { w in
                var step = StepSeries(labels: w.labels.removing(labelsToDrop), count: times.count)
                for i in times.indices where w.count[i] > 0 {
                    step.present[i] = true
                    step.values[i] = value(w, i)
                }
                return step
            }
            return try mergeSameLabels(steps)
        }
        guard let minT = times.min(), let maxT = times.max() else { return [] }
        let raw = try await fetch(selector, minMillis: minT &- rangeMillis &+ 1, maxMillis: maxT)
        try checkPoints(series: raw.count, steps: times.count)
        var out: [StepSeries] = []
        out.reserveCapacity(raw.count)
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
