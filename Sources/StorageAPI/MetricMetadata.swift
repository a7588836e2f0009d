import BasinModel

/// What a vendor said about a metric name beyond its samples: unit, description, display name,
/// and which dialect said it. Kept per organisation and metric name, durably.
///
/// Datadog's `PUT /api/v1/metrics/{name}`, Dynatrace's metadata lines and Blueflood's `unit`
/// write it; every read API reports it. Each field is nil when never set.
public struct MetricMetadata: Sendable, Hashable {
    /// The unit as the vendor spells it (`byte`, `ms`, `Percent`, …).
    public var unit: String?
    /// Free text.
    public var description: String?
    /// A human-readable name (Dynatrace `dt.meta.displayName`, Datadog `short_name`).
    public var displayName: String?
    /// The dialect that wrote the metric (`datadog`, `dynatrace`, …); dialects set it only
    /// when it is still nil, so it names the first one.
    public var dialect: String?
    /// The interval a rate or count was declared over, in seconds (Datadog's `interval`).
    public var intervalSeconds: Int64?
    /// The vendor's own name for the metric's type where Basin's ``BasinModel/MetricKind`` is
    /// coarser (Blueflood `basic`, `gauge`, `counter`, `timer`, `set`).
    public var vendorType: String?
    /// How long the client asked its samples to be kept, in seconds (Blueflood `ttlInSeconds`;
    /// last writer wins). Every read leaves out the metric's samples older than this (see
    /// ``MetricExpiry``), whatever API asks; the space is reclaimed with the retention.
    public var ttlSeconds: Int64?

    public init(
        unit: String? = nil, description: String? = nil, displayName: String? = nil, dialect: String? = nil,
        intervalSeconds: Int64? = nil, vendorType: String? = nil, ttlSeconds: Int64? = nil
    ) {
        self.unit = unit
        self.description = description
        self.displayName = displayName
        self.dialect = dialect
        self.intervalSeconds = intervalSeconds
        self.vendorType = vendorType
        self.ttlSeconds = ttlSeconds
    }

    /// This metadata with every non-nil field of `update` applied.
    public func merging(_ update: MetricMetadata) -> MetricMetadata {
        MetricMetadata(
            unit: update.unit ?? unit, description: update.description ?? description,
            displayName: update.displayName ?? displayName, dialect: update.dialect ?? dialect,
            intervalSeconds: update.intervalSeconds ?? intervalSeconds, vendorType: update.vendorType ?? vendorType,
            ttlSeconds: update.ttlSeconds ?? ttlSeconds)
    }

    /// Longest accepted text of any field, in bytes.
    public static let maxFieldBytes = 4_096
}

/// The checks every store applies to a metadata update.
public enum MetricMetadataLimits {
    /// - Throws: ``StorageError`` `limitExceeded` naming the field over ``MetricMetadata/maxFieldBytes``,
    ///   `badRequest` for an empty metric name.
    public static func check(_ metricName: String, _ metadata: MetricMetadata) throws(StorageError) {
        guard !metricName.isEmpty else { throw StorageError(kind: .badRequest, message: "metadata needs a metric name") }
        for (field, value) in [("unit", metadata.unit), ("description", metadata.description),
                               ("display name", metadata.displayName), ("dialect", metadata.dialect),
                               ("vendor type", metadata.vendorType)] {
            if let value, value.utf8.count > MetricMetadata.maxFieldBytes {
                throw StorageError(kind: .limitExceeded, message: "metric metadata \(field) of \(metricName) is \(value.utf8.count) bytes, over the limit of \(MetricMetadata.maxFieldBytes)")
            }
        }
    }
}

extension MetricStore {
    /// Applies several metric names' updates; stores that can write them at once override it.
    public func updateMetricMetadata(org: OrgID, _ updates: [String: MetricMetadata]) async throws {
        for (name, update) in updates.sorted(by: { $0.key < $1.key }) {
            try await updateMetricMetadata(org: org, metricName: name, update)
        }
    }
}
