/// The metric types of a DogStatsD metric datagram (`<name>:<value>|<type>`), spec §5.2.
public enum DogStatsDMetricType: String, Sendable, Hashable, CaseIterable {
    /// `c`: summed per flush interval and stored as a rate (sum / interval seconds).
    case count = "c"
    /// `g`: the last value of the interval.
    case gauge = "g"
    /// `ms`: aggregated exactly like a histogram.
    case timer = "ms"
    /// `h`: `.avg`, `.count`, `.max`, `.median`, `.95percentile`.
    case histogram = "h"
    /// `s`: the number of distinct members in the interval.
    case set = "s"
    /// `d`: a sketch in the distribution layout of `/api/v1/distribution_points`.
    case distribution = "d"
}

/// One decoded DogStatsD metric line.
public struct DogStatsDMetric: Sendable, Hashable {
    /// The name as sent (Datadog's character rewriting is applied when labels are built).
    public var name: String
    /// The type.
    public var type: DogStatsDMetricType
    /// The values (`name:1:2:3|h` carries three); empty for sets.
    public var values: [Double]
    /// For sets: the whole text after the first `:` (`daemon:abc:def|s` ⇒ `abc:def`).
    public var setMember: String?
    /// `@rate`, 0 < rate ≤ 1; 1 when absent or out of range.
    public var sampleRate: Double
    /// `#tags` as sent, empty ones skipped.
    public var tags: [String]
    /// `|T<seconds>`; only honoured for counts and gauges (spec §5.2).
    public var timestampSeconds: Int64?

    /// Creates a metric line.
    public init(
        name: String, type: DogStatsDMetricType, values: [Double] = [], setMember: String? = nil,
        sampleRate: Double = 1, tags: [String] = [], timestampSeconds: Int64? = nil
    ) {
        self.name = name
        self.type = type
        self.values = values
        self.setMember = setMember
        self.sampleRate = sampleRate
        self.tags = tags
        self.timestampSeconds = timestampSeconds
    }
}

/// One decoded DogStatsD line: a metric, an event (`_e{…}`) or a service check (`_sc`).
///
/// Events and service checks are the very values `POST /api/v1/events` and
/// `POST /api/v1/check_run` decode to, so they are stored as the same records.
public enum DogStatsDMessage: Sendable, Hashable {
    case metric(DogStatsDMetric)
    case event(DatadogEvent)
    case serviceCheck(DatadogServiceCheck)
}

/// Why a DogStatsD line was dropped (the Agent logs and counts these; so does Basin).
public struct DogStatsDParseError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A short human reason.
    public var reason: String

    /// Creates an error.
    public init(_ reason: String) {
        self.reason = reason
    }

    public var description: String { reason }
}

/// Limits on what one DogStatsD packet and line may carry; checked before anything is kept.
public struct DogStatsDLimits: Sendable, Hashable {
    /// Largest datagram read, bytes. The Agent's `dogstatsd_buffer_size` is 8192; datadogpy sends
    /// at most 1432 (UDP) / 8192 (UDS); spec §5.1 recommends accepting 64 KiB.
    public var maxPacketBytes: Int = 65_536
    /// Longest metric name, bytes (the server's `max-metric-name-bytes`).
    public var maxNameBytes: Int = 512
    /// Most tags on one line (the server's `max-labels-per-series`).
    public var maxTags: Int = 128
    /// Longest tag, bytes.
    public var maxTagBytes: Int = 4353
    /// Most values in one multi-value line (`name:1:2:3|h`).
    public var maxValuesPerLine: Int = 10_000
    /// Longest event title, bytes (as `POST /api/v1/events`).
    public var maxEventTitleBytes: Int = 4000
    /// Event texts are cut to this many Unicode scalars (as `POST /api/v1/events`).
    public var maxEventTextCharacters: Int = 4000

    /// The defaults.
    public init() {}
}
