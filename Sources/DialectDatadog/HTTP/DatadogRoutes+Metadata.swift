import BasinHTTP
import BasinModel
import BasinWire
import Foundation
import Hummingbird
import NIOCore
import StorageAPI

extension DatadogRoutes {
    /// Datadog's metric types (`MetricMetadata.type`).
    static let metadataTypes: Set<String> = ["gauge", "rate", "count", "distribution"]

    /// `GET /api/v1/metrics/{metric_name}`: the stored metadata, `404` for a metric never seen.
    func getMetadata(_ name: String, org: OrgID) async throws -> ByteBuffer {
        let store = environment.store
        let metadata = try await store.metricMetadata(org: org, metricName: name)[name]
        let kind = try await store.metricKinds(org: org, metricName: name)[name]
        guard metadata != nil || kind != nil else {
            throw DatadogErrorResponse(status: .notFound, messages: ["Metric not found"])
        }
        return Self.renderMetadata(metadata ?? MetricMetadata(), kind: kind)
    }

    /// `PUT /api/v1/metrics/{metric_name}`: merges the given fields (an upsert) and answers
    /// with the full result.
    func putMetadata(_ request: Request, _ name: String, org: OrgID) async throws -> ByteBuffer {
        guard !name.isEmpty else { throw Self.badRequest("metric name required") }
        let body = try await BodyReader.read(request, limits: environment.limits)
        guard let object = (try? JSONSerialization.jsonObject(with: Data(body.readableBytesView))) as? [String: Any] else {
            throw Self.badRequest("request body must be a JSON object")
        }
        let store = environment.store
        let current = try await store.metricMetadata(org: org, metricName: name)[name] ?? MetricMetadata()
        var (unit, perUnit) = DatadogStoredUnit.split(current.unit)
        var update = MetricMetadata()
        func text(_ key: String) throws -> String? {
            guard let value = object[key], !(value is NSNull) else { return nil }
            guard let s = value as? String else { throw Self.badRequest("'\(key)' must be a string") }
            return s
        }
        if let type = try text("type") {
            guard Self.metadataTypes.contains(type) else {
                throw Self.badRequest("invalid type '\(type)'; use gauge, rate, count or distribution")
            }
            update.vendorType = type
        }
        if let description = try text("description") { update.description = description }
        if let shortName = try text("short_name") { update.displayName = shortName }
        for key in ["unit", "per_unit"] {
            guard let value = try text(key) else { continue }
            guard DatadogUnit.named(value) != nil else { throw Self.badRequest("invalid \(key) '\(value)'") }
            if key == "unit" { unit = value } else { perUnit = value }
        }
        if let joined = DatadogStoredUnit.join(unit: unit, perUnit: perUnit), joined != current.unit { update.unit = joined }
        if let interval = object["statsd_interval"], !(interval is NSNull) {
            guard let n = interval as? NSNumber, n.doubleValue >= 0, n.doubleValue == n.doubleValue.rounded(), n.doubleValue < 1e12 else {
                throw Self.badRequest("'statsd_interval' must be a whole number of seconds")
            }
            update.intervalSeconds = n.int64Value
        }
        if update != MetricMetadata() {
            try await store.updateMetricMetadata(org: org, metricName: name, update)
        }
        let kind = try await store.metricKinds(org: org, metricName: name)[name]
        return Self.renderMetadata(current.merging(update), kind: kind)
    }

    /// The `MetricMetadata` object; fields never set are `null`.
    static func renderMetadata(_ metadata: MetricMetadata, kind: MetricKind?) -> ByteBuffer {
        let (unit, perUnit) = DatadogStoredUnit.split(metadata.unit)
        var type: String?
        if let vendor = metadata.vendorType, metadataTypes.contains(vendor) {
            type = vendor
        } else if let kind {
            switch kind {
            case .count, .counter: type = "count"
            case .rate: type = "rate"
            default: type = "gauge"
            }
        }
        var w = JSONWriter(capacity: 256)
        func field(_ key: String, _ value: String?, first: Bool = false) {
            if !first { w.raw(",") }
            w.key(key)
            if let value { w.string(value) } else { w.null() }
        }
        w.raw("{")
        field("description", metadata.description, first: true)
        field("integration", nil)
        field("per_unit", perUnit)
        field("short_name", metadata.displayName)
        w.raw(",\"statsd_interval\":")
        if let interval = metadata.intervalSeconds { w.integer(interval) } else { w.null() }
        field("type", type)
        field("unit", unit)
        w.raw("}")
        return w.buffer
    }
}
