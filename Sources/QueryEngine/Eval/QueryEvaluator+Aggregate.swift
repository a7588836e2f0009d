import BasinModel

extension QueryEvaluator {
    /// Cross-series aggregation at every step.
    func aggregate(
        _ op: AggregateOperator, grouping: Grouping, parameters: [Double]?, _ series: [StepSeries], _ range: EvalRange
    ) throws -> [StepSeries] {
        let steps = range.stepCount
        // Group membership is fixed per series, so it is computed once, not per step.
        let cutter = GroupKeyCutter(grouping)
        var groupIndex: [LabelsKey: Int] = [:]
        var groups: [(labels: Labels, members: [Int])] = []
        for (i, s) in series.enumerated() {
            let key = cutter.key(s.labels)
            if let g = groupIndex[LabelsKey(labels: key)] {
                groups[g].members.append(i)
            } else {
                groupIndex[LabelsKey(labels: key)] = groups.count
                groups.append((key, [i]))
            }
        }
        if op == .topk || op == .bottomk {
            return try selectExtremes(op, groups: groups.map(\.members), parameters: parameters ?? [], series, steps)
        }
        var out: [StepSeries] = []
        out.reserveCapacity(groups.count)
        if GroupAccumulator.folds(op) {
            // Member by member, each step folded in member order: the values `reduce` would see.
            for group in groups {
                try checkDeadline()
                let accumulator = GroupAccumulator(op, steps: steps)
                for m in group.members {
                    series[m].present.withUnsafeBufferPointer { present in
                        series[m].values.withUnsafeBufferPointer { values in
                            for i in 0..<Swift.min(steps, present.count, values.count) where present[i] {
                                accumulator.add(values[i], at: i)
                            }
                        }
                    }
                }
                var result = StepSeries(labels: group.labels, count: steps)
                for i in 0..<steps {
                    guard let value = accumulator.value(at: i) else { continue }
                    result.present[i] = true
                    result.values[i] = value
                }
                if !result.isEmpty { out.append(result) }
            }
            return out
        }
        var scratch: [Double] = []
        for group in groups {
            try checkDeadline()
            var result = StepSeries(labels: group.labels, count: steps)
            for i in 0..<steps {
                scratch.removeAll(keepingCapacity: true)
                for m in group.members where series[m].present[i] { scratch.append(series[m].values[i]) }
                guard !scratch.isEmpty else { continue }
                result.present[i] = true
                result.values[i] = AggregateOperator.reduce(op, scratch, parameter: parameters?[i] ?? .nan)
            }
            if !result.isEmpty { out.append(result) }
        }
        return out
    }

    /// `topk` / `bottomk`: the input series themselves, present only at the steps they rank in.
    private func selectExtremes(
        _ op: AggregateOperator, groups: [[Int]], parameters: [Double], _ series: [StepSeries], _ steps: Int
    ) throws -> [StepSeries] {
        var out = series.map { StepSeries(labels: $0.labels, count: steps) }
        for i in 0..<steps {
            let k = i < parameters.count ? parameters[i] : .nan
            guard !k.isNaN else {
                throw QueryError.execution("Parameter value NaN is not a valid integer for \(op.rawValue)")
            }
            guard k >= 1 else { continue }
            let limit = k >= Double(Int.max) ? Int.max : Int(k)
            for members in groups {
                var present = members.filter { series[$0].present[i] }
                present.sort { a, b in
                    let x = series[a].values[i], y = series[b].values[i]
                    // NaN ranks last for both operators, as in Prometheus.
                    if x.isNaN { return false }
                    if y.isNaN { return true }
                    return op == .topk ? x > y : x < y
                }
                for m in present.prefix(limit) {
                    out[m].present[i] = true
                    out[m].values[i] = series[m].values[i]
                }
            }
        }
        return out.filter { !$0.isEmpty }
    }
}

extension AggregateOperator {
    /// Reduces one group's values at one step (never empty).
    static func reduce(_ op: AggregateOperator, _ values: [Double], parameter: Double) -> Double {
        switch op {
        case .sum: return Kahan.sum(values)
        case .avg: return Kahan.mean(values)
        case .count: return Double(values.count)
        case .min:
            var result = values[0]
            for v in values where v < result || result.isNaN { result = v }
            return result
        case .max:
            var result = values[0]
            for v in values where v > result || result.isNaN { result = v }
            return result
        case .quantile: return Quantile.of(parameter, values)
        case .group: return 1
        case .stdvar: return Variance.population(values)
        case .stddev: return Variance.population(values).squareRoot()
        case .topk, .bottomk: return .nan
        }
    }
}
