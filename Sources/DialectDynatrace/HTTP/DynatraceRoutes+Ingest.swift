import BasinHTTP
import BasinModel
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import StorageAPI

extension DynatraceRoutes {
    /// `POST /api/v2/metrics/ingest`: authenticate, read (≤ `maxDynatraceBodyBytes`), parse, store
    /// the valid lines and their metadata, then answer the `ValidationResponse`.
    ///
    /// `202` when every line is valid (warnings allowed); `400` when any line is invalid, with the
    /// valid ones stored all the same (Dynatrace keeps them; clients do not retry 400). The answer
    /// goes out only after the store's `append` returned (the durability guarantee). Any
    /// `Content-Type` is read as UTF-8 text, and `Accept` is never a reason to refuse.
    func ingest(_ request: Request) async -> Response {
        let endpoint = Self.ingestEndpoint
        let principal: Principal
        switch authenticate(request) {
        case .success(let found): principal = found
        case .failure(let error): return fail(error, endpoint: endpoint)
        }
        guard principal.scopes.contains(.ingest) else {
            return fail(.missingIngestScope, endpoint: endpoint)
        }
        let body: ByteBuffer
        do {
            body = try await BodyReader.read(request, limits: environment.limits, maxBytes: environment.limits.maxDynatraceBodyBytes)
        } catch {
            return fail(DynatraceErrorResponse(error), endpoint: endpoint)
        }
        var batch = MetricBatch()
        let parser = DynatraceLineParser(options: ingestOptions())
        let parsed = body.withUnsafeReadableBytes { raw -> DynatraceIngestResult? in
            do throws(DynatraceLineError) {
                return try parser.parse(raw, into: &batch)
            } catch {
                return nil
            }
        }
        guard let result = parsed else {
            environment.selfMetrics.recordRequest(dialect: Self.dialect, endpoint: endpoint, status: 400)
            return Response.json(status: .badRequest, DynatraceValidationResponse.emptyRequest())
        }
        environment.selfMetrics.recordSamples(
            dialect: Self.dialect, endpoint: endpoint, accepted: result.samplesAccepted, rejected: result.linesInvalid)
        if let failure = await store(batch, metadata: result.metadata, org: principal.org) {
            return fail(failure, endpoint: endpoint)
        }
        if result.linesInvalid > 0 {
            environment.logger.info("dynatrace: invalid lines rejected", metadata: [
                "org": "\(principal.org)", "lines_invalid": "\(result.linesInvalid)",
                "first_error": "\(result.invalidLines.first?.message ?? "")",
            ])
        }
        let status: HTTPResponse.Status = result.linesInvalid > 0 ? .badRequest : .accepted
        environment.selfMetrics.recordRequest(dialect: Self.dialect, endpoint: endpoint, status: Int(status.code))
        return Response.json(status: status, DynatraceValidationResponse.render(result))
    }

    /// Appends the samples, then applies the metadata lines; nil on success.
    func store(_ batch: MetricBatch, metadata: [DynatraceMetricMetadata], org: OrgID) async -> DynatraceErrorResponse? {
        do {
            if !batch.isEmpty {
                try await environment.store.append(batch, org: org)
            }
            for entry in metadata {
                let update = MetricMetadata(
                    unit: entry.unit, description: entry.description, displayName: entry.displayName, dialect: Self.dialect)
                try await environment.store.updateMetricMetadata(org: org, metricName: entry.metricName, update)
            }
            return nil
        } catch let error as any ClassifiedError {
            return DynatraceErrorResponse(error)
        } catch {
            environment.logger.error("dynatrace: store failed", metadata: ["error": "\(error)"])
            return DynatraceErrorResponse(status: .internalServerError, message: "internal error")
        }
    }

    /// The parser options for one request: Dynatrace's limits, lowered to the server's where
    /// those are stricter, and the window around the server clock.
    func ingestOptions() -> DynatraceIngestOptions {
        let server = environment.limits
        var limits = DynatraceIngestLimits()
        limits.maxDimensions = max(0, min(limits.maxDimensions, server.maxLabelsPerSeries - 1))
        limits.maxDimensionKeyBytes = min(limits.maxDimensionKeyBytes, server.maxLabelNameBytes)
        limits.maxDimensionValueBytes = server.maxLabelValueBytes
        // Room for the longest suffix Basin adds (`.count.gauge`, `:count`).
        limits.maxMetricKeyBytes = max(1, min(limits.maxMetricKeyBytes, server.maxMetricNameBytes - 12))
        limits.maxMetadataValueBytes = MetricMetadata.maxFieldBytes
        return DynatraceIngestOptions(
            limits: limits, nowMillis: DialectEnvironment.nowMillis(), maxPastMillis: maxPastMillis, maxFutureMillis: maxFutureMillis)
    }
}
