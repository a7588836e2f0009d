/// The raw samples of one series in one window `(startMillis, endMillis]`, and the rollups over them.
///
/// The slices borrow the fetched series' arrays for the duration of one step.
struct RollupWindow {
    var timestampsMillis: ArraySlice<Int64>
    var values: ArraySlice<Double>
    var startMillis: Int64
    var endMillis: Int64

    /// The rollup's value, or nil when the window has too few samples for it.
    func apply(_ function: RollupFunction, parameter: Double) -> Double? {
        guard let last = values.last else { return nil }
        switch function {
        case .rate: return extrapolatedDelta(isCounter: true, isRate: true)
        case .increase: return extrapolatedDelta(isCounter: true, isRate: false)
        case .delta: return extrapolatedDelta(isCounter: false, isRate: false)
        case .irate: return instantDelta(isRate: true)
        case .idelta: return instantDelta(isRate: false)
        case .sum: return Kahan.sum(values)
        case .avg: return Kahan.mean(values)
        case .count: return Double(values.count)
        case .last: return last
        case .min:
            var result = values[values.startIndex]
            for v in values where v < result || result.isNaN { result = v }
            return result
        case .max:
            var result = values[values.startIndex]
            for v in values where v > result || result.isNaN { result = v }
            return result
        case .quantile:
            return Quantile.of(parameter, Array(values))
        case .stdvar: return Variance.population(values)
        case .stddev: return Variance.population(values).squareRoot()
        case .present: return 1
        case .changes:
            var count = 0.0
            var previous = values[values.startIndex]
            for v in values.dropFirst() {
                if v != previous, !(v.isNaN && previous.isNaN) { count += 1 }
                previous = v
            }
            return count
        case .resets:
            var count = 0.0
            var previous = values[values.startIndex]
            for v in values.dropFirst() {
                if v < previous { count += 1 }
                previous = v
            }
            return count
        case .deriv:
            guard values.count >= 2, let first = timestampsMillis.first else { return nil }
            return regression(interceptMillis: first).slope
        case .predictLinear:
            guard values.count >= 2 else { return nil }
            let (slope, intercept) = regression(interceptMillis: endMillis)
            return slope * parameter + intercept
        }
    }

    /// Prometheus' `extrapolatedRate`: the change over the window, counter resets added back,
    /// extrapolated towards the window's edges by at most half an average sample interval.
    private func extrapolatedDelta(isCounter: Bool, isRate: Bool) -> Double? {
        guard values.count >= 2, let firstT = timestampsMillis.first, let lastT = timestampsMillis.last,
              let first = values.first, let last = values.last
        else { return nil }
        var result = last - first
        if isCounter {
            var previous = first
            for v in values.dropFirst() {
                if v < previous { result += previous }
                previous = v
            }
        }
        var durationToStart = Double(firstT - startMillis) / 1000
        var durationToEnd = Double(endMillis - lastT) / 1000
        let sampledInterval = Double(lastT - firstT) / 1000
        let averageInterval = sampledInterval / Double(values.count - 1)
        let threshold = averageInterval * 1.1
        if durationToStart >= threshold { durationToStart = averageInterval / 2 }
        if isCounter, result > 0, first >= 0 {
            // A counter cannot have been below zero: do not extrapolate past the time it was zero.
            let durationToZero = sampledInterval * (first / result)
            if durationToZero < durationToStart { durationToStart = durationToZero }
        }
        if durationToEnd >= threshold { durationToEnd = averageInterval / 2 }
        var factor = (sampledInterval + durationToStart + durationToEnd) / sampledInterval
        if isRate { factor /= Double(endMillis - startMillis) / 1000 }
        return result * factor
    }

    /// `irate` / `idelta`: the change between the last two samples.
    private func instantDelta(isRate: Bool) -> Double? {
        guard values.count >= 2 else { return nil }
        let last = values[values.endIndex - 1]
        let previous = values[values.endIndex - 2]
        let interval = timestampsMillis[timestampsMillis.endIndex - 1] - timestampsMillis[timestampsMillis.endIndex - 2]
        var result = isRate && last < previous ? last : last - previous
        if isRate {
            guard interval > 0 else { return nil }
            result /= Double(interval) / 1000
        }
        return result
    }
}

