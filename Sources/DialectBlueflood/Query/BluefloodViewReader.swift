import BasinModel
import StorageAPI

/// Reads Blueflood views (§8, §9) from a ``StorageAPI/MetricStore``.
///
/// Roll-ups are computed on read (§8.3, §16.1: they never lag) from the store's per-window
/// aggregates (``StorageAPI/MetricStore/selectWindows(_:)``), one window per epoch-aligned bucket;
/// FULL reads raw samples. A metric's type comes from its ``StorageAPI/MetricMetadata/vendorType``
/// or, for data written through other dialects, from its ``BasinModel/MetricKind``; every series
/// of the name is combined per bucket, so labelled multi-series metrics read as one.
public struct BluefloodViewReader: Sendable {
    let store: any MetricStore
    let maxSeries: Int
    let maxSamples: Int

    /// - Parameters:
    ///   - store: where the samples and metadata live.
    ///   - maxSeries: most series one metric's read may touch (`limitExceeded` beyond).
    ///   - maxSamples: most raw samples (FULL) or buckets (roll-ups) one metric's read may touch.
    public init(store: any MetricStore, maxSeries: Int, maxSamples: Int) {
        self.store = store
        self.maxSeries = maxSeries
        self.maxSamples = maxSamples
    }

    /// One metric's points (`GET /views/{metricName}`).
    ///
    /// Reads the metric's metadata (unit, vendor type, TTL). At FULL, samples older than
    /// `now − ttlSeconds` are hidden; a roll-up bucket is hidden once it ends before
    /// `now − max(ttlSeconds, the granularity's TTL)` (§13: roll-ups outlive raw samples).
    /// Metrics without a stored TTL are never hidden here (the store's retention governs).
    /// Buckets are `[s, s + g)` for multiples `s` of the size `g`, from `floor(from/g)·g` to the
    /// last start `≤ to` (§8.3); buckets without samples are left out.
    /// - Returns: the view; an unknown metric has no points and the unit `unknown`.
    /// - Throws: ``StorageAPI/StorageError`` from the store, or `limitExceeded` past the limits.
    public func view(org: OrgID, metricName: String, request: BluefloodPlotRequest, nowMillis: Int64) async throws -> BluefloodView {
        let description = try await describe(org: org, metricName: metricName)
        let roles = try await read(org: org, metricName: metricName, type: description.type, ttlSeconds: description.ttlSeconds,
                                   request: request, nowMillis: nowMillis)
        let stats = BluefloodStat.effective(request.select, type: description.type, granularity: request.granularity)
        let points = Self.points(roles, type: description.type, stats: stats)
        return BluefloodView(metricName: metricName, unit: description.unit, type: description.type, points: points)
    }

    /// Several metrics' views (`POST /views`), one read per distinct name, in first-seen order.
    ///
    /// The caller enforces ``Blueflood/maxMetricsPerBatchQuery``; the resolution was chosen once
    /// for all names when `request` was parsed (§9).
    public func views(org: OrgID, metricNames: [String], request: BluefloodPlotRequest, nowMillis: Int64) async throws -> [BluefloodView] {
        var seen: Set<String> = []
        var out: [BluefloodView] = []
        for name in metricNames where seen.insert(name).inserted {
            out.append(try await view(org: org, metricName: name, request: request, nowMillis: nowMillis))
        }
        return out
    }

    /// What the store knows about a name: its type, unit and client TTL.
    func describe(org: OrgID, metricName: String) async throws -> (type: BluefloodMetricType, unit: String, ttlSeconds: Int64?) {
        let metadata = try await store.metricMetadata(org: org, metricName: metricName)[metricName]
        let type: BluefloodMetricType
        if let vendorType = metadata?.vendorType, let known = BluefloodMetricType(rawValue: vendorType) {
            type = known
        } else {
            type = Self.type(of: try await store.metricKinds(org: org, metricName: metricName)[metricName])
        }
        return (type, metadata?.unit ?? Blueflood.unknownUnit, metadata?.ttlSeconds)
    }

    /// The Blueflood type of another dialect's metric: gauges are gauges, delta counts are
    /// counters, everything else (rates, cumulative counters, summaries, unknown) is basic.
    static func type(of kind: MetricKind?) -> BluefloodMetricType {
        switch kind {
        case .gauge: .gauge
        case .count: .counter
        default: .basic
        }
    }
}
