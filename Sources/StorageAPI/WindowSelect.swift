import BasinModel

/// Which per-window aggregates ``MetricStore/selectWindows(_:)`` computes.
public struct WindowAggregates: OptionSet, Sendable, Hashable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// The Neumaier-compensated sum of the window's values.
    public static let sum = WindowAggregates(rawValue: 1 << 0)
    /// The smallest value (NaN only when every value is NaN).
    public static let min = WindowAggregates(rawValue: 1 << 1)
    /// The largest value (NaN only when every value is NaN).
    public static let max = WindowAggregates(rawValue: 1 << 2)
    /// The value of the earliest sample.
    public static let first = WindowAggregates(rawValue: 1 << 3)
    /// The value of the latest sample.
    public static let last = WindowAggregates(rawValue: 1 << 4)
    /// The mean: the compensated sum over the count, or an incremental mean when the sum
    /// overflows without an infinite input (Prometheus' `avg_over_time`).
    public static let mean = WindowAggregates(rawValue: 1 << 5)
    /// The population variance of the window's values (two passes over the window: exact
    /// where a running sum of squares would cancel).
    public static let variance = WindowAggregates(rawValue: 1 << 6)
    /// 1 when every value of the window is an integer, else 0 (Blueflood averages integer
    /// samples in integer arithmetic).
    public static let integral = WindowAggregates(rawValue: 1 << 7)
}

/// What ``MetricStore/selectWindows(_:)`` reads: for every matching series, one aggregate per
/// window, where window `i` is `(windowEndsMillis[i] - windowMillis, windowEndsMillis[i]]`
/// (left-open, as Prometheus' range selectors and lookback).
public struct WindowSelectRequest: Sendable {
    /// Organisation, matchers and limits; its time range is ignored (the windows define it).
    public var select: SelectRequest
    /// Window ends, non-decreasing.
    public var windowEndsMillis: [Int64]
    /// Window width, at least 1.
    public var windowMillis: Int64
    /// The aggregates to compute; the sample count of each window is always computed.
    public var aggregates: WindowAggregates

    public init(select: SelectRequest, windowEndsMillis: [Int64], windowMillis: Int64, aggregates: WindowAggregates) {
        self.select = select
        self.windowEndsMillis = windowEndsMillis
        self.windowMillis = Swift.max(1, windowMillis)
        self.aggregates = aggregates
    }

    /// The inclusive time range every window lies in (empty when there are no windows).
    public var rangeMillis: (start: Int64, end: Int64)? {
        guard let first = windowEndsMillis.first, let last = windowEndsMillis.last else { return nil }
        return (first &- windowMillis &+ 1, last)
    }
}

/// One series' window aggregates. Every requested array has one entry per window; arrays of
/// aggregates not requested are empty. A window without samples has count 0 and NaN elsewhere.
public struct SeriesWindows: Sendable {
    public var labels: Labels
    public var kind: MetricKind
    public var count: [Int32]
    public var sum: [Double]
    public var min: [Double]
    public var max: [Double]
    public var first: [Double]
    public var last: [Double]
    public var mean: [Double]
    public var variance: [Double]
    /// 1 where every value of the window is an integer, 0 where one is not (NaN for empty windows).
    public var integral: [Double]

    public init(labels: Labels, kind: MetricKind, windows: Int, aggregates: WindowAggregates) {
        // Every stored property assigned once: assigning defaults and then overwriting some
        // of them made the initializer copy and destroy the whole value.
        func column(_ aggregate: WindowAggregates) -> [Double] { aggregates.contains(aggregate) ? Self.filled(.nan, windows) : [] }
        self.labels = labels
        self.kind = kind
        count = Self.filled(0, windows)
        sum = column(.sum)
        min = column(.min)
        max = column(.max)
        first = column(.first)
        last = column(.last)
        mean = column(.mean)
        variance = column(.variance)
        integral = column(.integral)
    }

    /// `Array(repeating:count:)` without its cost here: that initializer allocates through a
    /// stdlib entry point that is never specialised, so every call looks the array storage's
    /// generic metadata up in the runtime's locked cache (ten thousand series a query, every
    /// reader at once). Copying a `Repeated` collection specialises and caches the metadata.
    @inline(__always)
    private static func filled<T>(_ value: T, _ count: Int) -> [T] {
        Array(repeatElement(value, count: count))
    }

    /// Whether no window has a sample.
    public var isEmpty: Bool { !count.contains { $0 > 0 } }

    /// Folds one series' samples (sorted, unique timestamps) into the windows.
    ///
    /// The two window edges only move forward, so the cost is one pass over the samples plus
    /// the samples of each window (windows wider than the step overlap and are re-read).
    public mutating func fold(
        timestampsMillis ts: UnsafeBufferPointer<Int64>, values vs: UnsafeBufferPointer<Double>,
        request: WindowSelectRequest
    ) {
        // The arrays are moved out and written through pointers: one uniqueness check per
        // array and call instead of one per window and aggregate.
        var c = count, s = sum, mn = min, mx = max, f = first, l = last, m = mean
        count = []; sum = []; min = []; max = []; first = []; last = []; mean = []
        c.withUnsafeMutableBufferPointer { cb in
            s.withUnsafeMutableBufferPointer { sb in
                mn.withUnsafeMutableBufferPointer { minb in
                    mx.withUnsafeMutableBufferPointer { maxb in
                        f.withUnsafeMutableBufferPointer { fb in
                            l.withUnsafeMutableBufferPointer { lb in
                                m.withUnsafeMutableBufferPointer { mb in
                                    Self.fold(
                                        ts, vs, request.windowEndsMillis, request.windowMillis,
                                        count: cb, sum: sb, min: minb, max: maxb, first: fb, last: lb, mean: mb)
                                }
                            }
                        }
                    }
                }
            }
        }
        count = c; sum = s; min = mn; max = mx; first = f; last = l; mean = m
        Self.foldShape(ts, vs, request, variance: &variance, integral: &integral)
    }

