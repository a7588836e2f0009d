import BasinHTTP
import BasinModel
import BasinWire
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import StorageAPI

/// A value, or the response that refuses the request (`Result` needs an `Error` failure).
enum DatadogRouteOutcome<Value> {
    case success(Value)
    case failure(Response)
}

/// The Datadog intakes beyond metric series: service checks, events (post, list, get),
/// distribution points, logs and the Agent's housekeeping routes. See `docs/dialects/datadog.md`.
extension DatadogRoutes {
    /// Adds the routes to `router`.
    public func registerIntakeExtras(on router: Router<BasinRequestContext>) {
        router.post("/api/v1/check_run") { request, _ in await self.submitServiceChecks(request) }
        router.post("/api/v1/events") { request, _ in await self.postEvent(request) }
        router.get("/api/v1/events") { request, _ in await self.listEvents(request) }
        router.get("/api/v1/events/:event_id") { request, context in
            await self.getEvent(request, id: context.parameters.get("event_id") ?? "")
        }
        router.post("/api/v1/distribution_points") { request, _ in await self.submitDistributionPoints(request) }
        router.post("/api/v2/logs") { request, _ in await self.submitLogs(request, legacy: false, pathKey: nil) }
        router.post("/v1/input") { request, _ in await self.submitLogs(request, legacy: true, pathKey: nil) }
        router.post("/v1/input/:api_key") { request, context in
            await self.submitLogs(request, legacy: true, pathKey: context.parameters.get("api_key"))
        }
        registerAgentHousekeeping(on: router)
    }

    /// The record-intake limits, from the server's label limits.
    var recordLimits: DatadogRecordLimits {
        var limits = DatadogRecordLimits()
        limits.maxTags = environment.limits.maxLabelsPerSeries
        limits.maxTagBytes = environment.limits.maxLabelNameBytes + 1 + environment.limits.maxLabelValueBytes
        limits.maxFieldBytes = environment.limits.maxLabelValueBytes
        return limits
    }

    // MARK: Shared

    /// An authenticated principal with the ingest scope, or the refusal.
    func extrasIngestPrincipal(_ request: Request, endpoint: String) -> DatadogRouteOutcome<Principal> {
        switch authenticate(request) {
        case .failure(let error): return .failure(fail(error, endpoint: endpoint))
        case .success(let principal):
            guard principal.scopes.contains(.ingest) else { return .failure(fail(.forbidden, endpoint: endpoint)) }
            return .success(principal)
        }
    }

    /// An ingest principal and the request body after decompression, or the refusal: the
    /// prelude of every record intake.
    func extrasIngestBody(_ request: Request, endpoint: String) async -> DatadogRouteOutcome<(Principal, ByteBuffer)> {
        let principal: Principal
        switch extrasIngestPrincipal(request, endpoint: endpoint) {
        case .success(let found): principal = found
        case .failure(let response): return .failure(response)
        }
        switch await extrasBody(request, endpoint: endpoint) {
        case .success(let body): return .success((principal, body))
        case .failure(let error): return .failure(fail(error, endpoint: endpoint))
        }
    }

    /// A principal allowed to read: the application key (`DD-APPLICATION-KEY` or
    /// `application_key`) when it is a Basin token with the query scope, else the API key when it
    /// has that scope. datadogpy sends both keys on every call; Basin reads the API key as the
    /// token, so one token with ingest and query scopes serves both.
    func extrasReadPrincipal(_ request: Request, endpoint: String) -> DatadogRouteOutcome<Principal> {
        let appKey = Credentials.header(request, "DD-APPLICATION-KEY") ?? Credentials.queryParameter(request, "application_key")
        if let appKey, let principal = environment.verify(secret: appKey, dialect: Self.dialect, request), principal.scopes.contains(.query) {
            return .success(principal)
        }
        switch authenticate(request) {
        case .failure(let error): return .failure(fail(error, endpoint: endpoint))
        case .success(let principal):
            guard principal.scopes.contains(.query) else { return .failure(fail(.forbidden, endpoint: endpoint)) }
            return .success(principal)
        }
    }