extension RollupWindow {
    /// Least-squares line through the samples, x in seconds relative to `interceptMillis`
    /// (Prometheus' `linearRegression`, compensated sums included).
    func regression(interceptMillis: Int64) -> (slope: Double, intercept: Double) {
        var n = 0.0
        var sumX = 0.0, cX = 0.0, sumY = 0.0, cY = 0.0, sumXY = 0.0, cXY = 0.0, sumX2 = 0.0, cX2 = 0.0
        let initial = values[values.startIndex]
        var constant = true
        for (t, v) in zip(timestampsMillis, values) {
            if v != initial { constant = false }
            n += 1
            let x = Double(t - interceptMillis) / 1000
            Kahan.add(x, to: &sumX, compensation: &cX)
            Kahan.add(v, to: &sumY, compensation: &cY)
            Kahan.add(x * v, to: &sumXY, compensation: &cXY)
            Kahan.add(x * x, to: &sumX2, compensation: &cX2)
        }
        if constant { return initial.isInfinite ? (.nan, .nan) : (0, initial) }
        sumX += cX
        sumY += cY
        sumXY += cXY
        sumX2 += cX2
        let slope = (sumXY - sumX * sumY / n) / (sumX2 - sumX * sumX / n)
        return (slope, sumY / n - slope * sumX / n)
    }
}

/// Population variance with Welford's running mean, as Prometheus' `stdvar` computes it.
enum Variance {
    static func population(_ values: some Collection<Double>) -> Double {
        var count = 0.0
        var mean = 0.0
        var m2 = 0.0
        for v in values {
            count += 1
            let delta = v - mean
            mean += delta / count
            m2 += delta * (v - mean)
        }
        return count == 0 ? .nan : m2 / count
    }
}

/// Compensated summation, as Prometheus uses for `sum`, `avg` and their `_over_time` forms.
enum Kahan {
    /// One Neumaier step: adds `increment` to `sum`, carrying the lost low-order bits in `compensation`.
    static func add(_ increment: Double, to sum: inout Double, compensation: inout Double) {
        let t = sum + increment
        if t.isInfinite {
            compensation = 0
        } else if abs(sum) >= abs(increment) {
            compensation += (sum - t) + increment
        } else {
            compensation += (increment - t) + sum
        }
        sum = t
    }

    static func sum(_ values: some Collection<Double>) -> Double {
        var sum = 0.0
        var c = 0.0
        for v in values { add(v, to: &sum, compensation: &c) }
        return sum.isInfinite ? sum : sum + c
    }

    /// The mean; falls back to an incremental mean when the plain sum overflows.
    static func mean(_ values: some Collection<Double>) -> Double {
        var sum = 0.0
        var c = 0.0
        var count = 0.0
        for v in values {
            add(v, to: &sum, compensation: &c)
            count += 1
        }
        if !sum.isInfinite || values.contains(where: { $0.isInfinite }) {
            return sum.isInfinite ? sum / count : (sum + c) / count
        }
        var mean = 0.0
        var n = 0.0
        for v in values {
            n += 1
            mean += v / n - mean / n
        }
        return mean
    }
}

/// Prometheus' quantile: linear interpolation between the closest ranks.
enum Quantile {
    static func of(_ q: Double, _ input: [Double]) -> Double {
        if input.isEmpty || q.isNaN { return .nan }
        if q < 0 { return -.infinity }
        if q > 1 { return .infinity }
        let values = input.sorted { a, b in a.isNaN ? !b.isNaN : a < b }
        let n = Double(values.count)
        let rank = q * (n - 1)
        let lower = Swift.max(0, rank.rounded(.down))
        let upper = Swift.min(n - 1, lower + 1)
        let weight = rank - rank.rounded(.down)
        return values[Int(lower)] * (1 - weight) + values[Int(upper)] * weight
    }
}
