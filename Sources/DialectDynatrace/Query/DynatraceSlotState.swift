/// What one series collected in one time slot: enough to finish any aggregation, and to merge
/// slots or series first (`:splitBy`, `:fold`) so that an average stays a weighted average.
struct DynatraceSlotState: Sendable {
    /// Samples (or statistic samples) that contributed.
    var n = 0
    var sum = 0.0
    /// Values counted: one per gauge sample, or a summary's `count` statistic.
    var count = 0.0
    var min = Double.infinity
    var max = -Double.infinity
    /// Raw values, kept only when a percentile or median is asked for.
    var samples: [Double] = []

    /// How a stored sample feeds the state.
    enum Contribution: Sendable {
        /// A plain value: sum, count one, min, max (and the sample when kept).
        case value
        /// A summary's `:sum` statistic.
        case sum
        /// A summary's `:count` statistic.
        case count
        /// A summary's `:min` statistic.
        case min
        /// A summary's `:max` statistic.
        case max
    }

    mutating func add(_ v: Double, as contribution: Contribution, keepSamples: Bool) {
        n += 1
        switch contribution {
        case .value:
            sum += v
            count += 1
            min = Swift.min(min, v)
            max = Swift.max(max, v)
            if keepSamples { samples.append(v) }
        case .sum: sum += v
        case .count: count += v
        case .min: min = Swift.min(min, v)
        case .max: max = Swift.max(max, v)
        }
    }

    mutating func merge(_ other: DynatraceSlotState) {
        n += other.n
        sum += other.sum
        count += other.count
        min = Swift.min(min, other.min)
        max = Swift.max(max, other.max)
        samples += other.samples
    }

    /// The aggregation's value; nil when nothing contributed. `auto` and `value` must already be
    /// resolved to a concrete aggregation.
    func value(_ aggregation: DynatraceAggregation) -> Double? {
        guard n > 0 else { return nil }
        switch aggregation {
        case .avg, .auto, .value: return count > 0 ? sum / count : nil
        case .sum: return sum
        case .min: return min.isFinite ? min : nil
        case .max: return max.isFinite ? max : nil
        case .count: return count
        case .median: return Self.percentile(50, of: samples)
        case .percentile(let p): return Self.percentile(p, of: samples)
        }
    }

    /// The `p`-th percentile, linear between the closest ranks.
    static func percentile(_ p: Double, of values: [Double]) -> Double? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        let rank = p / 100 * Double(sorted.count - 1)
        let lower = Int(rank.rounded(.down))
        let upper = Swift.min(lower + 1, sorted.count - 1)
        return sorted[lower] + (sorted[upper] - sorted[lower]) * (rank - Double(lower))
    }

    /// An aggregation over finished values (used after the values are final: `:sort`, a `:fold`
    /// after `:rate`).
    static func aggregate(_ values: [Double?], _ aggregation: DynatraceAggregation) -> Double? {
        var state = DynatraceSlotState()
        for case let v? in values { state.add(v, as: .value, keepSamples: true) }
        if aggregation == .value { return values.last { $0 != nil } ?? nil }
        return state.value(aggregation)
    }
}
