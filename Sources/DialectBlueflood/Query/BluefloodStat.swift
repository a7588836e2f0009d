/// A statistic `select=` can ask for (§8.1, §10), spelled as Blueflood writes it in a view.
///
/// The declaration order is the order statistics appear in a rendered point.
public enum BluefloodStat: String, CaseIterable, Sendable {
    case average, min, max, numPoints, variance, sum, latest, rate, percentiles, type

    /// The statistic a `select=` item names, case-insensitively; nil for anything else.
    public init?(selectItem: some StringProtocol) {
        let lowered = selectItem.lowercased()
        guard let match = Self.allCases.first(where: { $0.rawValue.lowercased() == lowered }) else { return nil }
        self = match
    }

    /// The statistics a metric type can report (§10); anything else selected is omitted.
    /// `type` belonged to the removed string and boolean metrics, so no numeric type reports it.
    static func supported(by type: BluefloodMetricType) -> Set<BluefloodStat> {
        switch type {
        case .basic: [.average, .min, .max, .numPoints, .variance, .sum]
        case .gauge: [.average, .min, .max, .numPoints, .variance, .latest]
        case .counter: [.numPoints, .sum, .rate]
        case .timer: [.average, .min, .max, .numPoints, .variance, .sum, .rate, .percentiles]
        case .set: [.numPoints]
        }
    }

    /// What a view reports without `select=` (§10, §17.9), in rendering order.
    static func defaults(for type: BluefloodMetricType, granularity: BluefloodGranularity) -> [BluefloodStat] {
        switch type {
        case .basic: granularity == .full ? [.average, .numPoints] : [.average, .numPoints, .sum]
        case .gauge: [.numPoints, .latest]
        case .counter: [.numPoints, .sum]
        case .timer: [.average, .numPoints, .rate]
        case .set: [.numPoints]
        }
    }

    /// The statistics to compute for `type`: the selection (or the defaults) restricted to what
    /// the type supports, in declaration order.
    static func effective(_ select: [BluefloodStat]?, type: BluefloodMetricType, granularity: BluefloodGranularity) -> [BluefloodStat] {
        guard let select else { return defaults(for: type, granularity: granularity) }
        let supported = supported(by: type)
        return allCases.filter { select.contains($0) && supported.contains($0) }
    }
}

/// A statistic's value as Blueflood renders it: integers stay integers (counts, integer
/// averages of integer samples, integer-valued extremes), everything else is a double.
public enum BluefloodNumber: Sendable, Equatable {
    case integer(Int64)
    case double(Double)

    /// An integer when `value` is integral and fits, else the double itself.
    static func natural(_ value: Double) -> BluefloodNumber {
        if value.isFinite, value == value.rounded(.towardZero), abs(value) < 9.2e18 { return .integer(Int64(value)) }
        return .double(value)
    }

    /// The value as a double, for tests and clients that do not care.
    public var doubleValue: Double {
        switch self {
        case .integer(let v): Double(v)
        case .double(let v): v
        }
    }
}
