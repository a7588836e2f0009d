import BasinModel
import StorageAPI

/// One request decoded: samples and metadata per tenant, and the entries of rejected items.
///
/// Tenants are Basin organisations: the path tenant for `/ingest`, each element's `tenantId` for
/// `/ingest/multi`, each bundle's `tenantId` for the aggregated endpoints (§17.6).
public struct BluefloodIntake: Sendable {
    /// Samples to store, per tenant. Each series is registered once per tenant and request.
    public var batches: [String: MetricBatch]
    /// Metadata updates, per tenant and metric name (the base name, never a `:part` series).
    public var metadata: [String: [String: MetricMetadata]]
    /// Entries of the rejected items, in Blueflood's order; non-empty with samples means 207.
    public var errors: [BluefloodErrorEntry]
    /// Samples across all tenants.
    public var sampleCount: Int

    public init(
        batches: [String: MetricBatch] = [:], metadata: [String: [String: MetricMetadata]] = [:],
        errors: [BluefloodErrorEntry] = [], sampleCount: Int = 0
    ) {
        self.batches = batches
        self.metadata = metadata
        self.errors = errors
        self.sampleCount = sampleCount
    }
}

/// Why a whole request is refused.
public enum BluefloodIntakeFailure: Error, Equatable, Sendable {
    /// 400 with the JSON error list (generic ones built with ``BluefloodErrorEntry/generic(tenantId:_:)``).
    case errors([BluefloodErrorEntry])
    /// 400 with a plain-text body (`POST /ingest/aggregated/multi` with `[]`: `No valid metrics`).
    case plainText(String)
    /// 500 with a generic error body carrying this message (`Failed parsing content`).
    case internalError(String)

    /// A one-entry generic 400.
    static func generic(_ tenantId: String, _ message: String) -> BluefloodIntakeFailure {
        .errors([.generic(tenantId: tenantId, message)])
    }
}

/// The samples and metadata of one tenant while a request is decoded.
///
/// Series are registered once per tenant: basic metrics are looked up by their name bytes (no
/// `String` per sample), aggregated series by their labels.
struct BluefloodTenantSink {
    var batch = MetricBatch()
    /// Metadata of aggregated metrics, by metric name.
    var metadata: [String: MetricMetadata] = [:]
    /// Basic metric name bytes → series slot (a sink holds basic or aggregated series, never both).
    private var nameSlots: [BluefloodNameKey: UInt32] = [:]
    /// Basic metric names and metadata, by slot.
    private var basicNames: [String] = []
    private var basicMetadata: [MetricMetadata] = []
    /// Aggregated series labels → slot.
    private var labelSlots: [Labels: UInt32] = [:]
    private var labels = LabelsBuilder()

    /// Appends a basic sample; the last `unit` given and the last `ttl` win.
    ///
    /// A known name costs one hash of its bytes; a new one its labels, its `String` and a copy of
    /// its bytes as the key.
    mutating func appendBasic(name: [UInt8], timestampMillis: Int64, value: Double, unit: String?, ttlSeconds: Int64) {
        let slot: UInt32
        let key = BluefloodNameKey(bytes: name)
        if let known = nameSlots[key] {
            slot = known
            if let unit { basicMetadata[Int(slot)].unit = unit }
            basicMetadata[Int(slot)].ttlSeconds = ttlSeconds
        } else {
            labels.reset()
            labels.add(name: BluefloodNameKey.metricNameKey, value: name)
            slot = batch.beginSeries(labels.build(), kind: .gauge)
            nameSlots[key] = slot
            basicNames.append(String(decoding: name, as: UTF8.self))
            basicMetadata.append(MetricMetadata(
                unit: unit, dialect: Blueflood.dialect, vendorType: BluefloodMetricType.basic.rawValue, ttlSeconds: ttlSeconds))
        }
        batch.append(seriesSlot: slot, timestampMillis: timestampMillis, value: value)
    }

    /// Every metadata update of the tenant.
    var allMetadata: [String: MetricMetadata] {
        var result = metadata
        for (name, update) in zip(basicNames, basicMetadata) { result[name] = update }
        return result
    }

    /// Appends a sample of an aggregated series.
    mutating func append(_ labels: Labels, kind: MetricKind, timestampMillis: Int64, value: Double) {
        let slot: UInt32
        if let known = labelSlots[labels] {
            slot = known
        } else {
            slot = batch.beginSeries(labels, kind: kind)
            labelSlots[labels] = slot
        }
        batch.append(seriesSlot: slot, timestampMillis: timestampMillis, value: value)
    }

    /// Records the metadata of a pre-aggregated metric (fixed 48 h TTL, no unit).
    mutating func noteAggregated(_ metricName: String, type: BluefloodMetricType) {
        metadata[metricName] = MetricMetadata(
            dialect: Blueflood.dialect, vendorType: type.rawValue, ttlSeconds: Blueflood.aggregatedTTLSeconds)
    }
}

/// A metric name's bytes as a dictionary key, hashed in one call over the bytes (an
/// `[UInt8]` key hashes byte by byte).
struct BluefloodNameKey: Hashable {
    let bytes: [UInt8]

    static let metricNameKey: [UInt8] = Array(Labels.metricNameKey.utf8)

    func hash(into hasher: inout Hasher) {
        bytes.withUnsafeBytes { hasher.combine(bytes: $0) }
    }
}

/// The sinks of all tenants of a request.
struct BluefloodTenantSinks {
    var sinks: [String: BluefloodTenantSink] = [:]
    /// The path tenant's sink, kept apart so `/ingest` costs no tenant lookup per sample.
    var path = BluefloodTenantSink()
    var pathTenant = ""

    /// The finished intake with `errors`.
    func intake(errors: [BluefloodErrorEntry]) -> BluefloodIntake {
        var result = BluefloodIntake(errors: errors)
        var all = sinks
        if !path.batch.isEmpty || !path.allMetadata.isEmpty { all[pathTenant] = path }
        for (tenant, sink) in all {
            let metadata = sink.allMetadata
            if !sink.batch.isEmpty { result.batches[tenant] = sink.batch }
            if !metadata.isEmpty { result.metadata[tenant] = metadata }
            result.sampleCount += sink.batch.sampleCount
        }
        return result
    }
}
