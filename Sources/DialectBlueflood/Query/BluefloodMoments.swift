/// The aggregates of one bucket (or one raw timestamp) over every series of one role of a
/// metric, combined series by series: counts and sums add, extremes take the extreme, the
/// variance combines exactly from each series' count, mean and variance (Chan et al.).
struct BluefloodMoments: Sendable {
    /// Samples seen.
    var count: Int64 = 0
    /// Σ values.
    var sum: Double = 0
    /// Smallest value (NaN until a sample is seen).
    var min: Double = .nan
    /// Largest value (NaN until a sample is seen).
    var max: Double = .nan
    /// The last value of the series folded last. Window aggregates carry no sample times, so
    /// across several series with samples in one roll-up bucket this is the last series' (in
    /// label order) latest value; with one series, or at FULL, it is exact.
    var latest: Double = .nan
    /// Running mean of the values.
    var mean: Double = 0
    /// Σ (x − mean)² of the values (population variance × count).
    var squares: Double = 0
    /// Whether every value is an integer.
    var integral = true
    /// Series with at least one sample here (a set's distinct values).
    var series = 0

    /// Folds in one series' aggregates over the same bucket.
    mutating func add(count n: Int64, sum s: Double, min lo: Double, max hi: Double, last: Double, variance: Double, integral isIntegral: Bool) {
        guard n > 0 else { return }
        let seriesMean = s / Double(n)
        let seriesSquares = variance.isNaN ? 0 : variance * Double(n)
        if count == 0 {
            mean = seriesMean
            squares = seriesSquares
        } else {
            let total = Double(count + n)
            let delta = seriesMean - mean
            squares += seriesSquares + delta * delta * Double(count) * Double(n) / total
            mean += delta * Double(n) / total
        }
        count += n
        sum += s
        if min.isNaN || lo < min { min = lo }
        if max.isNaN || hi > max { max = hi }
        latest = last
        integral = integral && isIntegral
        series += 1
    }

    /// Folds in one raw sample.
    mutating func add(sample v: Double) {
        add(count: 1, sum: v, min: v, max: v, last: v, variance: 0, integral: v.rounded(.towardZero) == v)
    }

    /// The population variance.
    var variance: Double { count > 0 ? Swift.max(0, squares / Double(count)) : .nan }

    /// The average Blueflood reports: over integer samples, integer division truncated toward
    /// zero (BF-core `types/Average.java`, B54: 2, 4, 4 → 3); else the double mean.
    var average: BluefloodNumber? {
        guard count > 0 else { return nil }
        if integral, abs(sum) < 9.2e18 { return .integer(Int64(sum) / count) }
        return .double(sum / Double(count))
    }
}
