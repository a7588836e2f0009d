import BasinHTTP
import BasinModel
import BasinWire
import HTTPTypes
import Hummingbird
import NIOCore
import QueryEngine
import StorageAPI

/// The Prometheus HTTP API under `/prometheus` (what Grafana's Prometheus data source calls).
///
/// Every endpoint answers GET and POST (form-encoded body); every response uses Prometheus'
/// envelope. Callers authenticate with a token holding the `query` scope, sent as
/// `Authorization: Bearer <token>` or as the basic-auth password.
public struct PrometheusRoutes: Sendable {
    let environment: DialectEnvironment

    public init(environment: DialectEnvironment) {
        self.environment = environment
    }

    /// The Prometheus version reported by `buildinfo` (Grafana picks features by it).
    public static let compatibleVersion = "2.53.0"

    /// Adds the routes to `router`.
    public func register(on router: Router<BasinRequestContext>) {
        let group = router.group("prometheus")
        let endpoints: [(String, String, @Sendable (PrometheusRoutes, PrometheusParameters, Principal, Request, BasinRequestContext) async throws -> ByteBuffer)] = [
            ("api/v1/query", "query", { r, p, a, _, _ in try await r.query(p, a) }),
            ("api/v1/query_range", "query_range", { r, p, a, _, _ in try await r.queryRange(p, a) }),
            ("api/v1/series", "series", { r, p, a, _, _ in try await r.series(p, a) }),
            ("api/v1/labels", "labels", { r, p, a, _, _ in try await r.labels(p, a) }),
            ("api/v1/label/:name/values", "label_values", { r, p, a, _, c in
                try await r.labelValues(c.parameters.get("name") ?? "", p, a)
            }),
            ("api/v1/metadata", "metadata", { r, p, a, _, _ in try await r.metadata(p, a) }),
            ("api/v1/status/buildinfo", "buildinfo", { _, _, _, _, _ in PrometheusRoutes.buildInfo() }),
        ]
        registerAdmin(on: group)
        for (path, name, body) in endpoints {
            group.get(RouterPath(path)) { request, context in
                await self.handle(name, request, context, body)
            }
            group.post(RouterPath(path)) { request, context in
                await self.handle(name, request, context, body)
            }
        }
    }

    /// Authenticates, collects parameters, runs the endpoint and renders any error as Prometheus does.
    func handle(
        _ endpoint: String, _ request: Request, _ context: BasinRequestContext,
        _ body: @Sendable (PrometheusRoutes, PrometheusParameters, Principal, Request, BasinRequestContext) async throws -> ByteBuffer
    ) async -> Response {
        var request = request
        do {
            let principal = try authenticate(request)
            let parameters = try await collectParameters(&request)
            let buffer = try await body(self, parameters, principal, request, context)
            environment.selfMetrics.recordRequest(dialect: "prometheus", endpoint: endpoint, status: 200)
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: buffer))
        } catch {
            let (status, type, message) = PrometheusRoutes.classify(error)
            environment.selfMetrics.recordRequest(dialect: "prometheus", endpoint: endpoint, status: Int(status.code))
            return Response(
                status: status, headers: [.contentType: "application/json"],
                body: .init(byteBuffer: PrometheusResponseWriter.renderError(type: type, message: message)))
        }
    }

    /// Status, `errorType` and message for any error, following Prometheus' `respondError`.
    static func classify(_ error: any Error) -> (HTTPResponse.Status, String, String) {
        if let error = error as? PromQLError {
            return (.badRequest, "bad_data", "invalid parameter \"query\": \(error.message)")
        }
        if let error = error as? any ClassifiedError {
            let status: HTTPResponse.Status = switch error.kind {
            case .badRequest: .badRequest
            case .unprocessable, .limitExceeded: .unprocessableContent
            case .timeout, .unavailable: .serviceUnavailable
            default: error.kind.defaultStatus
            }
            return (status, PrometheusAPIError.errorType(for: error.kind), error.message)
        }
        return (.internalServerError, "internal", "\(error)")
    }

    func authenticate(_ request: Request, scope: TokenScopes = .query) throws(PrometheusAPIError) -> Principal {
        guard let secret = Credentials.bearer(request) ?? Credentials.basicPassword(request) else {
            throw PrometheusAPIError(kind: .unauthorized, message: "missing credentials: send a query token as a Bearer token or basic-auth password")
        }
        guard let principal = environment.tokens.verify(secret: secret) else {
            throw PrometheusAPIError(kind: .unauthorized, message: "invalid credentials")
        }
        guard principal.scopes.contains(scope) else {
            throw PrometheusAPIError(kind: .forbidden, message: "token lacks the \(scope == .admin ? "admin" : "query") scope")
        }
        return principal
    }

    func collectParameters(_ request: inout Request) async throws -> PrometheusParameters {
        var form: [UInt8]?
        if request.method == .post,
           let type = request.headers[.contentType]?.lowercased(), type.hasPrefix("application/x-www-form-urlencoded") {
            var buffer = try await BodyReader.read(request, limits: environment.limits, maxBytes: min(environment.limits.maxBodyBytes, 1 << 20))
            form = buffer.readBytes(length: buffer.readableBytes) ?? []
        }
        return try PrometheusParameters(queryString: request.uri.query, formBody: form)
    }
}
