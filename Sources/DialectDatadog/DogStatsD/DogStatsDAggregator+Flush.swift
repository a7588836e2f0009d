import BasinModel
import StorageAPI

extension DogStatsDAggregator {
    /// Renders and forgets every bucket that closed by `nowMillis` (all of them when `final`),
    /// every timestamped point, event and service check.
    ///
    /// - Parameters:
    ///   - nowMillis: the flush time; buckets ending at or before it are closed.
    ///   - final: flush open buckets too (shutdown).
    ///   - generator: draws event ids (``DatadogEventID``).
    public mutating func flush<G: RandomNumberGenerator>(nowMillis: Int64, final: Bool = false, using generator: inout G) -> Flush {
        var out = Flush()
        for start in buckets.keys.sorted() where final || start + intervalMillis <= nowMillis {
            guard let contexts = buckets.removeValue(forKey: start) else { continue }
            contextCount -= contexts.count
            for (context, state) in contexts.sorted(by: { Self.order($0.key, $1.key) }) {
                render(context, state, at: start, into: &out)
            }
        }
        for key in timedOrder {
            guard let value = timed[key], let labels = labels(name: key.name, tags: key.tags, extra: 0) else {
                out.rejected += 1
                continue
            }
            out.batch.append(labels, kind: key.type == .count ? .count : .gauge, timestampMillis: key.millis, value: value)
            note(key.name, in: &out)
        }
        timed.removeAll(keepingCapacity: true)
        timedOrder.removeAll(keepingCapacity: true)
        for (event, received) in events {
            var event = event
            let timeNanos = event.timeNanos(nowMillis: received)
            event.id = DatadogEventID.make(timeNanos: timeNanos, using: &generator)
            event.dateHappenedSeconds = DatadogEventID.floorSeconds(timeNanos)
            out.events.append(event.record(nowMillis: received))
        }
        events.removeAll(keepingCapacity: true)
        out.serviceChecks = checks.map { $0.0.record(nowMillis: $0.1) }
        checks.removeAll(keepingCapacity: true)
        return out
    }

    /// ``flush(nowMillis:final:using:)`` with the system's random numbers for event ids.
    public mutating func flush(nowMillis: Int64, final: Bool = false) -> Flush {
        var generator = SystemRandomNumberGenerator()
        return flush(nowMillis: nowMillis, final: final, using: &generator)
    }

    /// Whether nothing waits to be flushed.
    public var isEmpty: Bool { buckets.isEmpty && timedOrder.isEmpty && events.isEmpty && checks.isEmpty }

    // MARK: Rendering

    static func order(_ a: Context, _ b: Context) -> Bool {
        guard case .metric(let ta, let na, let ga) = a, case .metric(let tb, let nb, let gb) = b else { return false }
        if na != nb { return na < nb }
        if ga != gb { return ga.lexicographicallyPrecedes(gb) }
        return ta.rawValue < tb.rawValue
    }

