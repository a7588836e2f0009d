import BasinModel
import StorageAPI

/// Lists and describes an organisation's metrics for `GET /api/v2/metrics` and
/// `GET /api/v2/metrics/{metricKey}`: names and kinds from ``MetricStore/metricKinds(org:metricName:)``,
/// units, descriptions and display names from ``MetricStore/metricMetadata(org:metricName:)``.
///
/// The statistic series Basin stores beside a summary (`k:min`, `k:max`, `k:sum`, `k:count`)
/// are not listed: they are `k`'s aggregations.
public struct DynatraceMetricCatalog: Sendable {
    public let store: any MetricStore
    public let org: OrgID

    public init(store: any MetricStore, org: OrgID) {
        self.store = store
        self.org = org
    }

    static let statisticSuffixes = [":min", ":max", ":sum", ":count"]

    /// The metrics matching the filters, sorted by key.
    /// - Parameters:
    ///   - selector: keys (with `*` wildcards) to keep; nil keeps all. Transformations are ignored.
    ///   - text: a case-insensitive substring of the key, display name or description; nil keeps all.
    ///   - withDimensions: whether to look up each metric's dimension keys.
    public func list(selector: DynatraceSelector?, text: String?, withDimensions: Bool) async throws -> [DynatraceMetricDescriptor] {
        let kinds = try await store.metricKinds(org: org, metricName: nil)
        let metadata = try await store.metricMetadata(org: org, metricName: nil)
        let patterns = selector?.expressions.map(\.key)
        let needle = text?.lowercased()
        var out: [DynatraceMetricDescriptor] = []
        for (name, kind) in kinds.sorted(by: { $0.key < $1.key }) {
            if Self.isStatistic(name, kinds) { continue }
            if let patterns, !patterns.contains(where: { Self.glob($0, matches: name) }) { continue }
            var descriptor = DynatraceMetricDescriptor(metricId: name, kind: kind, metadata: metadata[name] ?? MetricMetadata())
            if let needle, !needle.isEmpty,
               ![name, descriptor.displayName, descriptor.description].contains(where: { $0.lowercased().contains(needle) }) { continue }
            if withDimensions { descriptor.dimensionKeys = try await dimensionKeys(name) }
            out.append(descriptor)
        }
        return out
    }

    /// One metric by key, with its dimension keys; nil when the organisation has no such metric.
    public func describe(_ key: String) async throws -> DynatraceMetricDescriptor? {
        let kinds = try await store.metricKinds(org: org, metricName: key)
        guard let kind = kinds[key] else { return nil }
        let metadata = try await store.metricMetadata(org: org, metricName: key)[key] ?? MetricMetadata()
        return DynatraceMetricDescriptor(metricId: key, kind: kind, metadata: metadata, dimensionKeys: try await dimensionKeys(key))
    }

    func dimensionKeys(_ name: String) async throws -> [String] {
        try await store.labelNames(org: org, matcherSets: [[.equal(Labels.metricNameKey, name)]], startMillis: .min, endMillis: .max)
            .filter { $0 != Labels.metricNameKey }.sorted()
    }

    /// Whether `name` is a summary's statistic series.
    static func isStatistic(_ name: String, _ kinds: [String: MetricKind]) -> Bool {
        guard kinds[name] == .summary else { return false }
        return statisticSuffixes.contains { name.hasSuffix($0) && kinds[String(name.dropLast($0.count))] == .summary }
    }

    /// `*` matches any run of characters (Dynatrace documents the trailing form `builtin:host.*`).
    static func glob(_ pattern: String, matches name: String) -> Bool {
        let parts = pattern.split(separator: "*", omittingEmptySubsequences: false).map(String.init)
        guard parts.count > 1 else { return pattern == name }
        guard name.hasPrefix(parts[0]), name.dropFirst(parts[0].count).hasSuffix(parts[parts.count - 1]) else { return false }
        var rest = Substring(name.dropFirst(parts[0].count))
        rest = rest.dropLast(parts[parts.count - 1].count)
        for part in parts.dropFirst().dropLast() where !part.isEmpty {
            guard let range = rest.firstRange(of: part) else { return false }
            rest = rest[range.upperBound...]
        }
        return name.count >= parts[0].count + parts[parts.count - 1].count
    }
}
