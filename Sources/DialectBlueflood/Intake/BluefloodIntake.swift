import BasinModel
import BasinWire
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
/// `String` or key array per sample), aggregated series by their labels.
struct BluefloodTenantSink {
    var batch = MetricBatch()
    /// Metadata of aggregated metrics, by metric name.
    var metadata: [String: MetricMetadata] = [:]
    /// Basic metric names, numbered in first-seen order (a sink holds basic or aggregated
    /// series, never both).
    private var basicNames = ByteStringTable()
    /// Per basic name id: its series slot and its metadata.
    private var basicSlots: [UInt32] = []
    private var basicMetadata: [MetricMetadata] = []
    /// Aggregated series labels → slot.
    private var labelSlots: [Labels: UInt32] = [:]

    /// Appends a basic sample; the last `unit` given and the last `ttl` win.
    ///
    /// A known name costs one hash of its bytes; a new one its labels (one allocation) and a
    /// copy of its bytes into the name table.
    mutating func appendBasic(name: UnsafeRawBufferPointer, timestampMillis: Int64, value: Double, unit: String?, ttlSeconds: Int64) {
        let slot: UInt32
        let (id, inserted) = basicNames.insert(name)
        if inserted {
            slot = batch.beginSeries(BluefloodTenantSink.nameLabels(name), kind: .gauge)
            basicSlots.append(slot)
            basicMetadata.append(MetricMetadata(
                unit: unit, dialect: Blueflood.dialect, vendorType: BluefloodMetricType.basic.rawValue, ttlSeconds: ttlSeconds))
        } else {
            slot = basicSlots[id]
            if let unit { basicMetadata[id].unit = unit }
            basicMetadata[id].ttlSeconds = ttlSeconds
        }
        batch.append(seriesSlot: slot, timestampMillis: timestampMillis, value: value)
    }

    /// The labels of a basic metric: `__name__` alone, encoded directly in the canonical layout
    /// (``Labels``: `uvarint(8) "__name__" uvarint(n) name`), as ``LabelsBuilder`` would.
    static func nameLabels(_ name: UnsafeRawBufferPointer) -> Labels {
        let key = BluefloodNameKey.metricNameKey
        var lengthBytes = 1
        var n = name.count >> 7
        while n > 0 {
            lengthBytes += 1
            n >>= 7
        }
        let total = 1 + key.count + lengthBytes + name.count
        let bytes = [UInt8](unsafeUninitializedCapacity: total) { buffer, initialized in
            var w = 0
            buffer[w] = UInt8(key.count)
            w += 1
            for byte in key {
                buffer[w] = byte
                w += 1
            }
            var v = UInt(name.count)
            while v >= 0x80 {
                buffer[w] = UInt8(truncatingIfNeeded: v) | 0x80
                v >>= 7
                w += 1
            }
            buffer[w] = UInt8(v)
            w += 1
            if let source = name.baseAddress, name.count > 0 {
                UnsafeMutableRawPointer(buffer.baseAddress! + w).copyMemory(from: source, byteCount: name.count)
            }
            initialized = w + name.count
        }
        return Labels(uncheckedBytes: bytes)
    }

    /// Whether the tenant has any metadata update.
    var hasMetadata: Bool { !metadata.isEmpty || !basicNames.isEmpty }

    /// Every metadata update of the tenant.
    var allMetadata: [String: MetricMetadata] {
        var result = metadata
        result.reserveCapacity(metadata.count + basicNames.count)
        for id in 0..<basicNames.count { result[basicNames.string(id)] = basicMetadata[id] }
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

/// Constants for basic metric names.
enum BluefloodNameKey {
    /// `__name__` as bytes.
    static let metricNameKey: [UInt8] = Array(Labels.metricNameKey.utf8)
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
        if !path.batch.isEmpty || path.hasMetadata { all[pathTenant] = path }
        for (tenant, sink) in all {
            let metadata = sink.allMetadata
            if !sink.batch.isEmpty { result.batches[tenant] = sink.batch }
            if !metadata.isEmpty { result.metadata[tenant] = metadata }
            result.sampleCount += sink.batch.sampleCount
        }
        return result
    }
}
