import BasinModel

/// One statsd flush bundle as Gson binds it (`AggregatedPayload`, §5.1), before validation.
///
/// Names are kept at most ``BluefloodIntakeOptions/maxMetricNameBytes`` long, with their full
/// length beside them, so an over-long name costs no more than the limit.
struct BluefloodAggregatedBundle {
    /// A Gson `Number` member: absent or `null`, a finite number, or something unusable.
    enum Stat: Equatable {
        case missing
        case value(Double)
        /// A string that is not a number (Gson keeps it lazily and fails on use).
        case notNumeric
        /// A number beyond `Double`'s range.
        case outOfRange

        /// The number, 0 when missing (optional timer statistics default to 0).
        var orZero: Double {
            if case .value(let value) = self { return value }
            return 0
        }
    }

    /// A name and its length in bytes (nil: absent or `null`).
    struct Name {
        var text = ""
        var bytes: Int?
    }

    struct Gauge {
        var name = Name()
        var value = Stat.missing
    }

    struct Counter {
        var name = Name()
        var value = Stat.missing
        var rate = Stat.missing
    }

    struct Timer {
        var name = Name()
        /// count, rate, min, max, sum, avg, median, std.
        var stats = [Stat](repeating: .missing, count: 8)
        /// `percentiles` keys in order with their `avg`.
        var percentiles: [(key: String, avg: Stat)] = []

        static let statNames = ["count", "rate", "min", "max", "sum", "avg", "median", "std"]
    }

    struct SetItem {
        var name = Name()
        /// The strings, nil when `values` was absent or `null`.
        var values: [String]?
    }

    /// A problem found while reading (a limit, a non-numeric string, a deep value) that makes
    /// the bundle invalid; reported with the validation errors.
    struct Problem {
        var metricName: String
        var source: String
        var message: String
    }

    var tenant = Name()
    var timestampMillis: Int64 = 0
    var flushIntervalMillis: Int64 = 0
    var gauges: [Gauge] = []
    var counters: [Counter] = []
    var timers: [Timer] = []
    var sets: [SetItem] = []
    var problems: [Problem] = []

    /// Whether any of the four metric lists has an item.
    var hasMetrics: Bool {
        !gauges.isEmpty || !counters.isEmpty || !timers.isEmpty || !sets.isEmpty
    }
}

extension BluefloodAggregatedBundle {
    /// Writes the samples of a valid bundle into its tenant's sink (see ``BluefloodSeriesNaming``).
    ///
    /// - Returns: false when a set has no `values` (Blueflood fails with a 500 there).
    func appendSamples(to sink: inout BluefloodTenantSink) -> Bool {
        let time = timestampMillis
        for gauge in gauges {
            guard case .value(let value) = gauge.value else { continue }
            sink.append(BluefloodSeriesNaming.labels(gauge.name.text), kind: .gauge, timestampMillis: time, value: value)
            sink.noteAggregated(gauge.name.text, type: .gauge)
        }
        for counter in counters {
            let name = counter.name.text
            let rate = counter.rate.orZero
            // PreaggregateConversions: (rate × (flushInterval / 1000)) samples, or 1 without an interval.
            let sampleCount = flushIntervalMillis > 0 ? (rate * (Double(flushIntervalMillis) / 1000)).rounded(.down) : 1
            sink.append(BluefloodSeriesNaming.labels(name), kind: .count, timestampMillis: time, value: counter.value.orZero)
            sink.append(BluefloodSeriesNaming.partLabels(name, BluefloodSeriesNaming.counterRate), kind: .rate, timestampMillis: time, value: rate)
            sink.append(BluefloodSeriesNaming.partLabels(name, BluefloodSeriesNaming.counterSampleCount), kind: .count, timestampMillis: time, value: sampleCount)
            sink.noteAggregated(name, type: .counter)
        }
        for timer in timers {
            appendTimer(timer, time: time, to: &sink)
        }
        for set in sets {
            guard let values = set.values else { return false }
            var seen = Swift.Set<String>()
            for value in values where seen.insert(value).inserted {
                sink.append(BluefloodSeriesNaming.setLabels(set.name.text, value: value), kind: .gauge, timestampMillis: time, value: 1)
            }
            sink.noteAggregated(set.name.text, type: .set)
        }
        return true
    }

    private func appendTimer(_ timer: Timer, time: Int64, to sink: inout BluefloodTenantSink) {
        let name = timer.name.text
        sink.append(BluefloodSeriesNaming.labels(name), kind: .summary, timestampMillis: time, value: timer.stats[5].orZero)
        // Parts in BluefloodSeriesNaming.timerParts order: count, rate, min, max, sum, median, std.
        let partStats = [0, 1, 2, 3, 4, 6, 7]
        for (part, index) in zip(BluefloodSeriesNaming.timerParts, partStats) {
            let kind: MetricKind = index == 0 ? .count : index == 1 ? .rate : .summary
            sink.append(BluefloodSeriesNaming.partLabels(name, part), kind: kind, timestampMillis: time, value: timer.stats[index].orZero)
        }
        for percentile in timer.percentiles {
            let part = BluefloodSeriesNaming.timerPercentilePrefix + percentile.key
            sink.append(BluefloodSeriesNaming.partLabels(name, part), kind: .summary, timestampMillis: time, value: percentile.avg.orZero)
        }
        sink.noteAggregated(name, type: .timer)
    }
}
