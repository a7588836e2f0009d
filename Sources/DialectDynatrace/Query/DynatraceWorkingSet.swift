import BasinModel

/// The series of one expression while its transformation chain runs.
///
/// Series start as slot states (so `:splitBy` and `:fold` merge before aggregating, keeping an
/// average weighted); the first transformation that needs finished values (`:rate`, `:delta`,
/// `:smooth`, `:default`, `:sort`) turns them into values with the time aggregation.
struct DynatraceWorkingSet {
    struct Series {
        var dimensions: Labels
        var timestampsMillis: [Int64]
        var states: [DynatraceSlotState]
        /// Set once the values are final.
        var values: [Double?]?
        /// The width of one point, for `:rate`.
        var slotMillis: Int64
    }

    let kind: MetricKind
    var aggregation: DynatraceAggregation
    let timeframe: DynatraceTimeframe
    var series: [Series]
    var finished = false
    /// Whether an empty `:splitBy()` ran (`:default(…, always)` may then invent a series).
    var mergedAll = false

    init(kind: MetricKind, aggregation: DynatraceAggregation, timeframe: DynatraceTimeframe, series rows: [Labels: [DynatraceSlotState]]) {
        self.kind = kind
        self.aggregation = aggregation
        self.timeframe = timeframe
        series = rows.map { Series(dimensions: $0.key, timestampsMillis: timeframe.slotEndsMillis, states: $0.value, slotMillis: timeframe.slotMillis) }
            .sorted { $0.dimensions < $1.dimensions }
    }

    /// The aggregation with `auto`/`value` resolved for the metric's kind.
    func concrete(_ aggregation: DynatraceAggregation) -> DynatraceAggregation {
        switch aggregation {
        case .auto, .value: kind == .count ? .sum : .avg
        // Statistic series exist only for the aggregation read; others fall back to the default,
        // as Dynatrace does for an aggregation a metric does not support.
        case let other where kind == .summary && other != self.aggregation: self.aggregation == .auto ? .avg : concrete(self.aggregation)
        default: aggregation
        }
    }

    /// Warnings for dimension keys the chain names that no series has (spec §4.2).
    func unknownDimensionWarnings(_ chain: [DynatraceTransformation]) -> [String] {
        guard !series.isEmpty else { return [] }
        var known = Set<String>()
        for s in series { s.dimensions.forEach { name, _ in known.insert(name) } }
        var referenced: [String] = []
        for transformation in chain {
            switch transformation {
            case .filter(let condition): referenced += condition.dimensionKeys
            case .splitBy(let keys): referenced += keys
            case .sort(let keys): referenced += keys.compactMap { if case .dimension(let d, _) = $0 { d } else { nil } }
            default: break
            }
        }
        var seen = Set<String>()
        return referenced.filter { !known.contains($0) && seen.insert($0).inserted }
            .map { "The dimension key `\($0)` has been referenced, but the metric has no such key." }
    }

    /// Turns states into values (once).
    mutating func finish() {
        guard !finished else { return }
        finished = true
        let aggregation = concrete(self.aggregation)
        for i in series.indices {
            series[i].values = series[i].states.map { $0.value(aggregation) }
            series[i].states = []
        }
    }

    /// The series as the response lists them.
    mutating func render() -> [DynatraceMetricSeries] {
        finish()
        return series.map { s in
            DynatraceMetricSeries(dimensions: s.dimensions.pairs.map { (key: $0.name, value: $0.value) }.sorted { $0.key < $1.key },
                                  timestampsMillis: s.timestampsMillis, values: s.values ?? [])
        }
    }
}
