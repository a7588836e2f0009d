import BasinModel
import BasinWire
import NIOCore
import StorageAPI

/// Metric name discovery: `GET /metrics/search` (§11) and `GET /metric_name/search` (§12).
///
/// Names come from the store's `__name__` values over all time (Blueflood's index forgets no
/// name), filtered by the glob inside the store. The `:part` series of counters and timers
/// (per the base name's ``StorageAPI/MetricMetadata/vendorType``) are storage detail and never
/// listed; a set's per-value series share its name, so it is listed once.
public struct BluefloodSearch: Sendable {
    let store: any MetricStore
    let maxResults: Int

    /// The time range names are looked up in: all of it (as Prometheus' default API range).
    static let allTime: (start: Int64, end: Int64) = (-(1 << 53), 1 << 53)

    /// - Parameters:
    ///   - store: where the names live.
    ///   - maxResults: the most entries one search returns (`MAX_DISCOVERY_RESULT_SIZE`).
    public init(store: any MetricStore, maxResults: Int = Blueflood.maxDiscoveryResults) {
        self.store = store
        self.maxResults = maxResults
    }

    /// Full names matching the glob `query`, where `*` crosses dots (§11), deduplicated and
    /// sorted, with the stored unit where one is known.
    /// - Throws: ``BluefloodSearchError`` for a pattern that does not compile (the route's 500
    ///   `Error getting metrics index`); ``StorageAPI/StorageError`` from the store.
    public func metrics(org: OrgID, query: String) async throws -> [(name: String, unit: String?)] {
        let glob = try BluefloodGlob(query)
        let names = try await names(org: org, matching: glob.hasWildcard ? glob.regex : nil, exactly: glob.literal)
        let metadata = try await store.metricMetadata(org: org, metricName: nil)
        var out: [(name: String, unit: String?)] = []
        for name in names where !Self.isPart(name, metadata) {
            out.append((name, metadata[name]?.unit))
            if out.count >= maxResults { break }
        }
        return out
    }

    /// One level of the name tree (§12): for a query of N levels, where `*` stays within a
    /// level, every matching N-level prefix, with `isLeaf` true when a metric has exactly that
    /// name and false when deeper names exist (both when both hold). Sorted by name, branch first.
    /// - Throws: as ``metrics(org:query:)``.
    public func names(org: OrgID, query: String) async throws -> [(name: String, isLeaf: Bool)] {
        let glob = try BluefloodGlob(query, withinLevel: true)
        let prefix = glob.hasWildcard ? glob.regex : BluefloodGlob.escape(glob.literal)
        let names = try await names(org: org, matching: "(?:" + prefix + ")(?:\\..*)?", exactly: nil)
        let metadata = try await store.metricMetadata(org: org, metricName: nil)
        var found: Set<Entry> = []
        for name in names where !Self.isPart(name, metadata) {
            let components = name.split(separator: ".", omittingEmptySubsequences: false)
            guard components.count >= glob.levels else { continue }
            let head = components.prefix(glob.levels).joined(separator: ".")
            found.insert(Entry(name: head, isLeaf: components.count == glob.levels))
        }
        return found.sorted { ($0.name, $0.isLeaf ? 1 : 0) < ($1.name, $1.isLeaf ? 1 : 0) }
            .prefix(maxResults).map { ($0.name, $0.isLeaf) }
    }

    private struct Entry: Hashable {
        var name: String
        var isLeaf: Bool
    }

    /// Stored metric names matching `regex` (fully anchored), or equal to `exactly` when there is no regex.
    private func names(org: OrgID, matching regex: String?, exactly: String?) async throws -> [String] {
        let matcher: LabelMatcher
        if let regex {
            do {
                matcher = try LabelMatcher(name: Labels.metricNameKey, op: .regexMatch, value: regex)
            } catch {
                throw BluefloodSearchError(error.message)
            }
        } else {
            matcher = .equal(Labels.metricNameKey, exactly ?? "")
        }
        return try await store.labelValues(
            org: org, name: Labels.metricNameKey, matcherSets: [[matcher]], startMillis: Self.allTime.start, endMillis: Self.allTime.end)
    }

    /// Whether `name` is a `<metric>:<part>` series of a counter or timer.
    static func isPart(_ name: String, _ metadata: [String: MetricMetadata]) -> Bool {
        guard let colon = name.lastIndex(of: ":") else { return false }
        let base = String(name[..<colon]), part = String(name[name.index(after: colon)...])
        switch metadata[base]?.vendorType.flatMap(BluefloodMetricType.init(rawValue:)) {
        case .counter:
            return part == BluefloodSeriesNaming.counterRate || part == BluefloodSeriesNaming.counterSampleCount
        case .timer:
            return BluefloodSeriesNaming.timerParts.contains(part) || part.hasPrefix(BluefloodSeriesNaming.timerPercentilePrefix)
        default:
            return false
        }
    }

    /// `[{"metric":"a.b","unit":"ms"},…]`, `unit` omitted when unknown (§11).
    public static func renderMetrics(_ found: [(name: String, unit: String?)]) -> ByteBuffer {
        var w = JSONWriter(capacity: 64 + found.count * 48)
        w.raw("[")
        var comma = false
        for entry in found {
            w.comma(&comma)
            w.raw("{\"metric\":")
            w.string(entry.name)
            if let unit = entry.unit {
                w.raw(",\"unit\":")
                w.string(unit)
            }
            w.raw("}")
        }
        w.raw("]")
        return w.buffer
    }

    /// `[{"one.two":false},{"one.two.three":true},…]` (§12).
    public static func renderNames(_ found: [(name: String, isLeaf: Bool)]) -> ByteBuffer {
        var w = JSONWriter(capacity: 64 + found.count * 40)
        w.raw("[")
        var comma = false
        for entry in found {
            w.comma(&comma)
            w.raw("{")
            w.key(entry.name)
            w.bool(entry.isLeaf)
            w.raw("}")
        }
        w.raw("]")
        return w.buffer
    }
}
