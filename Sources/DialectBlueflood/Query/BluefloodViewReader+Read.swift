import BasinModel
import StorageAPI

/// The aggregates of one metric by role and bucket: role `""` is the metric's own series (all
/// of them, labelled or not), other roles are counter and timer parts (`rate`, `count`, `pct_99`, …).
///
/// Columns, not dictionaries: ``timestamps`` lists every bucket start (or raw time) with a
/// sample in any role, ascending, and each role holds one optional aggregate per entry of it,
/// so rendering a point is an index, not a hash lookup per statistic.
struct BluefloodBuckets: Sendable {
    private(set) var timestamps: [Int64] = []
    private(set) var roles: [String: [BluefloodMoments?]] = [:]

    /// A role's aggregates in bucket `index` of ``timestamps``, nil when it has no sample there.
    subscript(role: String, index: Int) -> BluefloodMoments? {
        roles[role]?[index]
    }

    /// Buckets on a regular grid: `grid[role][i]` is bucket `i`, starting at `start + i × step`;
    /// buckets no role has a sample in are dropped.
    init(grid: [String: [BluefloodMoments?]], count: Int, start: Int64, step: Int64) {
        var used: [Int] = []
        used.reserveCapacity(count)
        for i in 0..<count where grid.values.contains(where: { $0[i] != nil }) { used.append(i) }
        timestamps = used.map { start + Int64($0) * step }
        roles = grid.mapValues { column in used.map { column[$0] } }
    }

    /// Buckets keyed by time per role (raw samples).
    init(keyed: [String: [Int64: BluefloodMoments]]) {
        timestamps = Set(keyed.values.flatMap(\.keys)).sorted()
        roles = keyed.mapValues { byTime in timestamps.map { byTime[$0] } }
    }

    init() {}
}

extension BluefloodViewReader {
    /// Reads the metric's series: raw samples at FULL, per-bucket window aggregates otherwise.
    func read(
        org: OrgID, metricName: String, type: BluefloodMetricType, ttlSeconds: Int64?,
        request: BluefloodPlotRequest, nowMillis: Int64
    ) async throws -> BluefloodBuckets {
        let matchers = try Self.matchers(metricName, type: type)
        let ttlMillis = ttlSeconds.map { $0 > Self.timeLimit / 1000 ? Self.timeLimit : Swift.max(0, $0) * 1000 }
        // Any long is a valid `from`/`to`; clamping keeps the bucket arithmetic from overflowing.
        let from = Swift.max(request.fromMillis, -Self.timeLimit), to = Swift.min(request.toMillis, Self.timeLimit)
        let range = TimeRange(org: org, metricName: metricName, fromMillis: from, toMillis: to, nowMillis: nowMillis, ttlMillis: ttlMillis)
        if request.granularity == .full { return try await readRaw(range, matchers) }
        return try await readWindows(range, matchers, granularity: request.granularity)
    }

    /// What one read covers, already clamped.
    struct TimeRange {
        var org: OrgID
        var metricName: String
        var fromMillis: Int64
        var toMillis: Int64
        var nowMillis: Int64
        var ttlMillis: Int64?
    }

    /// FULL: raw samples within `[from, to]`, newer than the client TTL, keyed by their own time.
    private func readRaw(_ range: TimeRange, _ matchers: [LabelMatcher]) async throws -> BluefloodBuckets {
        var start = range.fromMillis
        if let ttlMillis = range.ttlMillis { start = Swift.max(start, range.nowMillis &- ttlMillis) }
        guard start <= range.toMillis else { return BluefloodBuckets() }
        let series = try await store.select(SelectRequest(
            org: range.org, matchers: matchers, startMillis: start, endMillis: range.toMillis,
            maxSeries: maxSeries, maxSamples: maxSamples, honoursExpiry: false))
        var keyed: [String: [Int64: BluefloodMoments]] = [:]
        for s in series {
            guard let role = Self.role(of: s.labels, metricName: range.metricName) else { continue }
            for (t, v) in zip(s.timestampsMillis, s.values) { keyed[role, default: [:]][t, default: BluefloodMoments()].add(sample: v) }
        }
        return BluefloodBuckets(keyed: keyed)
    }