    /// The request body after decompression, or the error response (`413` over a size limit).
    func extrasBody(_ request: Request, endpoint: String, maxDecompressedBytes: Int? = nil) async -> Result<ByteBuffer, DatadogErrorResponse> {
        var limits = environment.limits
        if let maxDecompressedBytes { limits.maxDecompressedBytes = min(limits.maxDecompressedBytes, maxDecompressedBytes) }
        do {
            return .success(try await BodyReader.read(request, limits: limits))
        } catch {
            return .failure(DatadogErrorResponse(error))
        }
    }

    /// The record store, or `503` when the routes were built without one.
    func extrasRecordStore(endpoint: String) -> DatadogRouteOutcome<any RecordStore> {
        guard let records else {
            return .failure(fail(DatadogErrorResponse(status: .serviceUnavailable, messages: ["record storage is not configured"]), endpoint: endpoint))
        }
        return .success(records)
    }

    /// Appends records; with `createDataset`, a missing dataset is created (a concurrent
    /// creation's `conflict` is ignored) and the append retried once.
    func extrasAppend(_ batch: [Record], org: OrgID, dataset: String, store: any RecordStore, createDataset: String? = nil) async throws {
        do {
            try await store.appendRecords(batch, org: org, dataset: dataset)
        } catch let error as StorageError where error.kind == .notFound && createDataset != nil {
            do {
                _ = try await store.createDataset(org: org, DatasetSpec(name: dataset, description: createDataset ?? ""))
            } catch let error as StorageError where error.kind == .conflict {
                // Created by a concurrent request.
            }
            try await store.appendRecords(batch, org: org, dataset: dataset)
        }
    }

    /// Maps a storage failure to Datadog's envelope (`503` with `Retry-After` for a full disk).
    func extrasStorageFailure(_ error: any Error, endpoint: String) -> Response {
        if let classified = error as? any ClassifiedError {
            return fail(DatadogErrorResponse(classified), endpoint: endpoint)
        }
        environment.logger.error("datadog: record storage failed", metadata: ["endpoint": "\(endpoint)", "error": "\(error)"])
        return fail(DatadogErrorResponse(status: .internalServerError, messages: ["internal error"]), endpoint: endpoint)
    }

    /// Records the request and answers with a fixed JSON body.
    func extrasRespond(_ status: HTTPResponse.Status, _ body: StaticString, endpoint: String) -> Response {
        environment.selfMetrics.recordRequest(dialect: Self.dialect, endpoint: endpoint, status: Int(status.code))
        var writer = JSONWriter(capacity: 24)
        writer.raw(body)
        return Response.json(status: status, writer.buffer)
    }

    /// Records the request and answers with a rendered JSON body.
    func extrasRespond(_ status: HTTPResponse.Status, _ body: ByteBuffer, endpoint: String) -> Response {
        environment.selfMetrics.recordRequest(dialect: Self.dialect, endpoint: endpoint, status: Int(status.code))
        return Response.json(status: status, body)
    }

    // MARK: Service checks

    /// `POST /api/v1/check_run`: an array (or datadogpy's single object) of checks into
    /// `_service_checks`; `202 {"status": "ok"}`.
    func submitServiceChecks(_ request: Request) async -> Response {
        let endpoint = "/api/v1/check_run"
        let principal: Principal, body: ByteBuffer
        switch await extrasIngestBody(request, endpoint: endpoint) {
        case .success(let found): (principal, body) = found
        case .failure(let response): return response
        }
        let checks: [DatadogServiceCheck]
        do {
            checks = try DatadogServiceCheckDecoder(limits: recordLimits).decode(body)
        } catch {
            return fail(DatadogErrorResponse(error), endpoint: endpoint)
        }
        if !checks.isEmpty {
            let store: any RecordStore
            switch extrasRecordStore(endpoint: endpoint) {
            case .success(let found): store = found
            case .failure(let response): return response
            }
            let now = DialectEnvironment.nowMillis()
            do {
                try await extrasAppend(checks.map { $0.record(nowMillis: now) }, org: principal.org,
                                       dataset: ReservedDataset.serviceChecks.rawValue, store: store)
            } catch {
                return extrasStorageFailure(error, endpoint: endpoint)
            }
        }
        environment.selfMetrics.recordSamples(dialect: Self.dialect, endpoint: endpoint, accepted: checks.count, rejected: 0)
        return extrasRespond(.accepted, "{\"status\": \"ok\"}", endpoint: endpoint)
    }
}