    private mutating func render(_ context: Context, _ state: State, at start: Int64, into out: inout Flush) {
        guard case .metric(_, let name, let tags) = context else { return }
        let isDistribution: Bool
        if case .distribution = state { isDistribution = true } else { isDistribution = false }
        guard let base = labels(name: name, tags: tags, extra: isDistribution ? 2 : 0) else {
            out.rejected += 1
            return
        }
        let interval = Double(options.intervalSeconds)
        switch state {
        case .gauge(let value):
            out.batch.append(base, kind: .gauge, timestampMillis: start, value: value)
            note(name, in: &out)
        case .count(let sum):
            out.batch.append(base, kind: .rate, timestampMillis: start, value: sum / interval)
            note(name, interval: true, in: &out)
        case .set(let members):
            out.batch.append(base, kind: .gauge, timestampMillis: start, value: Double(members.count))
            note(name, in: &out)
        case .histogram(let unsorted):
            histogramSamples -= unsorted.count
            let stats = Self.histogramStats(unsorted)
            let series: [(String, MetricKind, Double)] = [
                ("avg", .gauge, stats.avg), ("count", .rate, stats.count / interval), ("max", .gauge, stats.max),
                ("median", .gauge, stats.median), ("95percentile", .gauge, stats.p95),
            ]
            for (suffix, kind, value) in series {
                let full = name + "." + suffix
                out.batch.append(base.setting(Labels.metricNameKey, to: Self.storedName(full)), kind: kind, timestampMillis: start, value: value)
                note(full, interval: kind == .rate, in: &out)
            }
        case .distribution(let sketch):
            let stat = DatadogDistributionDecoder.statLabel
            let clean = base.removing([stat, DatadogDistributionDecoder.binLabel])
            out.batch.append(clean.setting(stat, to: "count"), kind: .count, timestampMillis: start, value: Double(sketch.count))
            out.batch.append(clean.setting(stat, to: "sum"), kind: .count, timestampMillis: start, value: sketch.sum)
            out.batch.append(clean.setting(stat, to: "min"), kind: .gauge, timestampMillis: start, value: sketch.min)
            out.batch.append(clean.setting(stat, to: "max"), kind: .gauge, timestampMillis: start, value: sketch.max)
            let binLabels = clean.setting(stat, to: "bin")
            for key in sketch.bins.keys.sorted() {
                out.batch.append(binLabels.setting(DatadogDistributionDecoder.binLabel, to: String(key)), kind: .count,
                                 timestampMillis: start, value: Double(sketch.bins[key] ?? 0))
            }
            note(name, distribution: true, in: &out)
        }
    }

    /// Records the metadata a written name needs, under its stored (rewritten) name.
    private func note(_ name: String, interval: Bool = false, distribution: Bool = false, in out: inout Flush) {
        let stored = Self.storedName(name)
        var metadata = out.metadata[stored] ?? MetricMetadata()
        metadata.dialect = "datadog"
        if interval { metadata.intervalSeconds = options.intervalSeconds }
        if distribution { metadata.vendorType = "distribution" }
        out.metadata[stored] = metadata
    }

    /// The metric name as stored: Datadog's character rewriting (``DatadogNaming``).
    static func storedName(_ name: String) -> String {
        var bytes: [UInt8] = []
        var copy = name
        copy.withUTF8 { DatadogNaming.appendMetricName(UnsafeRawBufferPointer($0), to: &bytes) }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The series labels for a context exactly as `/api/v1/series` maps a metric and its tags
    /// (``DatadogSeriesState/addTag(_:)``: lower-casing, rewriting, first `:` splits, `host:`
    /// and `device:` become the same labels the series fields do); nil when a limit is broken.
    func labels(name: String, tags: [String], extra: Int) -> Labels? {
        var state = DatadogSeriesState(options: DatadogIntakeOptions(limits: options.labelLimits, nowMillis: 0), format: .v1)
        for tag in tags {
            var copy = tag
            copy.withUTF8 { state.addTag(UnsafeRawBufferPointer($0)) }
        }
        guard state.rejection == nil, state.builder.count + 1 + extra <= options.labelLimits.maxLabelsPerSeries else { return nil }
        let stored = Self.storedName(name)
        guard !stored.isEmpty, stored.utf8.count <= options.labelLimits.maxMetricNameBytes else { return nil }
        state.builder.add(name: Labels.metricNameKey, value: stored)
        return state.builder.build()
    }

    /// The Agent's histogram aggregates over samples weighted by 1/sample-rate (spec §5.5,
    /// Agent `pkg/metrics/histogram.go`): median at weighted index ⌊(count−1)/2⌋, the 95th
    /// percentile at ⌊(95·count − 1)/100⌋.
    static func histogramStats(_ unsorted: [(value: Double, weight: Double)]) -> (avg: Double, count: Double, max: Double, median: Double, p95: Double) {
        let samples = unsorted.sorted { $0.value < $1.value }
        var count: Double = 0
        var sum: Double = 0
        for s in samples {
            count += s.weight
            sum += s.value * s.weight
        }
        func value(atIndex target: Double) -> Double {
            let index = target.rounded(.down)
            var running: Double = 0
            for s in samples {
                running += s.weight
                if running > index { return s.value }
            }
            return samples.last?.value ?? 0
        }
        return (count > 0 ? sum / count : 0, count, samples.last?.value ?? 0,
                value(atIndex: (count - 1) / 2), value(atIndex: (95 * count - 1) / 100))
    }
}
