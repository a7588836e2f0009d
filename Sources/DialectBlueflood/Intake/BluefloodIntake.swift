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
    /// Metadata updates of pre-aggregated metrics, per tenant and metric name.
    public var aggregatedMetadata: [String: [String: MetricMetadata]]
    /// Metadata updates of basic metrics, per tenant, in byte form (see ``BluefloodBasicMetadata``).
    public var basicMetadata: [String: BluefloodBasicMetadata]
    /// Entries of the rejected items, in Blueflood's order; non-empty with samples means 207.
    public var errors: [BluefloodErrorEntry]
    /// Samples across all tenants.
    public var sampleCount: Int

    public init(
        batches: [String: MetricBatch] = [:], aggregatedMetadata: [String: [String: MetricMetadata]] = [:],
        basicMetadata: [String: BluefloodBasicMetadata] = [:], errors: [BluefloodErrorEntry] = [], sampleCount: Int = 0
    ) {
        self.batches = batches
        self.aggregatedMetadata = aggregatedMetadata
        self.basicMetadata = basicMetadata
        self.errors = errors
        self.sampleCount = sampleCount
    }

    /// The tenants with samples or metadata to store.
    public var tenants: Set<String> {
        Set(batches.keys).union(aggregatedMetadata.keys).union(basicMetadata.keys)
    }

    /// Every metadata update, per tenant and metric name (the base name, never a `:part` series).
    ///
    /// Builds a `String` and a `MetricMetadata` per basic metric name: the routes write only the
    /// names that changed (``BluefloodMetadataCache``).
    public func allMetadata() -> [String: [String: MetricMetadata]] {
        var result = aggregatedMetadata
        for (tenant, basic) in basicMetadata where !basic.isEmpty {
            result[tenant, default: [:]].merge(basic.allMetadata()) { _, new in new }
        }
        return result
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
/// `String` or key array per sample), aggregated series by their labels. A basic metric's
/// metadata stays in byte form (``BluefloodBasicMetadata``): its name, its last TTL, the id of
/// its last unit.
struct BluefloodTenantSink {
    var batch = MetricBatch()
    /// Metadata of aggregated metrics, by metric name.
    var metadata: [String: MetricMetadata] = [:]
    /// Basic metric names, numbered in first-seen order, with their metadata (a sink holds
    /// basic or aggregated series, never both).
    private(set) var basic = BluefloodBasicMetadata()
    /// Per basic name id: its series slot.
    private var basicSlots: [UInt32] = []
    /// Aggregated series labels → slot.
    private var labelSlots: [Labels: UInt32] = [:]

    /// Sizes the basic-metric tables for about `names` distinct names, so a body of new series
    /// does not regrow them step by step.
    mutating func reserveBasicCapacity(_ names: Int) {
        basic.reserveCapacity(names)
        basicSlots.reserveCapacity(names)
    }

    /// Appends a basic sample; the last `unit` given and the last `ttl` win.
    ///
    /// A known name costs one hash of its bytes; a new one a copy of its label encoding into the batch and a
    /// copy of its bytes into the name table.
    ///
    /// - Parameter unit: the unit's UTF-8 bytes, nil when the element had none.
    mutating func appendBasic(name: UnsafeRawBufferPointer, timestampMillis: Int64, value: Double, unit: UnsafeRawBufferPointer?, ttlSeconds: Int64) {
        let slot: UInt32
        let (id, inserted) = basic.note(name: name, ttlSeconds: ttlSeconds, unit: unit)
        if inserted {
            slot = BluefloodTenantSink.beginNameSeries(name, in: &batch)
            basicSlots.append(slot)
        } else {
            slot = basicSlots[id]
        }
        batch.append(seriesSlot: slot, timestampMillis: timestampMillis, value: value)
    }

    /// Registers the series of a basic metric: `__name__` alone, encoded directly in the
    /// canonical layout (``Labels``: `uvarint(8) "__name__" uvarint(n) name`), as
    /// ``LabelsBuilder`` would, on the stack and then copied into the batch's label buffer.
    static func beginNameSeries(_ name: UnsafeRawBufferPointer, in batch: inout MetricBatch) -> UInt32 {
        // "__name__" as a little-endian word.
        let key: UInt64 = 0x5F5F_656D_616E_5F5F
        let total = 9 + 5 + name.count
        return withUnsafeTemporaryAllocation(byteCount: total, alignment: 8) { buffer -> UInt32 in
            let out = buffer.baseAddress!
            out.storeBytes(of: 8, as: UInt8.self)
            out.storeBytes(of: key.littleEndian, toByteOffset: 1, as: UInt64.self)
            var w = 9
            var v = UInt(name.count)
            while v >= 0x80 {
                out.storeBytes(of: UInt8(truncatingIfNeeded: v) | 0x80, toByteOffset: w, as: UInt8.self)
                v >>= 7
                w += 1
            }
            out.storeBytes(of: UInt8(v), toByteOffset: w, as: UInt8.self)
            w += 1
            if let source = name.baseAddress, name.count > 0 {
                (out + w).copyMemory(from: source, byteCount: name.count)
            }
            return batch.beginSeries(encodedLabels: UnsafeRawBufferPointer(start: out, count: w + name.count), kind: .gauge)
        }
    }

    /// Whether the tenant has any metadata update.
    var hasMetadata: Bool { !metadata.isEmpty || !basic.isEmpty }

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
            if !sink.batch.isEmpty { result.batches[tenant] = sink.batch }
            if !sink.metadata.isEmpty { result.aggregatedMetadata[tenant] = sink.metadata }
            if !sink.basic.isEmpty { result.basicMetadata[tenant] = sink.basic }
            result.sampleCount += sink.batch.sampleCount
        }
        return result
    }
}
