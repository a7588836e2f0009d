import BasinHTTP
import BasinModel
import BasinWire
import Foundation
import StorageAPI
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

extension DatadogRoutes {
    /// The two series intake endpoints.
    enum SeriesVersion: Sendable {
        case v1, v2

        var endpoint: String { self == .v1 ? "/api/v1/series" : "/api/v2/series" }
    }

    /// `POST /api/v1/series`: decode, store, then answer `202 {"status": "ok"}`.
    func submitSeriesV1(_ request: Request) async -> Response {
        await submitSeries(request, version: .v1)
    }

    /// `POST /api/v2/series` (JSON, or the Agent's protobuf `MetricPayload`): decode, store,
    /// then answer `202 {"errors": []}`.
    func submitSeriesV2(_ request: Request) async -> Response {
        await submitSeries(request, version: .v2)
    }

    /// Authenticates, reads, decodes and stores one series request.
    ///
    /// The success response goes out only after the store's `append` returned (the durability
    /// guarantee). A request whose series were all rejected for limits gets `400` with their
    /// messages; partially rejected requests still get `202`, because Datadog's v1 success body
    /// must not contain an `errors` key (datadogpy treats any `errors` key as a failure).
    func submitSeries(_ request: Request, version: SeriesVersion) async -> Response {
        let endpoint = version.endpoint
        let principal: Principal
        switch authenticate(request) {
        case .success(let found): principal = found
        case .failure(let error): return fail(error, endpoint: endpoint)
        }
        guard principal.scopes.contains(.ingest) else {
            return fail(.forbidden, endpoint: endpoint)
        }
        if let unsupported = Self.unsupportedContentType(request, version: version) {
            return fail(DatadogErrorResponse(status: .unsupportedMediaType, messages: [
                "unsupported Content-Type \"\(unsupported)\"; send application/json or text/json",
            ]), endpoint: endpoint)
        }
        let body: ByteBuffer
        do {
            body = try await BodyReader.read(request, limits: environment.limits)
        } catch {
            return fail(DatadogErrorResponse(error), endpoint: endpoint)
        }
        let protobuf = version == .v2 && Self.isProtobuf(request, body: body)
        var batch = MetricBatch()
        let result: DatadogIntakeResult
        do {
            switch version {
            case .v1: result = try DatadogSeriesV1Decoder(options: intakeOptions()).decode(body, into: &batch)
            case .v2 where protobuf: result = try DatadogSeriesV2Decoder(options: intakeOptions()).decodeProtobuf(body, into: &batch)
            case .v2: result = try DatadogSeriesV2Decoder(options: intakeOptions()).decode(body, into: &batch)
            }
        } catch {
            return fail(DatadogErrorResponse(error), endpoint: endpoint)
        }
        environment.selfMetrics.recordSamples(
            dialect: Self.dialect, endpoint: endpoint,
            accepted: result.accepted, rejected: result.rejected + result.dropped)
        if result.isTotalRejection {
            return fail(DatadogErrorResponse(status: .badRequest, messages: result.errors), endpoint: endpoint)
        }
        if result.rejectedSeries > 0 {
            environment.logger.info("datadog: series rejected", metadata: [
                "org": "\(principal.org)", "rejected_series": "\(result.rejectedSeries)",
                "first_error": "\(result.errors.first ?? "")",
            ])
        }
        if !batch.isEmpty {
            do {
                try await environment.store.append(batch, org: principal.org)
            } catch let error as any ClassifiedError {
                return fail(DatadogErrorResponse(error), endpoint: endpoint)
            } catch {
                environment.logger.error("datadog: store append failed", metadata: ["error": "\(error)"])
                return fail(DatadogErrorResponse(status: .internalServerError, messages: ["internal error"]), endpoint: endpoint)
            }
        }
        await recordMetadata(of: batch, intervalsSeconds: result.intervalsSeconds, units: result.units, org: principal.org)
        environment.selfMetrics.recordRequest(dialect: Self.dialect, endpoint: endpoint, status: 202)
        var writer = JSONWriter(capacity: 20)
        switch version {
        case .v1: writer.raw("{\"status\": \"ok\"}")   // recorded Datadog v1 body, space included
        case .v2: writer.raw("{\"errors\": []}")         // recorded v2 body (IntakePayloadAccepted)
        }
        return Response.json(status: .accepted, writer.buffer)
    }

