import BasinModel

extension BluefloodViewReader {
    /// The points of a metric of `type`, one per bucket (or raw time) with a sample (§10).
    ///
    /// A bucket whose `numPoints` works out to 0 (a counter flush with sample count 0) keeps
    /// `numPoints: 0` and renders its other statistics as `null`, as Blueflood does.
    static func points(_ buckets: BluefloodBuckets, type: BluefloodMetricType, stats: [BluefloodStat]) -> [BluefloodPoint] {
        let percentiles = type == .timer && stats.contains(.percentiles) ? percentileParts(buckets) : []
        return buckets.timestamps.indices.map { i in
            let numPoints = numPoints(buckets, i, type: type)
            var values: [(name: String, value: BluefloodNumber?)] = []
            for stat in stats {
                if stat == .numPoints {
                    values.append((stat.rawValue, .integer(numPoints)))
                } else if stat == .percentiles {
                    for part in percentiles {
                        let moments = buckets[part, i]
                        values.append((part, numPoints == 0 ? nil : moments.map { .double($0.mean) }))
                    }
                } else if let value = value(stat, buckets, i, type: type) {
                    values.append((stat.rawValue, numPoints == 0 ? nil : value))
                }
            }
            return BluefloodPoint(timestampMillis: buckets.timestamps[i], stats: values)
        }
    }

    /// `numPoints`: samples for basic metrics and gauges, Σ sample count for counters, Σ count
    /// for timers, distinct values for sets. Counters and timers from other dialects, which
    /// have no such part, count their own samples.
    static func numPoints(_ buckets: BluefloodBuckets, _ i: Int, type: BluefloodMetricType) -> Int64 {
        let own = buckets["", i] ?? BluefloodMoments()
        switch type {
        case .basic, .gauge: return own.count
        case .set: return Int64(own.series)
        case .counter: return buckets[BluefloodSeriesNaming.counterSampleCount, i].map { integer($0.sum) } ?? own.count
        case .timer: return buckets["count", i].map { integer($0.sum) } ?? own.count
        }
    }

    /// One statistic other than `numPoints` and `percentiles`: `.some(nil)` for a value that is
    /// undefined here (renders `null`), nil when the metric has nothing to report (omitted).
    static func value(_ stat: BluefloodStat, _ buckets: BluefloodBuckets, _ i: Int, type: BluefloodMetricType) -> BluefloodNumber?? {
        let own = buckets["", i] ?? BluefloodMoments()
        switch type {
        case .basic, .gauge:
            switch stat {
            case .average: return .some(own.average)
            case .min: return .some(own.count > 0 ? .natural(own.min) : nil)
            case .max: return .some(own.count > 0 ? .natural(own.max) : nil)
            case .variance: return .some(own.count > 0 ? .double(own.variance) : nil)
            case .sum: return .some(own.count > 0 ? .double(own.sum) : nil)
            case .latest: return .some(own.count > 0 ? .natural(own.latest) : nil)
            default: return nil
            }
        case .counter:
            switch stat {
            case .sum: return .some(own.count > 0 ? .natural(own.sum) : nil)
            case .rate: return buckets[BluefloodSeriesNaming.counterRate, i].map { .double($0.mean) }
            default: return nil
            }
        case .timer:
            return timerValue(stat, buckets, i)
        case .set:
            return nil
        }
    }

    /// A timer statistic from the timer's parts (BF-core `types/BluefloodTimerRollup.java`).
    ///
    /// The average is Σ sum / Σ count (the mean of the stored averages when there is no sum
    /// part); the rate is the mean of the flushes' rates, which equals Blueflood's Σ count /
    /// Σ (count / rate) when the flushes share an interval; the variance is the mean of the
    /// flushes' variances (std²) plus the variance of their averages, exact for equal counts.
    static func timerValue(_ stat: BluefloodStat, _ buckets: BluefloodBuckets, _ i: Int) -> BluefloodNumber?? {
        let own = buckets["", i]
        switch stat {
        case .average:
            if let sum = buckets["sum", i], let count = buckets["count", i], count.sum > 0 {
                return .some(.double(sum.sum / count.sum))
            }
            return own.map { .double($0.mean) }
        case .min: return buckets["min", i].map { .natural($0.min) }
        case .max: return buckets["max", i].map { .natural($0.max) }
        case .sum: return buckets["sum", i].map { .double($0.sum) }
        case .rate: return buckets["rate", i].map { .double($0.mean) }
        case .variance:
            guard let std = buckets["std", i] else { return own.map { .double($0.variance) } }
            let between = own.map(\.variance) ?? 0
            return .some(.double(std.variance + std.mean * std.mean + between))
        default: return nil
        }
    }

    /// A timer's percentile parts (`pct_50`, `pct_99.9`, …) by ascending percentile.
    static func percentileParts(_ buckets: BluefloodBuckets) -> [String] {
        let prefix = BluefloodSeriesNaming.timerPercentilePrefix
        return buckets.roles.keys.filter { $0.hasPrefix(prefix) }.sorted { a, b in
            let x = Double(a.dropFirst(prefix.count)), y = Double(b.dropFirst(prefix.count))
            if let x, let y, x != y { return x < y }
            return a < b
        }
    }

    /// A stored count as an integer (counts are integers; anything unrepresentable clamps).
    static func integer(_ value: Double) -> Int64 {
        guard value.isFinite else { return 0 }
        return Int64(exactly: value.rounded(.towardZero)) ?? (value < 0 ? .min : .max)
    }
}
