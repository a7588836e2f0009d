import BasinModel
import StorageAPI

/// Aggregates DogStatsD messages into flush buckets the way the Datadog Agent does (spec §5.5),
/// then renders each closed bucket as one ``MetricBatch`` in the layouts the HTTP intake writes.
///
/// Pure: no clock, no I/O. Callers pass the receipt time to ``add(_:nowMillis:)`` and the
/// flush time to ``flush(nowMillis:final:using:)``, so tests drive it with an injected clock.
///
/// Buckets are `intervalSeconds` long and aligned to the epoch; a sample goes to the bucket
/// holding its receipt time, and the bucket's series are stamped with the bucket start. Per
/// (type, name, tags) context and bucket:
///
/// | type | series written |
/// |---|---|
/// | `g` | `name` gauge: the last value |
/// | `c` | `name` rate: Σ value/rate ÷ interval (metadata `intervalSeconds` = interval, so `.as_count()` multiplies back) |
/// | `h`, `ms` | `name.avg`, `name.max`, `name.median`, `name.95percentile` gauges; `name.count` rate (weighted count ÷ interval) |
/// | `s` | `name` gauge: distinct members |
/// | `d` | the distribution layout of `/api/v1/distribution_points` (`dd_dist` = `count`/`sum`/`min`/`max`/`bin`) |
///
/// Counts and gauges with `|T<seconds>` skip the buckets: they are written at that second on the
/// next flush (counts as `count`, the sum of value/rate per second; gauges the last value).
/// Events and service checks are kept until the next flush and rendered as the records
/// `POST /api/v1/events` and `POST /api/v1/check_run` write.
public struct DogStatsDAggregator: Sendable {
    /// Bounds and the label limits of the HTTP intake.
    public struct Options: Sendable {
        /// Bucket length in seconds (the Agent's is 10); at least 1.
        public var intervalSeconds: Int64 = 10
        /// Distinct contexts held across open buckets; samples of new contexts beyond are dropped.
        public var maxContexts: Int = 100_000
        /// Histogram and timer samples held across open buckets; beyond, samples are dropped.
        public var maxHistogramSamples: Int = 1_000_000
        /// Timestamped points, events and service checks held until a flush.
        public var maxPendingPoints: Int = 100_000
        /// Label limits (the server's `max-labels-per-series` etc.), as on `/api/v1/series`.
        public var labelLimits = DatadogIntakeLimits()

        /// The defaults.
        public init() {}
    }

    /// What one flush produced.
    public struct Flush: Sendable {
        /// The closed buckets' series, and timestamped points.
        public var batch = MetricBatch()
        /// Records for `_events`.
        public var events: [Record] = []
        /// Records for `_service_checks`.
        public var serviceChecks: [Record] = []
        /// Metadata per metric name in the batch: `dialect` = `datadog`, `intervalSeconds` for
        /// rates, `vendorType` = `distribution` for sketches.
        public var metadata: [String: MetricMetadata] = [:]
        /// Samples whose series broke a label limit.
        public var rejected = 0
    }

    /// Counters since creation.
    public struct Counts: Sendable, Equatable {
        /// Metric values, events and service checks accepted into the aggregator.
        public var accepted = 0
        /// Values dropped because a bound was reached.
        public var dropped = 0

        /// Creates counters.
        public init(accepted: Int = 0, dropped: Int = 0) {
            self.accepted = accepted
            self.dropped = dropped
        }
    }

    public let options: Options
    /// Counters since creation.
    public private(set) var counts = Counts()

    enum Context: Hashable {
        case metric(type: DogStatsDMetricType, name: String, tags: [String])
    }

    enum State {
        case gauge(Double)
        case count(Double)
        case set(Set<String>)
        case histogram([(value: Double, weight: Double)])
        case distribution(DatadogDistributionSketch)
    }

    struct TimedKey: Hashable {
        var type: DogStatsDMetricType
        var name: String
        var tags: [String]
        var millis: Int64
    }

    /// Bucket start (ms) → context → state.
    var buckets: [Int64: [Context: State]] = [:]
    var contextCount = 0
    var histogramSamples = 0
    var timed: [TimedKey: Double] = [:]
    var timedOrder: [TimedKey] = []
    var events: [(DatadogEvent, Int64)] = []
    var checks: [(DatadogServiceCheck, Int64)] = []

    /// Creates an empty aggregator.
    public init(options: Options = Options()) {
        var options = options
        options.intervalSeconds = max(1, options.intervalSeconds)
        self.options = options
    }

