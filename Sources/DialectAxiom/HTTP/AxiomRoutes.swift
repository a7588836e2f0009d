import BasinHTTP
import BasinModel
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import StorageAPI

/// The Axiom HTTP routes: ingest and the datasets API (spec `axiom.md` §4–§6). APL query
/// routes (`/v1/datasets/_apl`, `/v1/query/_apl`) are registered elsewhere.
///
/// Registers:
/// - `POST /v1/datasets/{ds}/ingest` and `POST /v1/ingest/{ds}` (edge): JSON, NDJSON, CSV;
///   `Content-Encoding` gzip, deflate or identity (absent, empty, `identity`, or axiom-py's `1`);
///   answer `IngestStatus`;
/// - `GET|POST /v2/datasets`, `GET|PUT|DELETE /v2/datasets/{id}`, `POST /v2/datasets/{id}/trim`,
///   `GET /v2/datasets/{id}/fields`, and the v1 forms under `/v1/datasets` (axiom-py);
/// - `GET /v2/user` and `GET /v1/user` (token validation).
///
/// Credentials: `Authorization: Bearer <token>` with a Basin token (`X-Axiom-Org-Id` is
/// accepted and ignored: the token decides the organisation). Capabilities: ingest needs the
/// `ingest` scope; reading datasets and fields `query` (an ingest-only token gets `403`, as
/// Axiom's do); creating a dataset `ingest` or `admin` (clients create the dataset they
/// ingest into with their ingest token); updating, deleting and trimming `admin`. Errors are
/// `{"code":…,"message":…}` with `Content-Type: application/json`; every response carries an
/// `X-Axiom-Trace-Id`.
public struct AxiomRoutes: Sendable {
    public let environment: DialectEnvironment
    public let records: any RecordStore
    public let options: AxiomRoutesOptions

    /// The self-metrics dialect name.
    static let dialect = "axiom"

    /// Creates the routes.
    ///
    /// - Parameters:
    ///   - environment: tokens, limits, self-metrics and logger.
    ///   - records: where events and datasets live.
    ///   - options: see ``AxiomRoutesOptions`` (default: no dataset creation on ingest).
    public init(environment: DialectEnvironment, records: any RecordStore, options: AxiomRoutesOptions = AxiomRoutesOptions()) {
        self.environment = environment
        self.records = records
        self.options = options
    }

    /// Adds the routes to `router`.
    public func register(on router: Router<BasinRequestContext>) {
        router.post("/v1/datasets/:dataset/ingest") { request, context in
            await self.ingest(request, dataset: context.parameters.get("dataset") ?? "")
        }
        router.post("/v1/ingest/:dataset") { request, context in
            await self.ingest(request, dataset: context.parameters.get("dataset") ?? "")
        }
        for version in [AxiomAPIVersion.v1, .v2] {
            let base = "/\(version.rawValue)/datasets"
            router.get(RouterPath(base)) { request, _ in
                await self.listDatasets(request, version: version)
            }
            router.post(RouterPath(base)) { request, _ in
                await self.createDataset(request, version: version)
            }
            router.get(RouterPath(base + "/:dataset")) { request, context in
                await self.getDataset(request, name: context.parameters.get("dataset") ?? "", version: version)
            }
            router.put(RouterPath(base + "/:dataset")) { request, context in
                await self.updateDataset(request, name: context.parameters.get("dataset") ?? "", version: version)
            }
            router.delete(RouterPath(base + "/:dataset")) { request, context in
                await self.deleteDataset(request, name: context.parameters.get("dataset") ?? "")
            }
            router.post(RouterPath(base + "/:dataset/trim")) { request, context in
                await self.trimDataset(request, name: context.parameters.get("dataset") ?? "", version: version)
            }
            router.get(RouterPath(base + "/:dataset/fields")) { request, context in
                await self.listFields(request, name: context.parameters.get("dataset") ?? "")
            }
            router.get(RouterPath("/\(version.rawValue)/user")) { request, _ in
                await self.currentUser(request)
            }
        }
    }

    // MARK: Authentication

    /// The principal of the request's bearer token, when it has one of `scopes`.
    func authorize(_ request: Request, anyOf scopes: TokenScopes, to what: String) -> Result<Principal, AxiomErrorResponse> {
        guard let secret = Credentials.bearer(request),
              let principal = environment.verify(secret: secret, dialect: Self.dialect, request) else {
            return .failure(.unauthenticated)
        }
        guard !principal.scopes.isDisjoint(with: scopes) else {
            return .failure(.forbidden(what))
        }
        return .success(principal)
    }

    // MARK: Responses

    /// A JSON success response, counted.
    func ok(_ body: ByteBuffer, status: HTTPResponse.Status = .ok, endpoint: String) -> Response {
        environment.selfMetrics.recordRequest(dialect: Self.dialect, endpoint: endpoint, status: Int(status.code))
        return Self.traced(Response.json(status: status, body))
    }

    /// An empty `204`, counted.
    func noContent(endpoint: String) -> Response {
        environment.selfMetrics.recordRequest(dialect: Self.dialect, endpoint: endpoint, status: 204)
        return Self.traced(Response(status: .noContent))
    }

    /// An error response, counted.
    func fail(_ error: AxiomErrorResponse, endpoint: String) -> Response {
        environment.selfMetrics.recordRequest(dialect: Self.dialect, endpoint: endpoint, status: Int(error.status.code))
        return Self.traced(error.response)
    }

    static let traceIDHeader = HTTPField.Name("X-Axiom-Trace-Id")!

    /// The response with a fresh `X-Axiom-Trace-Id` (GO and PY surface it in errors).
    static func traced(_ response: Response) -> Response {
        var response = response
        let id = UInt64.random(in: .min ... .max)
        let hex = String(id, radix: 16)
        response.headers[traceIDHeader] = String(repeating: "0", count: 16 - hex.count) + hex
        return response
    }

    /// Maps a store failure; unclassified errors are logged and answered `500`.
    func storeFailure(_ error: any Error, operation: String) -> AxiomErrorResponse {
        if let classified = error as? any ClassifiedError {
            if classified.kind == .notFound { return .datasetNotFound }
            if classified.kind != .internalError { return AxiomErrorResponse(classified) }
        }
        environment.logger.error("axiom: \(operation) failed", metadata: ["error": "\(error)"])
        return AxiomErrorResponse(status: .internalServerError, message: "internal error")
    }

    // MARK: Query parameters

    /// The query parameters, form-decoded (`+` is a space, as axiom-py's `requests` encodes
    /// `timestamp-format=2006-01-02+15%3A04%3A05`); the first value of a repeated name wins.
    static func queryParameters(_ request: Request) -> [String: String] {
        var out: [String: String] = [:]
        for (name, value) in FormQuery.parameters(request) where out[name] == nil { out[name] = value }
        return out
    }
}

/// The two generations of the datasets API: v1 (axiom-py) and v2 (axiom-go, axiom-js).
enum AxiomAPIVersion: String, Sendable {
    case v1, v2
}
