/// One metric's answer to a view request (§8.2, §9): its unit, type and points.
public struct BluefloodView: Sendable {
    /// The metric name as requested.
    public var metricName: String
    /// The stored unit, or ``Blueflood/unknownUnit``.
    public var unit: String
    /// How the metric was stored, which decided its statistics.
    public var type: BluefloodMetricType
    /// Points ascending by time; empty for an unknown metric.
    public var points: [BluefloodPoint]

    public init(metricName: String, unit: String, type: BluefloodMetricType, points: [BluefloodPoint]) {
        self.metricName = metricName
        self.unit = unit
        self.type = type
        self.points = points
    }
}

/// One raw sample (FULL) or one roll-up bucket: its time and its statistics in rendering order.
public struct BluefloodPoint: Sendable, Equatable {
    /// The raw `collectionTime` (FULL) or the bucket start, in milliseconds.
    public var timestampMillis: Int64
    /// Statistic names (`average`, `numPoints`, `pct_99`, …) and values; nil renders as `null`
    /// (every statistic but `numPoints` of a bucket whose `numPoints` is 0, §10).
    public var stats: [(name: String, value: BluefloodNumber?)]

    public init(timestampMillis: Int64, stats: [(name: String, value: BluefloodNumber?)]) {
        self.timestampMillis = timestampMillis
        self.stats = stats
    }

    /// The value of one statistic, nil when absent or null.
    public subscript(stat: String) -> BluefloodNumber? {
        stats.first { $0.name == stat }?.value ?? nil
    }

    public static func == (lhs: BluefloodPoint, rhs: BluefloodPoint) -> Bool {
        lhs.timestampMillis == rhs.timestampMillis && lhs.stats.count == rhs.stats.count
            && zip(lhs.stats, rhs.stats).allSatisfy { $0.name == $1.name && $0.value == $1.value }
    }
}
