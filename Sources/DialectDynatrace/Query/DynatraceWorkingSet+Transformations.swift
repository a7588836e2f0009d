import BasinModel

extension DynatraceWorkingSet {
    /// Applies one transformation of the chain.
    mutating func apply(_ transformation: DynatraceTransformation, warnings: inout [String]) throws(DynatraceQueryError) {
        switch transformation {
        case .aggregation(let chosen):
            guard !finished else {
                throw .badSelector("An aggregation must come before :rate, :delta, :smooth, :default and :sort")
            }
            aggregation = chosen
        case .filter(let condition):
            series.removeAll { s in
                var map: [String: String] = [:]
                s.dimensions.forEach { map[$0] = $1 }
                return !condition.matches(map)
            }
        case .splitBy(let keys):
            try splitBy(keys)
        case .fold(let chosen):
            fold(chosen)
        case .last(let chosen):
            last(chosen)
        case .limit(let n):
            if series.count > n { series.removeSubrange(n...) }
        case .sort(let keys):
            finish()
            sort(keys)
        case .names:
            break  // Basin has no entities, so there are no entity names to add.
        case .rate(let millis):
            finish()
            for i in series.indices {
                let per = Double(millis), width = Double(series[i].slotMillis)
                series[i].values = series[i].values?.map { $0.map { $0 * per / width } }
            }
        case .delta:
            finish()
            for i in series.indices {
                let values = series[i].values ?? []
                series[i].values = values.indices.map { j -> Double? in
                    guard j > 0, let current = values[j], let previous = values[j - 1] else { return nil }
                    return Swift.max(0, current - previous)
                }
            }
        case .smoothSkipFirst:
            finish()
            for i in series.indices {
                let values = series[i].values ?? []
                series[i].values = values.indices.map { j in j > 0 && values[j - 1] == nil ? nil : values[j] }
            }
        case .defaultValue(let value, let always):
            finish()
            if series.isEmpty {
                if always && mergedAll {
                    series = [Series(dimensions: .empty, timestampsMillis: timeframe.slotEndsMillis, states: [],
                                     values: timeframe.slotEndsMillis.map { _ in value }, slotMillis: timeframe.slotMillis)]
                } else {
                    warnings.append("The :default operator could not be applied as it requires at least one written data point for the metric in the query timeframe.")
                }
            }
            for i in series.indices {
                series[i].values = series[i].values?.map { $0 ?? value }
            }
        }
    }

    /// Keeps only `keys` and merges the series that then share dimensions.
    mutating func splitBy(_ keys: [String]) throws(DynatraceQueryError) {
        guard !finished else { throw .badSelector(":splitBy must come before :rate, :delta, :smooth, :default and :sort") }
        let wanted = Set(keys)
        var groups: [Labels: Series] = [:]
        for s in series {
            let kept = s.dimensions.keeping(wanted)
            guard kept.count == wanted.count else { continue }  // lacks a listed dimension
            if var group = groups[kept] {
                for j in group.states.indices { group.states[j].merge(s.states[j]) }
                groups[kept] = group
            } else {
                var copy = s
                copy.dimensions = kept
                groups[kept] = copy
            }
        }
        series = groups.values.sorted { $0.dimensions < $1.dimensions }
        if keys.isEmpty { mergedAll = true }
    }

    /// One point per series for the whole timeframe, at its end.
    mutating func fold(_ chosen: DynatraceAggregation?) {
        if finished {
            let aggregation = concrete(chosen ?? aggregation)
            for i in series.indices {
                series[i].values = [DynatraceSlotState.aggregate(series[i].values ?? [], aggregation)]
                series[i].timestampsMillis = [timeframe.toMillis]
                series[i].slotMillis = timeframe.toMillis - timeframe.fromMillis
            }
            return
        }
        if let chosen { aggregation = concrete(chosen) }
        for i in series.indices {
            var total = DynatraceSlotState()
            for state in series[i].states { total.merge(state) }
            series[i].states = [total]
            series[i].timestampsMillis = [timeframe.toMillis]
            series[i].slotMillis = timeframe.toMillis - timeframe.fromMillis
        }
    }

    /// The latest slot with data, per series.
    mutating func last(_ chosen: DynatraceAggregation?) {
        if !finished, let chosen { aggregation = concrete(chosen) }
        for i in series.indices {
            if finished {
                let values = series[i].values ?? []
                let j = values.lastIndex { $0 != nil }
                series[i].values = j.map { [values[$0]] } ?? []
                series[i].timestampsMillis = j.map { [series[i].timestampsMillis[$0]] } ?? []
            } else {
                let j = series[i].states.lastIndex { $0.n > 0 }
                series[i].states = j.map { [series[i].states[$0]] } ?? []
                series[i].timestampsMillis = j.map { [series[i].timestampsMillis[$0]] } ?? []
            }
        }
    }

    /// Orders the series by the sort keys, in turn.
    mutating func sort(_ keys: [DynatraceSortKey]) {
        let aggregations = keys.map { key -> DynatraceAggregation? in
            if case .value(let a, _) = key { concrete(a) } else { nil }
        }
        let decorated = series.map { s in
            (s, aggregations.map { a in a.flatMap { DynatraceSlotState.aggregate(s.values ?? [], $0) } })
        }
        series = decorated.sorted { lhs, rhs in
            for (k, key) in keys.enumerated() {
                switch key {
                case .value(_, let descending):
                    // Series without a value go last in either direction.
                    switch (lhs.1[k], rhs.1[k]) {
                    case let (l?, r?) where l != r: return descending ? l > r : l < r
                    case (.some, nil): return true
                    case (nil, .some): return false
                    default: continue
                    }
                case .dimension(let name, let descending):
                    let l = lhs.0.dimensions[name] ?? "", r = rhs.0.dimensions[name] ?? ""
                    if l != r { return descending ? l > r : l < r }
                }
            }
            return lhs.0.dimensions < rhs.0.dimensions
        }.map(\.0)
    }
}
