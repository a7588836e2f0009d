import BasinHTTP
import BasinModel
import BasinWire
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// The Dynatrace HTTP routes: metric ingestion (Metrics API v2 line protocol), data points
/// (`GET /api/v2/metrics/query`) and descriptors (`GET /api/v2/metrics`, `GET /api/v2/metrics/{metricKey}`).
///
/// Registers `POST /api/v2/metrics/ingest`, the three `GET` paths and their
/// Managed/ActiveGate forms under `/e/{environment}/…` (the environment id is accepted and
/// ignored: the token decides the organisation). Credentials are `Authorization: Api-Token <token>`
/// (scheme in any case: clients send `Api-Token`, `Api-token`, `api-token`) or the `api-token`
/// query parameter; the token is a Basin token with the `ingest` scope (ingest) or the `query` scope (reads, Dynatrace's
/// `metrics.read`). Line-level outcomes use
/// Dynatrace's `ValidationResponse`, everything else its `ErrorEnvelope`. See
/// `docs/dialects/dynatrace.md`.
public struct DynatraceRoutes: Sendable {
    /// What the routes use: store, tokens, limits, self-metrics, logger.
    public let environment: DialectEnvironment
    /// Lines older than this many milliseconds before receipt are invalid (Dynatrace: one hour).
    public var maxPastMillis: Int64
    /// Lines newer than this many milliseconds after receipt are invalid (Dynatrace: ten minutes).
    public var maxFutureMillis: Int64

    /// The self-metrics dialect name, also the `dialect` of stored metric metadata.
    static let dialect = "dynatrace"
    /// The self-metrics endpoint name of both ingest paths.
    static let ingestEndpoint = "/api/v2/metrics/ingest"

    /// Creates the routes.
    ///
    /// - Parameters:
    ///   - environment: the shared dialect environment; `limits.maxDynatraceBodyBytes` caps bodies.
    ///   - maxPastMillis: the accepted window's past edge (default Dynatrace's `3_600_000`).
    ///   - maxFutureMillis: the accepted window's future edge (default Dynatrace's `600_000`).
    public init(environment: DialectEnvironment, maxPastMillis: Int64 = 3_600_000, maxFutureMillis: Int64 = 600_000) {
        self.environment = environment
        self.maxPastMillis = maxPastMillis
        self.maxFutureMillis = maxFutureMillis
    }

    /// Adds the routes to `router`.
    public func register(on router: Router<BasinRequestContext>) {
        router.post("/api/v2/metrics/ingest") { request, _ in
            await self.ingest(request)
        }
        router.post("/e/:environment/api/v2/metrics/ingest") { request, _ in
            await self.ingest(request)
        }
        router.get("/api/v2/metrics/query") { request, _ in
            await self.query(request)
        }
        router.get("/e/:environment/api/v2/metrics/query") { request, _ in
            await self.query(request)
        }
        for prefix in ["", "/e/:environment"] {
            router.get("\(prefix)/api/v2/metrics") { request, _ in
                await self.listMetrics(request)
            }
            router.get("\(prefix)/api/v2/metrics/:metricKey") { request, context in
                await self.describeMetric(request, key: context.parameters.get("metricKey") ?? "")
            }
        }
    }

    /// Finds and checks the token: `Authorization: Api-Token …` first, then `?api-token=`.
    func authenticate(_ request: Request) -> Result<Principal, DynatraceErrorResponse> {
        guard let secret = Credentials.authorization(request, scheme: "Api-Token")
            ?? Credentials.queryParameter(request, "api-token") else {
            return .failure(.authenticationFailed)
        }
        guard let principal = environment.verify(secret: secret, dialect: Self.dialect, request) else {
            return .failure(.authenticationFailed)
        }
        return .success(principal)
    }

    /// Records and renders an error response.
    func fail(_ error: DynatraceErrorResponse, endpoint: String) -> Response {
        environment.selfMetrics.recordRequest(dialect: Self.dialect, endpoint: endpoint, status: Int(error.status.code))
        return error.response
    }

}
