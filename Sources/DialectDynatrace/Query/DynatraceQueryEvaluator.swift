import BasinModel
import StorageAPI

/// Evaluates a parsed metric selector over a ``MetricStore`` with Dynatrace's semantics: values
/// bucketed into the timeframe's slots, `null` for a slot without data, and the default
/// aggregation of the metric's kind (gauge → avg, count → sum, summary → the weighted average of
/// its `:sum` and `:count` statistic series; `:min`, `:max`, `:sum`, `:count` read the statistic
/// series Basin stores beside a summary).
///
/// Evaluated here rather than through the shared query plan: slots are aligned half-open
/// intervals ending at the reported timestamp, and a summary's statistics are separate series.
public struct DynatraceQueryEvaluator: Sendable {
    /// The store to read.
    public let store: any MetricStore
    /// The organisation whose data is read.
    public let org: OrgID
    /// At most this many metric expressions per selector (Dynatrace: 10).
    public static let maxExpressions = 10

    public init(store: any MetricStore, org: OrgID) {
        self.store = store
        self.org = org
    }

    /// Evaluates every expression of `selector` over `timeframe`.
    /// - Throws: ``DynatraceQueryError`` (bad selector for a query, unknown metric) or the
    ///   store's error.
    public func evaluate(_ selector: DynatraceSelector, timeframe: DynatraceTimeframe) async throws -> DynatraceMetricData {
        guard selector.expressions.count <= Self.maxExpressions else {
            throw DynatraceQueryError.badSelector("A metric selector may hold at most \(Self.maxExpressions) metrics, found \(selector.expressions.count)")
        }
        var results: [DynatraceMetricSeriesCollection] = []
        for expression in selector.expressions {
            guard !expression.hasWildcard else {
                throw DynatraceQueryError.badSelector("Wildcards in metric keys are only allowed when listing metrics: \(expression.key)")
            }
            results.append(try await evaluate(expression, timeframe: timeframe))
        }
        return DynatraceMetricData(resolution: timeframe.resolution, results: results)
    }

    /// One expression.
    func evaluate(_ expression: DynatraceMetricExpression, timeframe: DynatraceTimeframe) async throws -> DynatraceMetricSeriesCollection {
        guard let kind = try await store.metricKinds(org: org, metricName: expression.key)[expression.key] else {
            throw DynatraceQueryError.metricNotFound(expression.key)
        }
        var chain = expression.transformations[...]
        // The time aggregation: the first aggregation before any transformation that needs values.
        var aggregation = DynatraceAggregation.auto
        if let first = chain.firstIndex(where: { if case .aggregation = $0 { true } else { false } }),
           !chain[..<first].contains(where: Self.needsValues), case .aggregation(let chosen) = chain[first] {
            aggregation = chosen
            chain.remove(at: first)
        }
        let keepSamples = expression.transformations.contains(where: Self.needsSamples) || aggregation.needsSamples
        let sources = Self.sources(key: expression.key, kind: kind, aggregation: aggregation)
        var working = DynatraceWorkingSet(
            kind: kind, aggregation: aggregation, timeframe: timeframe,
            series: try await read(sources, timeframe: timeframe, keepSamples: keepSamples))
        var warnings = working.unknownDimensionWarnings(expression.transformations)
        for transformation in chain {
            try working.apply(transformation, warnings: &warnings)
        }
        return DynatraceMetricSeriesCollection(metricId: expression.metricId, warnings: warnings, data: working.render())
    }

    /// The stored series an aggregation reads, and how each feeds the slot state.
    static func sources(key: String, kind: MetricKind, aggregation: DynatraceAggregation) -> [(String, DynatraceSlotState.Contribution)] {
        guard kind == .summary else { return [(key, .value)] }
        switch aggregation {
        case .auto, .avg, .value: return [(key + ":sum", .sum), (key + ":count", .count)]
        case .sum: return [(key + ":sum", .sum)]
        case .count: return [(key + ":count", .count)]
        case .min: return [(key + ":min", .min)]
        case .max: return [(key + ":max", .max)]
        case .median, .percentile: return [(key, .value)]
        }
    }

    /// Reads the sources and buckets every sample into its slot, one state row per dimension set.
    func read(
        _ sources: [(String, DynatraceSlotState.Contribution)], timeframe: DynatraceTimeframe, keepSamples: Bool
    ) async throws -> [Labels: [DynatraceSlotState]] {
        let start = timeframe.readStartMillis
        let end = timeframe.readEndMillis
        let slots = timeframe.slotEndsMillis.count
        var rows: [Labels: [DynatraceSlotState]] = [:]
        for (name, contribution) in sources {
            let request = SelectRequest(org: org, matchers: [.equal(Labels.metricNameKey, name)], startMillis: start, endMillis: end - 1)
            for series in try await store.select(request) {
                let dimensions = series.labels.removing([Labels.metricNameKey])
                var row = rows[dimensions] ?? [DynatraceSlotState](repeating: DynatraceSlotState(), count: slots)
                for (ts, v) in zip(series.timestampsMillis, series.values) where ts >= start && ts < end && !v.isNaN {
                    let slot = Int((ts - start) / timeframe.slotMillis)
                    if slot < slots { row[slot].add(v, as: contribution, keepSamples: keepSamples) }
                }
                rows[dimensions] = row
            }
        }
        return rows.filter { $0.value.contains { $0.n > 0 } }
    }

    /// Transformations that work on finished values.
    static func needsValues(_ transformation: DynatraceTransformation) -> Bool {
        switch transformation {
        case .rate, .delta, .smoothSkipFirst, .defaultValue, .sort: true
        default: false
        }
    }

    static func needsSamples(_ transformation: DynatraceTransformation) -> Bool {
        switch transformation {
        case .aggregation(let a), .fold(let a?), .last(let a?): a.needsSamples
        case .sort(let keys): keys.contains { if case .value(let a, _) = $0 { a.needsSamples } else { false } }
        default: false
        }
    }
}

extension DynatraceAggregation {
    var needsSamples: Bool {
        switch self {
        case .median, .percentile: true
        default: false
        }
    }
}
