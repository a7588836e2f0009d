import BasinHTTP
import BasinModel
import BasinWire
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import StorageAPI

extension DatadogRoutes {
    /// `POST /api/v1/distribution_points` (JSON, `application/json` or `text/json`): stores the
    /// count/sum/min/max and bin series described on ``DatadogDistributionDecoder``, marks each
    /// metric's metadata `vendorType = "distribution"`, answers `202 {"status": "ok"}`.
    func submitDistributionPoints(_ request: Request) async -> Response {
        let endpoint = "/api/v1/distribution_points"
        let principal: Principal
        switch extrasIngestPrincipal(request, endpoint: endpoint) {
        case .success(let found): principal = found
        case .failure(let response): return response
        }
        if let unsupported = Self.unsupportedContentType(request, version: .v1) {
            return fail(DatadogErrorResponse(status: .unsupportedMediaType, messages: [
                "unsupported Content-Type \"\(unsupported)\"; send application/json or text/json",
            ]), endpoint: endpoint)
        }
        let body: ByteBuffer
        switch await extrasBody(request, endpoint: endpoint) {
        case .success(let read): body = read
        case .failure(let error): return fail(error, endpoint: endpoint)
        }
        var batch = MetricBatch()
        let result: DatadogIntakeResult
        do {
            result = try DatadogDistributionDecoder(options: intakeOptions(), limits: recordLimits).decode(body, into: &batch)
        } catch {
            return fail(DatadogErrorResponse(error), endpoint: endpoint)
        }
        return await storeDistributions(batch, result, org: principal.org, endpoint: endpoint, success: "{\"status\": \"ok\"}")
    }

    /// What both distribution intakes do with a decoded batch: count it, refuse a total
    /// rejection, store it, mark the metrics as distributions, answer `202` with `success`.
    func storeDistributions(
        _ batch: MetricBatch, _ result: DatadogIntakeResult, org: OrgID, endpoint: String, success: StaticString
    ) async -> Response {
        environment.selfMetrics.recordSamples(
            dialect: Self.dialect, endpoint: endpoint, accepted: result.accepted, rejected: result.rejected + result.dropped)
        if result.isTotalRejection {
            return fail(DatadogErrorResponse(status: .badRequest, messages: result.errors), endpoint: endpoint)
        }
        if !batch.isEmpty {
            do {
                try await environment.store.append(batch, org: org)
            } catch {
                return extrasStorageFailure(error, endpoint: endpoint)
            }
            await recordDistributionMetadata(of: batch, org: org)
        }
        return extrasRespond(.accepted, success, endpoint: endpoint)
    }

    /// Marks the metrics as distributions (and as Datadog's, when no dialect claimed them yet).
    /// The samples are durable already: a failure is logged, not answered.
    func recordDistributionMetadata(of batch: MetricBatch, org: OrgID) async {
        let names = Set((0..<batch.seriesCount).compactMap { batch.metricName(at: $0) })
        var updates: [String: MetricMetadata] = [:]
        for name in names {
            let current = (try? await environment.store.metricMetadata(org: org, metricName: name))?[name]
            var update = MetricMetadata()
            if current?.dialect == nil { update.dialect = Self.dialect }
            if current?.vendorType != "distribution" { update.vendorType = "distribution" }
            if update != MetricMetadata() { updates[name] = update }
        }
        guard !updates.isEmpty else { return }
        do {
            try await environment.store.updateMetricMetadata(org: org, updates)
        } catch {
            environment.logger.warning("datadog: distribution metadata not recorded", metadata: ["error": "\(error)"])
        }
    }
}
