import BasinHTTP
import BasinModel
import BasinWire
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import StorageAPI

/// The Datadog HTTP routes: metric intake and key validation.
///
/// Registers `POST /api/v1/series`, `POST /api/v2/series` (JSON) and `GET`/`HEAD /api/v1/validate`. Credentials are the
/// `DD-API-KEY` header or the `api_key` query parameter (the Agent validates with
/// `GET /api/v1/validate?api_key=…` and no header). Every response, errors included, is JSON;
/// errors use Datadog's `{"errors": [...]}` envelope. See `docs/dialects/datadog.md`.
public struct DatadogRoutes: Sendable {
    /// What the routes use: store, tokens, limits, self-metrics, logger.
    public let environment: DialectEnvironment
    /// Points older than this many milliseconds before receipt are dropped; nil (the default) keeps them.
    public var maxPastMillis: Int64?
    /// Points newer than this many milliseconds after receipt are dropped; nil (the default) keeps them.
    public var maxFutureMillis: Int64?
    /// Where events, service checks and logs go (`_events`, `_service_checks`, `logs`); nil
    /// leaves those routes answering `503`.
    public var records: (any RecordStore)?
    /// The read endpoints' per-organisation limits (`X-RateLimit-*`, `429`); Datadog's by default.
    public var queryRateLimits = DatadogQueryRateLimits()

    /// The self-metrics dialect name.
    static let dialect = "datadog"

    /// Creates the routes.
    ///
    /// - Parameters:
    ///   - environment: the shared dialect environment.
    ///   - maxPastMillis: Datadog's one-hour window is `3_600_000`; nil accepts backfills of any age.
    ///   - maxFutureMillis: Datadog's window is `600_000`; nil accepts any future timestamp.
    ///   - records: the record store for events, service checks and logs.
    public init(environment: DialectEnvironment, records: (any RecordStore)? = nil, maxPastMillis: Int64? = nil, maxFutureMillis: Int64? = nil) {
        self.environment = environment
        self.records = records
        self.maxPastMillis = maxPastMillis
        self.maxFutureMillis = maxFutureMillis
    }

    /// Adds the routes to `router`.
    public func register(on router: Router<BasinRequestContext>) {
        router.post("/api/v1/series") { request, _ in
            await self.submitSeriesV1(request)
        }
        router.post("/api/v2/series") { request, _ in
            await self.submitSeriesV2(request)
        }
        router.get("/api/v1/validate") { request, _ in
            self.validate(request)
        }
        router.head("/api/v1/validate") { request, _ in
            self.validate(request)
        }
        registerIntakeExtras(on: router)
        registerQueries(on: router, rateLimits: queryRateLimits)
    }

    // MARK: Validate

    /// `GET /api/v1/validate`: `200 {"valid": true}` for any live key, `403` otherwise.
    func validate(_ request: Request) -> Response {
        let endpoint = "/api/v1/validate"
        switch authenticate(request) {
        case .success:
            environment.selfMetrics.recordRequest(dialect: Self.dialect, endpoint: endpoint, status: 200)
            var writer = JSONWriter(capacity: 16)
            writer.raw("{\"valid\": true}")
            return Response.json(status: .ok, writer.buffer)
        case .failure(let error):
            return fail(error, endpoint: endpoint)
        }
    }

    // MARK: Shared

    /// Finds and checks the API key: `DD-API-KEY` header first, then the `api_key` query parameter.
    func authenticate(_ request: Request) -> Result<Principal, DatadogErrorResponse> {
        guard let secret = Credentials.header(request, "DD-API-KEY") ?? Credentials.queryParameter(request, "api_key") else {
            return .failure(.keyRequired)
        }
        guard let principal = environment.verify(secret: secret, dialect: Self.dialect, request) else {
            return .failure(.forbidden)
        }
        return .success(principal)
    }

    /// Records and renders an error response.
    func fail(_ error: DatadogErrorResponse, endpoint: String) -> Response {
        environment.selfMetrics.recordRequest(dialect: Self.dialect, endpoint: endpoint, status: Int(error.status.code))
        return error.response
    }

}
