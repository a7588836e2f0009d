/// The bucket size of a Datadog query (spec §4.3) and the grid of bucket starts it produces.
public struct DatadogInterval: Sendable, Equatable {
    /// Interval candidates, in seconds.
    static let ladder: [Int64] = [
        1, 2, 5, 10, 20, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200, 14400, 28800, 43200, 86400, 172_800, 604_800,
    ]

    /// Points per series Datadog aims at by default.
    static let defaultPoints: Int64 = 300
    /// Points per series a `.rollup(f, N)` may raise granularity to.
    static let maxRollupPoints: Int64 = 1500

    /// Datadog's default interval for a range: the smallest ladder step giving at most 300 points
    /// (20 s for 1 h, 1 min for 4 h, 5 min for 1 day, 10 min for 2 days, 1 h for a week, 4 h for 30 days).
    public static func defaultSeconds(rangeSeconds: Int64) -> Int64 {
        smallest(rangeSeconds: rangeSeconds, points: defaultPoints)
    }

    /// The interval when a query asks for `requested` seconds: at least the step that keeps
    /// 1500 points.
    public static func rollupSeconds(_ requested: Int64, rangeSeconds: Int64) -> Int64 {
        max(requested, smallest(rangeSeconds: rangeSeconds, points: maxRollupPoints))
    }

    static func smallest(rangeSeconds: Int64, points: Int64) -> Int64 {
        let range = max(1, rangeSeconds)
        for step in ladder where (range + step - 1) / step <= points { return step }
        // Beyond the ladder: whole weeks.
        let weeks = (range + points * 604_800 - 1) / (points * 604_800)
        return weeks * 604_800
    }
}

/// The bucket starts of one evaluation: multiples of the interval from `ceil(from/interval)`
/// up to the last one at or before `to` (all in seconds).
public struct DatadogGrid: Sendable, Equatable {
    public var fromSeconds: Int64
    public var toSeconds: Int64
    public var intervalSeconds: Int64
    /// The first bucket start.
    public var firstSeconds: Int64
    /// How many buckets (0 when the range holds no bucket start).
    public var count: Int

    public init(fromSeconds: Int64, toSeconds: Int64, intervalSeconds: Int64) {
        self.fromSeconds = fromSeconds
        self.toSeconds = toSeconds
        self.intervalSeconds = max(1, intervalSeconds)
        let i = self.intervalSeconds
        firstSeconds = Self.ceilDiv(fromSeconds, i) * i
        let last = Self.floorDiv(toSeconds, i) * i
        count = last < firstSeconds ? 0 : Int((last - firstSeconds) / i) + 1
    }

    /// The start of bucket `index`, in seconds.
    public func time(at index: Int) -> Int64 { firstSeconds + Int64(index) * intervalSeconds }

    static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
        let q = a / b
        return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
    }

    static func ceilDiv(_ a: Int64, _ b: Int64) -> Int64 { -floorDiv(-a, b) }
}