    /// The variance and integrality folds (rarely asked for, so kept out of the main loop).
    private static func foldShape(
        _ ts: UnsafeBufferPointer<Int64>, _ vs: UnsafeBufferPointer<Double>, _ request: WindowSelectRequest,
        variance: inout [Double], integral: inout [Double]
    ) {
        guard !variance.isEmpty || !integral.isEmpty else { return }
        var lo = 0
        var hi = 0
        let n = ts.count
        for (i, end) in request.windowEndsMillis.enumerated() {
            let start = end &- request.windowMillis
            while lo < n, ts[lo] <= start { lo += 1 }
            if hi < lo { hi = lo }
            while hi < n, ts[hi] <= end { hi += 1 }
            guard lo < hi else { continue }
            if i < variance.count {
                var mean = 0.0
                for k in lo..<hi { mean += vs[k] }
                mean /= Double(hi - lo)
                var squares = 0.0
                for k in lo..<hi { squares += (vs[k] - mean) * (vs[k] - mean) }
                variance[i] = squares / Double(hi - lo)
            }
            if i < integral.count {
                integral[i] = (lo..<hi).allSatisfy { vs[$0].rounded(.towardZero) == vs[$0] } ? 1 : 0
            }
        }
    }

    /// The fold over pointers; empty buffers are aggregates not requested.
    private static func fold(
        _ ts: UnsafeBufferPointer<Int64>, _ vs: UnsafeBufferPointer<Double>, _ ends: [Int64], _ windowMillis: Int64,
        count: UnsafeMutableBufferPointer<Int32>, sum: UnsafeMutableBufferPointer<Double>,
        min: UnsafeMutableBufferPointer<Double>, max: UnsafeMutableBufferPointer<Double>,
        first: UnsafeMutableBufferPointer<Double>, last: UnsafeMutableBufferPointer<Double>,
        mean: UnsafeMutableBufferPointer<Double>
    ) {
        var lo = 0
        var hi = 0
        let n = ts.count
        for (i, end) in ends.enumerated() where i < count.count {
            let start = end &- windowMillis
            while lo < n, ts[lo] <= start { lo += 1 }
            if hi < lo { hi = lo }
            while hi < n, ts[hi] <= end { hi += 1 }
            guard lo < hi else { continue }
            count[i] = Int32(clamping: hi - lo)
            if !sum.isEmpty || !mean.isEmpty {
                var s = 0.0
                var c = 0.0
                for k in lo..<hi { WindowFold.add(vs[k], to: &s, compensation: &c) }
                if !sum.isEmpty { sum[i] = s.isInfinite ? s : s + c }
                if !mean.isEmpty {
                    let n = Double(hi - lo)
                    if !s.isInfinite {
                        mean[i] = (s + c) / n
                    } else if (lo..<hi).contains(where: { vs[$0].isInfinite }) {
                        mean[i] = s / n
                    } else {
                        var m = 0.0
                        var seen = 0.0
                        for k in lo..<hi {
                            seen += 1
                            m += vs[k] / seen - m / seen
                        }
                        mean[i] = m
                    }
                }
            }
            if !min.isEmpty {
                var r = vs[lo]
                for k in lo..<hi where vs[k] < r || r.isNaN { r = vs[k] }
                min[i] = r
            }
            if !max.isEmpty {
                var r = vs[lo]
                for k in lo..<hi where vs[k] > r || r.isNaN { r = vs[k] }
                max[i] = r
            }
            if !first.isEmpty { first[i] = vs[lo] }
            if !last.isEmpty { last[i] = vs[hi - 1] }
        }
    }
}

/// Compensated summation shared by the stores' window folds.
public enum WindowFold {
    /// One Neumaier step: adds `increment` to `sum`, carrying the lost low-order bits in `compensation`.
    @inline(__always)
    public static func add(_ increment: Double, to sum: inout Double, compensation: inout Double) {
        let t = sum + increment
        if t.isInfinite {
            compensation = 0
        } else if Swift.abs(sum) >= Swift.abs(increment) {
            compensation += (sum - t) + increment
        } else {
            compensation += (increment - t) + sum
        }
        sum = t
    }
}

extension MetricStore {
    /// Window aggregates computed from ``select(_:)``: correct for any store, but it holds every
    /// matching series' raw samples at once; stores override it to stream series by series.
    public func selectWindows(_ request: WindowSelectRequest) async throws -> [SeriesWindows] {
        guard let range = request.rangeMillis else { return [] }
        var select = request.select
        select.startMillis = range.start
        select.endMillis = range.end
        var out: [SeriesWindows] = []
        for series in try await self.select(select) {
            var w = SeriesWindows(labels: series.labels, kind: series.kind, windows: request.windowEndsMillis.count, aggregates: request.aggregates)
            series.timestampsMillis.withUnsafeBufferPointer { tp in
                series.values.withUnsafeBufferPointer { vp in w.fold(timestampsMillis: tp, values: vp, request: request) }
            }
            if !w.isEmpty { out.append(w) }
        }
        return out
    }
}