    var intervalMillis: Int64 { options.intervalSeconds * 1000 }

    /// Adds one parsed message received at `nowMillis`.
    public mutating func add(_ message: DogStatsDMessage, nowMillis: Int64) {
        switch message {
        case .metric(let metric): add(metric, nowMillis: nowMillis)
        case .event(let event):
            // Datadog refuses events more than 18 hours old (the API's recorded 400); the Agent
            // forwards them and they are lost, so they are dropped and counted here.
            guard event.timeProblem(nowMillis: nowMillis) == nil, pendingPoints < options.maxPendingPoints else {
                counts.dropped += 1
                return
            }
            events.append((event, nowMillis))
            counts.accepted += 1
        case .serviceCheck(let check):
            guard pendingPoints < options.maxPendingPoints else { counts.dropped += 1; return }
            checks.append((check, nowMillis))
            counts.accepted += 1
        }
    }

    var pendingPoints: Int { timedOrder.count + events.count + checks.count }

    mutating func add(_ metric: DogStatsDMetric, nowMillis: Int64) {
        let tags = metric.tags.sorted()
        let weight = 1 / metric.sampleRate
        if let seconds = metric.timestampSeconds, metric.type == .count || metric.type == .gauge {
            let (millis, overflow) = seconds.multipliedReportingOverflow(by: 1000)
            guard !overflow else { counts.dropped += metric.values.count; return }
            let key = TimedKey(type: metric.type, name: metric.name, tags: tags, millis: millis)
            if timed[key] == nil {
                guard pendingPoints < options.maxPendingPoints else { counts.dropped += metric.values.count; return }
                timedOrder.append(key)
            }
            for value in metric.values {
                timed[key] = metric.type == .gauge ? value : (timed[key] ?? 0) + value * weight
            }
            counts.accepted += metric.values.count
            return
        }
        let bucket = nowMillis - ((nowMillis % intervalMillis) + intervalMillis) % intervalMillis
        let context = Context.metric(type: metric.type == .timer ? .histogram : metric.type, name: metric.name, tags: tags)
        let existing = buckets[bucket]?[context]
        if existing == nil {
            guard contextCount < options.maxContexts else {
                counts.dropped += max(1, metric.values.count)
                return
            }
            contextCount += 1
        }
        let accepted = max(1, metric.values.count)
        switch metric.type {
        case .gauge:
            buckets[bucket, default: [:]][context] = .gauge(metric.values.last ?? 0)
        case .count:
            var sum: Double = 0
            if case .count(let s)? = existing { sum = s }
            for value in metric.values { sum += value * weight }
            buckets[bucket, default: [:]][context] = .count(sum)
        case .set:
            var members: Set<String> = []
            if case .set(let m)? = existing { members = m }
            members.insert(metric.setMember ?? "")
            buckets[bucket, default: [:]][context] = .set(members)
        case .histogram, .timer:
            let room = options.maxHistogramSamples - histogramSamples
            guard room > 0 else { counts.dropped += metric.values.count; return }
            var samples: [(value: Double, weight: Double)] = []
            if case .histogram(let s)? = existing { samples = s }
            buckets[bucket]?[context] = nil   // keep the array uniquely referenced while appending
            let kept = metric.values.prefix(room)
            for value in kept { samples.append((value, weight)) }
            histogramSamples += kept.count
            counts.dropped += metric.values.count - kept.count
            buckets[bucket, default: [:]][context] = .histogram(samples)
            counts.accepted += kept.count
            return
        case .distribution:
            var sketch = DatadogDistributionSketch()
            if case .distribution(let s)? = existing { sketch = s }
            let n = Self.sketchWeight(metric.sampleRate)
            for value in metric.values { sketch.add(value, weight: n) }
            buckets[bucket, default: [:]][context] = .distribution(sketch)
        }
        counts.accepted += accepted
    }

    /// The whole number of values one sketch sample stands for: 1/rate rounded, at least 1.
    static func sketchWeight(_ sampleRate: Double) -> Int64 {
        let weight = (1 / sampleRate).rounded()
        return weight.isFinite && weight >= 1 ? Int64(min(weight, 1e9)) : 1
    }
}

extension DatadogDistributionSketch {
    /// Adds one finite value standing for `weight` equal values (a sampled DogStatsD `d`).
    mutating func add(_ value: Double, weight: Int64) {
        count += weight
        sum += value * Double(weight)
        if value < min { min = value }
        if value > max { max = value }
        bins[Self.key(for: value), default: 0] += weight
    }
}
