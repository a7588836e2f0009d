import BasinModel

/// Per-metric expiry: the metric names of one organisation whose metadata carries a
/// ``MetricMetadata/ttlSeconds``, and the time before which their samples are no longer read.
///
/// A series expires by its metric name (`__name__`), so a TTL set through Blueflood hides the
/// old samples from every read API — Prometheus, Datadog, Dynatrace, Blueflood FULL — and a
/// series whose samples have all expired is no longer listed. Stores keep the samples until the
/// retention drops their block; expiry only decides what reads see. Reads that keep their own
/// retention (Blueflood roll-ups) set ``SelectRequest/honoursExpiry`` to false.
public struct MetricExpiry: Sendable {
    /// Horizon (inclusive lower bound, ms) per metric name.
    private var horizons: [String: Int64]

    /// No metric expires.
    public static let none = MetricExpiry(horizons: [:])

    private init(horizons: [String: Int64]) {
        self.horizons = horizons
    }

    /// The expiry of the names in `ttlSecondsByName` at `nowMillis`; TTLs that are not positive
    /// are ignored (Blueflood refuses them at intake).
    public init(ttlSecondsByName: [String: Int64], nowMillis: Int64) {
        var horizons: [String: Int64] = [:]
        for (name, ttl) in ttlSecondsByName where ttl > 0 {
            // Saturating: a TTL of decades reaches before any representable sample.
            let (millis, overflow) = ttl.multipliedReportingOverflow(by: 1000)
            let (horizon, under) = nowMillis.subtractingReportingOverflow(overflow ? Int64.max : millis)
            horizons[name] = under ? Int64.min : horizon + 1
        }
        self.horizons = horizons
    }

    /// The expiry that the metadata of one organisation describes at `nowMillis`.
    public init(metadata: [String: MetricMetadata], nowMillis: Int64) {
        self.init(ttlSecondsByName: metadata.compactMapValues(\.ttlSeconds), nowMillis: nowMillis)
    }

    /// Whether no metric expires (reads can skip the per-series lookup).
    public var isEmpty: Bool { horizons.isEmpty }

    /// The first millisecond of a series' samples that reads still see: `startMillis`, or the
    /// metric's horizon when that is later.
    public func startMillis(for labels: Labels, from startMillis: Int64) -> Int64 {
        guard let horizon = horizon(for: labels) else { return startMillis }
        return Swift.max(startMillis, horizon)
    }

    /// The horizon of the series' metric name, or nil when its metric does not expire.
    public func horizon(for labels: Labels) -> Int64? {
        if horizons.isEmpty { return nil }
        var found: Int64?
        labels.forEachBytes { name, value in
            guard found == nil, MetricExpiry.isMetricNameKey(name) else { return }
            found = horizons[String(decoding: value, as: UTF8.self)]
        }
        return found
    }

    /// The horizon of a metric name, or nil when it does not expire.
    public func horizon(forMetricName name: String) -> Int64? {
        horizons[name]
    }

    private static let metricNameKey = Array(Labels.metricNameKey.utf8)

    private static func isMetricNameKey(_ name: some Collection<UInt8>) -> Bool {
        name.elementsEqual(metricNameKey)
    }
}
