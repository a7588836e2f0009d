import BasinModel
import StorageAPI

extension QueryEvaluator {
    /// `sum`, `avg`, `min`, `max`, `count` or `group` of a selector the store reads as window
    /// aggregates, folded straight from the store's windows into each group's accumulators.
    ///
    /// The unfused evaluation builds one ``StepSeries`` per input series (labels rewritten,
    /// two arrays each) only for ``aggregate(_:grouping:parameters:_:_:)`` to read them once;
    /// here each series' windows go into its group's ``GroupAccumulator`` as they are. Series
    /// are visited in the same order (sorted by labels) and each group's values are folded in
    /// that order, so the result is bit for bit the unfused one.
    ///
    /// - Returns: nil when the plan has another shape (the caller evaluates it unfused): an
    ///   operator that needs all of a step's values, a parameter, step times out of order, a
    ///   rollup the store does not compute, or one that drops the metric name without a single
    ///   metric name (then series may collide and merge, which changes the folding order).
    func fusedAggregate(
        _ op: AggregateOperator, grouping: Grouping, parameter: PlanNode?, input: PlanNode, _ range: EvalRange
    ) async throws -> [StepSeries]? {
        guard fusesAggregation, parameter == nil, GroupAccumulator.folds(op), let read = fusedRead(input) else { return nil }
        let times = effectiveTimes(read.selector, range)
        guard !times.isEmpty, Self.isNonDecreasing(times) else { return nil }
        try checkDeadline()
        let windows = try await fetchWindows(read.selector, times: times, windowMillis: read.windowMillis, aggregates: read.aggregates)
        // A dropped metric name is never part of a group key.
        var keyGrouping = grouping
        if read.dropsName, case .by(let names) = grouping { keyGrouping = .by(names.filter { $0 != Labels.metricNameKey }) }
        return Self.fold(windows, op, GroupKeyCutter(keyGrouping), read.field, steps: range.stepCount)
    }

    /// What a fused aggregation reads from the store for its input, or nil when the input
    /// cannot be fused (see ``fusedAggregate(_:grouping:parameter:input:_:)``).
    private func fusedRead(_ input: PlanNode) -> (
        selector: SeriesSelector, windowMillis: Int64, aggregates: WindowAggregates, field: WindowField, dropsName: Bool
    )? {
        switch input {
        case .instantSelect(let s):
            return (s, limits.lookbackMillis, .last, .last, false)
        case .rollup(let function, let s, let rangeMillis, nil):
            guard let (aggregates, _) = Self.pushdown(function), let field = WindowField(function) else { return nil }
            let dropsName = !function.keepsMetricName
            if dropsName, !s.matchers.contains(where: { $0.name == Labels.metricNameKey && $0.op == .equal }) { return nil }
            return (s, rangeMillis, aggregates, field, dropsName)
        default:
            return nil
        }
    }

    /// Folds each series' windows into its group, groups in order of first appearance.
    ///
    /// Each series' key is cut into one reused buffer; while there are few groups (the usual
    /// `by (region)`) it is found by comparing bytes with each group's, and only a new group
    /// or a long group list costs a label set and a hash.
    private static func fold(
        _ windows: [SeriesWindows], _ op: AggregateOperator, _ cutter: GroupKeyCutter, _ field: WindowField, steps: Int
    ) -> [StepSeries] {
        let scanLimit = 16
        var groupIndex: [LabelsKey: Int] = [:]
        var groups: [(labels: Labels, accumulator: GroupAccumulator)] = []
        var key: [UInt8] = []
        windows.withUnsafeBufferPointer { ws in
            for w in ws.indices {
                cutter.keyBytes(ws[w].labels, into: &key)
                var found: Int?
                if groups.count <= scanLimit {
                    found = groups.firstIndex { $0.labels.bytes == key }
                } else {
                    found = groupIndex[LabelsKey(labels: Labels(uncheckedBytes: key))]
                }
                let accumulator: GroupAccumulator
                if let found {
                    accumulator = groups[found].accumulator
                } else {
                    let labels = Labels(uncheckedBytes: key)
                    accumulator = GroupAccumulator(op, steps: steps)
                    groupIndex[LabelsKey(labels: labels)] = groups.count
                    groups.append((labels, accumulator))
                }
                field.fold(ws[w], into: accumulator)
            }
        }
        var out: [StepSeries] = []
        out.reserveCapacity(groups.count)
        for group in groups {
            var result = StepSeries(labels: group.labels, count: steps)
            for i in 0..<steps {
                guard let v = group.accumulator.value(at: i) else { continue }
                result.present[i] = true
                result.values[i] = v
            }
            if !result.isEmpty { out.append(result) }
        }
        return out
    }
}

/// Which of a series' window aggregates a fused aggregation reads.
enum WindowField {
    case sum, mean, min, max, last, count

    /// The field a pushed-down rollup reads (nil for rollups the store does not compute).
    init?(_ function: RollupFunction) {
        switch function {
        case .sum: self = .sum
        case .avg: self = .mean
        case .min: self = .min
        case .max: self = .max
        case .last: self = .last
        case .count: self = .count
        default: return nil
        }
    }

    /// Folds the series' value at every window with a sample into `accumulator`, in step order.
    func fold(_ w: borrowing SeriesWindows, into accumulator: GroupAccumulator) {
        w.count.withUnsafeBufferPointer { count in
            let values: [Double]
            switch self {
            case .sum: values = w.sum
            case .mean: values = w.mean
            case .min: values = w.min
            case .max: values = w.max
            case .last: values = w.last
            case .count:
                for i in 0..<Swift.min(accumulator.steps, count.count) where count[i] > 0 { accumulator.add(Double(count[i]), at: i) }
                return
            }
            values.withUnsafeBufferPointer { accumulator.add($0, present: count) }
        }
    }
}
