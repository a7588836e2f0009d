import BasinHTTP
import BasinModel
import BasinWire
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import StorageAPI

extension DatadogRoutes {
    /// Agent routes Basin accepts without storing (`200 {}`), so a real Agent keeps running:
    /// the Agent retries 404s forever (spec §2.4, §2.6), so these must not fail. Inventories,
    /// host metadata, flares, and the process/container/network/APM intakes some Agents point
    /// at the same URL.
    static let agentAcceptedPaths = [
        "/api/v1/metadata", "/api/v2/host_metadata", "/support/flare",
        "/api/v1/collector", "/api/v1/container", "/api/v1/connections", "/api/v1/discovery",
        "/api/v1/orchestrator", "/api/v2/orch", "/api/v2/orchmanif", "/api/v2/proclcycle",
        "/api/v2/contimage", "/api/v2/contlcycle", "/api/v2/sbom",
        "/api/v0.2/traces", "/api/v0.2/stats",
    ]

    /// Newer intakes Basin does not decode: `400` with the reason, so the Agent drops the payload
    /// and logs why instead of retrying a 404 (spec §3.5, §9 item 6).
    static let agentUnsupportedPaths: [(path: String, message: String)] = [
        ("/api/intake/metrics/v3/series", "v3 intake not supported; set use_v3_api.series.enabled=false"),
    ]

    func registerAgentHousekeeping(on router: Router<BasinRequestContext>) {
        router.post("/intake") { request, _ in await self.agentIntake(request) }
        for path in Self.agentAcceptedPaths {
            router.post(RouterPath(path)) { request, _ in await self.agentAccepted(request, endpoint: path) }
        }
        router.head("/support/flare") { request, _ in await self.agentAccepted(request, endpoint: "/support/flare") }
        for path in Self.sketchPaths {
            router.post(RouterPath(path)) { request, _ in await self.submitSketches(request, endpoint: path) }
        }
        for (path, message) in Self.agentUnsupportedPaths {
            router.post(RouterPath(path)) { request, _ in
                switch self.extrasIngestPrincipal(request, endpoint: path) {
                case .failure(let response): return response
                case .success: break
                }
                _ = try? await request.body.collect(upTo: self.environment.limits.maxBodyBytes)
                return self.fail(DatadogErrorResponse(status: .badRequest, messages: [message]), endpoint: path)
            }
        }
    }

    /// Authenticates, drains the body (up to the limit) and answers `200 {}`.
    func agentAccepted(_ request: Request, endpoint: String) async -> Response {
        switch extrasIngestPrincipal(request, endpoint: endpoint) {
        case .failure(let response): return response
        case .success: break
        }
        _ = try? await request.body.collect(upTo: environment.limits.maxBodyBytes)
        return extrasRespond(.ok, "{}", endpoint: endpoint)
    }

    /// `POST /intake/`: the events of the payload go to `_events`; everything else (host
    /// metadata, host tags, gohai) is accepted and not stored. Always `200 {}` once
    /// authenticated — a payload Basin cannot read is logged, not refused, so the Agent keeps going.
    func agentIntake(_ request: Request) async -> Response {
        let endpoint = "/intake/"
        let principal: Principal, body: ByteBuffer
        switch await extrasIngestBody(request, endpoint: endpoint) {
        case .success(let found): (principal, body) = found
        case .failure(let response): return response
        }
        let events: [DatadogEvent]
        do {
            events = try DatadogAgentIntakeDecoder(limits: recordLimits).decodeEvents(body)
        } catch {
            environment.logger.info("datadog: /intake/ payload not read", metadata: ["error": "\(error.message)"])
            return extrasRespond(.ok, "{}", endpoint: endpoint)
        }
        if !events.isEmpty, let store = records {
            let now = DialectEnvironment.nowMillis()
            var generator = SystemRandomNumberGenerator()
            let stored = events.map { event -> Record in
                var event = event
                event.id = DatadogEventID.make(timeNanos: event.timeNanos(nowMillis: now), using: &generator)
                return event.record(nowMillis: now)
            }
            do {
                try await extrasAppend(stored, org: principal.org, dataset: ReservedDataset.events.rawValue, store: store)
            } catch {
                return extrasStorageFailure(error, endpoint: endpoint)
            }
        }
        return extrasRespond(.ok, "{}", endpoint: endpoint)
    }
}
