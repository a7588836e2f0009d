import BasinModel

/// Constants of the Rackspace Metrics / Blueflood dialect (`../shared/specs/blueflood.md`).
public enum Blueflood {
    /// The self-metrics dialect name, also the `dialect` of stored metric metadata.
    public static let dialect = "blueflood"
    /// How far back a `collectionTime`, `timestamp` or `when` may lie (3 days, §3.1).
    public static let maxPastMillis: Int64 = 259_200_000
    /// How far ahead a time may lie (10 minutes, §3.1).
    public static let maxFutureMillis: Int64 = 600_000
    /// The fixed TTL of pre-aggregated (statsd) samples: 48 hours (§5.1).
    public static let aggregatedTTLSeconds: Int64 = 172_800
    /// Largest request body after decompression (§1.3).
    public static let maxBodyBytes = 1_048_576
    /// Most metric names in one `POST /views` (§9).
    public static let maxMetricsPerBatchQuery = 100
    /// Most results of a search or an events query (§7, §11).
    public static let maxDiscoveryResults = 10_000
    /// The unit reported when none was stored (§8.2).
    public static let unknownUnit = "unknown"

    /// The out-of-bounds message for the default window (§3.1, B8).
    public static func outOfBoundsMessage(maxPastMillis: Int64 = maxPastMillis, maxFutureMillis: Int64 = maxFutureMillis) -> String {
        "Out of bounds. Cannot be more than \(maxPastMillis) milliseconds into the past. Cannot be more than \(maxFutureMillis) milliseconds into the future"
    }
}

/// What a Blueflood metric is, which decides how it is stored and which statistics a view
/// reports by default (§10). Stored as ``StorageAPI/MetricMetadata/vendorType``.
public enum BluefloodMetricType: String, Sendable, CaseIterable {
    /// A raw numeric sample from `/ingest` or `/ingest/multi` (and any other dialect's metric
    /// that is not a gauge or a delta count).
    case basic
    /// A statsd gauge from `/ingest/aggregated` (and other dialects' gauges).
    case gauge
    /// A statsd counter: its value, per-second rate and sample count (and other dialects' delta counts).
    case counter
    /// A statsd timer: count, rate, min, max, sum, average, median, standard deviation, percentiles.
    case timer
    /// A statsd set: the distinct strings seen.
    case set
}

/// One element of Blueflood's error list (§1.4): members are written in this order, nulls as `null`.
public struct BluefloodErrorEntry: Sendable, Hashable {
    /// The tenant (empty when unknown).
    public var tenantId: String
    /// The item's time in ms (`collectionTime`, bundle `timestamp`, event `when`), nil for generic errors.
    public var timestamp: Int64?
    /// The item's metric name (empty when none).
    public var metricName: String
    /// The offending JSON property path (`metricName`, `gauges[0].value`, …), nil for generic errors.
    public var source: String?
    /// What is wrong.
    public var message: String

    public init(tenantId: String, timestamp: Int64?, metricName: String, source: String?, message: String) {
        self.tenantId = tenantId
        self.timestamp = timestamp
        self.metricName = metricName
        self.source = source
        self.message = message
    }

    /// A generic error: only the tenant and the message are meaningful.
    public static func generic(tenantId: String, _ message: String) -> BluefloodErrorEntry {
        BluefloodErrorEntry(tenantId: tenantId, timestamp: nil, metricName: "", source: nil, message: message)
    }
}

/// How Blueflood metrics become Basin series (documented in `docs/dialects/blueflood.md`).
///
/// A Blueflood tenant is a Basin organisation and a metric name is `__name__`, with no other
/// label. A basic metric or a gauge is one series. Counters and timers keep their statistics
/// in sibling series named `<metric>:<part>` (the convention Dynatrace summaries use), so the
/// metric's own series holds the value any other read API shows first: a counter's count, a
/// timer's average. A set stores one series per distinct string, labelled
/// ``setValueLabel``, with the value 1 at each flush that saw it, so a bucket's distinct count
/// is the number of series with a sample in it.
public enum BluefloodSeriesNaming {
    /// The label holding one distinct string of a set.
    public static let setValueLabel = "set_value"
    /// Counter parts besides the count itself (kept in the metric's own series).
    public static let counterRate = "rate"
    /// A counter's sample count per flush (`floor(rate × flushInterval / 1000)` or 1).
    public static let counterSampleCount = "sampleCount"
    /// Timer parts besides the average (kept in the metric's own series).
    public static let timerParts = ["count", "rate", "min", "max", "sum", "median", "std"]
    /// The prefix of a timer's percentile parts (`pct_50`, `pct_99`, …).
    public static let timerPercentilePrefix = "pct_"

    /// The series name of one part of a counter or timer.
    public static func partName(_ metricName: String, _ part: String) -> String {
        metricName + ":" + part
    }

    /// The labels of a metric's own series.
    public static func labels(_ metricName: String) -> Labels {
        Labels(metricName: metricName)
    }

    /// The labels of a part series.
    public static func partLabels(_ metricName: String, _ part: String) -> Labels {
        Labels(metricName: partName(metricName, part))
    }

    /// The labels of one distinct string of a set.
    public static func setLabels(_ metricName: String, value: String) -> Labels {
        Labels(metricName: metricName, [(name: setValueLabel, value: value)])
    }
}