    /// Roll-ups: one window per epoch-aligned bucket, aggregated by the store, keyed by bucket start.
    private func readWindows(_ range: TimeRange, _ matchers: [LabelMatcher], granularity: BluefloodGranularity) async throws -> BluefloodBuckets {
        let g = granularity.millis
        var firstStart = Self.floor(range.fromMillis, g)
        if let ttlMillis = range.ttlMillis {
            // A bucket stays while it ends after the cutoff, as a roll-up written at its end would.
            let cutoff = range.nowMillis &- Swift.max(ttlMillis, granularity.defaultTTLMillis)
            firstStart = Swift.max(firstStart, Self.floor(cutoff, g))
        }
        let lastStart = Self.floor(range.toMillis, g)
        guard firstStart <= lastStart else { return BluefloodBuckets() }
        let windows = (lastStart - firstStart) / g + 1
        guard windows <= Int64(maxSamples) else {
            throw StorageError(kind: .limitExceeded, message: "query would read \(windows) buckets, more than \(maxSamples)")
        }
        // Window i is (end − g, end] = [s, s + g − 1]: exactly bucket [s, s + g).
        let ends = (0..<windows).map { firstStart + $0 * g + g - 1 }
        let found = try await store.selectWindows(WindowSelectRequest(
            select: SelectRequest(org: range.org, matchers: matchers, startMillis: firstStart, endMillis: lastStart + g - 1,
                                  maxSeries: maxSeries, maxSamples: maxSamples, honoursExpiry: false),
            windowEndsMillis: ends, windowMillis: g, aggregates: [.sum, .min, .max, .last, .variance, .integral]))
        var grid: [String: [BluefloodMoments?]] = [:]
        for w in found {
            guard let role = Self.role(of: w.labels, metricName: range.metricName) else { continue }
            var column = grid.removeValue(forKey: role) ?? [BluefloodMoments?](repeating: nil, count: Int(windows))
            for i in w.count.indices where w.count[i] > 0 {
                var moments = column[i] ?? BluefloodMoments()
                moments.add(
                    count: Int64(w.count[i]), sum: w.sum[i], min: w.min[i], max: w.max[i], last: w.last[i],
                    variance: w.variance[i], integral: w.integral[i] == 1)
                column[i] = moments
            }
            grid[role] = column
        }
        return BluefloodBuckets(grid: grid, count: Int(windows), start: firstStart, step: g)
    }

    /// The largest time magnitude read, in milliseconds (2^53, as Prometheus' API range; about 285,000 years).
    static let timeLimit: Int64 = 1 << 53

    /// The series a metric of `type` is stored in (see ``BluefloodSeriesNaming``): its own name,
    /// plus the `:part` siblings of counters and timers.
    static func matchers(_ metricName: String, type: BluefloodMetricType) throws -> [LabelMatcher] {
        switch type {
        case .basic, .gauge, .set:
            return [.equal(Labels.metricNameKey, metricName)]
        case .counter, .timer:
            let parts = type == .counter
                ? [BluefloodSeriesNaming.counterRate, BluefloodSeriesNaming.counterSampleCount].joined(separator: "|")
                : BluefloodSeriesNaming.timerParts.joined(separator: "|") + "|" + BluefloodSeriesNaming.timerPercentilePrefix + ".+"
            let pattern = BluefloodGlob.escape(metricName) + "(?::(?:" + parts + "))?"
            return [try LabelMatcher(name: Labels.metricNameKey, op: .regexMatch, value: pattern)]
        }
    }

    /// `""` for the metric's own series, the part for a `<metric>:<part>` series, nil otherwise.
    static func role(of labels: Labels, metricName: String) -> String? {
        guard let name = labels.metricName else { return nil }
        if name == metricName { return "" }
        guard name.hasPrefix(metricName + ":") else { return nil }
        return String(name.dropFirst(metricName.count + 1))
    }

    /// The multiple of `g` at or below `t` (floor division, also for times before the epoch).
    static func floor(_ t: Int64, _ g: Int64) -> Int64 {
        let q = t / g
        return (t % g < 0 ? q - 1 : q) * g
    }
}