    /// The decoder options for one request, from the server's limits and the routes' window.
    /// Records per metric name that Datadog wrote it (when no dialect has yet) and the
    /// `interval` its series declared, which `.as_count()`/`.as_rate()` need. Only changes are
    /// written, so known metrics cost one in-memory lookup per name and request. The samples
    /// are already durable: a failure here is logged, not answered.
    ///
    /// A `unit` sent with a v2 series (JSON or protobuf) is recorded only while the metric has
    /// none, so a unit set with `PUT /api/v1/metrics/{name}` is never overwritten.
    func recordMetadata(of batch: MetricBatch, intervalsSeconds: [Int64], units: [String] = [], org: OrgID) async {
        var intervals: [String: Int64] = [:]
        var sentUnits: [String: String] = [:]
        for i in 0..<batch.seriesCount {
            guard let name = batch.metricName(at: i) else { continue }
            let interval = i < intervalsSeconds.count ? intervalsSeconds[i] : 0
            intervals[name] = max(intervals[name] ?? 0, interval)
            if i < units.count, !units[i].isEmpty, sentUnits[name] == nil { sentUnits[name] = units[i] }
        }
        var updates: [String: MetricMetadata] = [:]
        for (name, interval) in intervals {
            let current = (try? await environment.store.metricMetadata(org: org, metricName: name))?[name]
            var update = MetricMetadata()
            if current?.dialect == nil { update.dialect = Self.dialect }
            if interval > 0, current?.intervalSeconds != interval { update.intervalSeconds = interval }
            if let unit = sentUnits[name], current?.unit == nil { update.unit = unit }
            if update != MetricMetadata() { updates[name] = update }
        }
        guard !updates.isEmpty else { return }
        do {
            try await environment.store.updateMetricMetadata(org: org, updates)
        } catch {
            environment.logger.warning("datadog: metric metadata not recorded", metadata: ["error": "\(error)"])
        }
    }

    func intakeOptions() -> DatadogIntakeOptions {
        var limits = DatadogIntakeLimits()
        limits.maxLabelsPerSeries = environment.limits.maxLabelsPerSeries
        limits.maxLabelNameBytes = environment.limits.maxLabelNameBytes
        limits.maxLabelValueBytes = environment.limits.maxLabelValueBytes
        limits.maxMetricNameBytes = environment.limits.maxMetricNameBytes
        return DatadogIntakeOptions(
            limits: limits, nowMillis: DialectEnvironment.nowMillis(),
            maxPastMillis: maxPastMillis, maxFutureMillis: maxFutureMillis)
    }

    /// Whether a v2 body is protobuf: a protobuf `Content-Type` unless the body is JSON, or, without
    /// `Content-Type`, a body that is not JSON (spec §2.2, sniffing the decompressed body).
    ///
    /// "JSON" means the first byte after ASCII whitespace is `{`. No `MetricPayload` looks like
    /// that: `{` would be field 15 as a group, and a leading 0x0A (newline) is the protobuf key
    /// of `series`, followed by a length and a series' first key, never `{`. So the Agent's
    /// diagnose probe `{}` is JSON under any type, and an empty protobuf body is an empty payload.
    static func isProtobuf(_ request: Request, body: ByteBuffer) -> Bool {
        if let type = request.headers[.contentType], !type.lowercased().contains("protobuf") { return false }
        if request.headers[.contentType] == nil, body.readableBytes == 0 { return false }
        return !startsLikeJSON(body)
    }

    /// Whether the first non-whitespace byte (within the first 64) is `{`.
    static func startsLikeJSON(_ body: ByteBuffer) -> Bool {
        for byte in body.readableBytesView.prefix(64) {
            switch byte {
            case UInt8(ascii: " "), UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "\t"): continue
            case UInt8(ascii: "{"): return true
            default: return false
            }
        }
        return false
    }

    /// The media type when it is one Basin will not read as JSON; nil when acceptable.
    ///
    /// Accepted: none, `application/json`, `text/json` (datadog-api-client), any `+json` type,
    /// and `text/plain` / `application/x-www-form-urlencoded` (what `curl -d` sends by default);
    /// `application/x-protobuf` passes on v2, where it is answered separately.
    static func unsupportedContentType(_ request: Request, version: SeriesVersion) -> String? {
        guard let header = request.headers[.contentType] else { return nil }
        let mediaType = header.split(separator: ";", maxSplits: 1).first.map {
            $0.trimmingCharacters(in: .whitespaces).lowercased()
        } ?? ""
        switch mediaType {
        case "", "application/json", "text/json", "text/plain", "application/x-www-form-urlencoded":
            return nil
        case "application/x-protobuf" where version == .v2:
            return nil
        default:
            return mediaType.hasSuffix("+json") ? nil : mediaType
        }
    }
}
