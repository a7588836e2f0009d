import BasinHTTP
import BasinModel
import BasinWire
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import StorageAPI

/// Settings of the trace routes beyond the shared environment.
public struct SignalFxTraceRoutesOptions: Sendable {
    /// Decoding limits of the intake.
    public var limits = SignalFxTraceLimits()
    /// The dataset of each organisation spans are stored in; created on the first write.
    public var dataset = "traces"
    /// The window of a trace search when `lookback` is absent (Zipkin: one day).
    public var defaultLookbackMillis: Int64 = 86_400_000
    /// Longer `lookback`s are cut to this; also the window of `/services`, `/spans`, `/remoteServices`.
    public var maxLookbackMillis: Int64 = 7 * 86_400_000
    /// Larger search `limit`s are cut to this.
    public var maxTracesPerSearch = 1000
    /// Spans one read may return; over it the read answers `400` naming the limit.
    public var maxSpansPerQuery = 100_000
    /// Trace ids one `/traceMany` request may name.
    public var maxTraceIdsPerRequest = 100

    public init() {}
}

/// The SignalFx trace intake and a Zipkin v2 read API (`../shared/specs/signalfx.md` §5,
/// https://zipkin.io/zipkin-api/), see `docs/dialects/signalfx.md` (Traces).
///
/// Intake: `POST /v2/trace`, `/v2/trace/signalfxv1`, and the gateway's Zipkin paths
/// `/v1/trace`, `/api/v1/spans`, `/api/v2/spans` (also under `/zipkin`), Zipkin v1 or v2 JSON,
/// `X-SF-Token` (or `Authorization: Bearer`, basic auth password) of a token with the `ingest`
/// scope; `200` `"OK"`. Read: `GET /zipkin/api/v2/services`, `/spans`, `/remoteServices`,
/// `/traces`, `/trace/{traceId}`, `/traceMany`, with a `query` token as Bearer or basic auth
/// password (what Grafana's Zipkin data source sends).
public struct SignalFxTraceRoutes: Sendable {
    public let environment: DialectEnvironment
    public let records: any RecordStore
    public let options: SignalFxTraceRoutesOptions

    public init(environment: DialectEnvironment, records: any RecordStore, options: SignalFxTraceRoutesOptions = SignalFxTraceRoutesOptions()) {
        self.environment = environment
        self.records = records
        self.options = options
    }

    /// The paths the intake answers on.
    static let intakePaths = [
        "/v2/trace", "/v2/trace/signalfxv1", "/v1/trace", "/api/v1/spans", "/api/v2/spans",
        "/zipkin/api/v1/spans", "/zipkin/api/v2/spans",
    ]

    /// Adds the routes to `router`.
    public func register(on router: Router<BasinRequestContext>) {
        for path in Self.intakePaths {
            router.post(RouterPath(path)) { request, _ in await self.ingest(request, endpoint: path) }
        }
        // Other methods on SignalFx's own paths: 405 with the OTel receiver's text (§2.5). The
        // Zipkin paths are left alone: `GET /zipkin/api/v2/spans` is a read.
        for path in ["/v2/trace", "/v2/trace/signalfxv1", "/v1/trace"] {
            for method in [HTTPRequest.Method.get, .put, .delete, .patch] {
                router.on(RouterPath(path), method: method) { _, _ in
                    var response = Self.jsonString(.methodNotAllowed, "Only \"POST\" method is supported")
                    response.headers[.allow] = "POST"
                    return self.record(response, endpoint: path)
                }
            }
        }
        registerZipkinReads(on: router)
    }

    // MARK: Credentials

    /// The principal of a request holding `scope` (or `admin`), or the `401` to answer.
    ///
    /// The secret is read from `X-SF-Token` (header names are case-insensitive), then
    /// `Authorization: Bearer`, then a basic auth password.
    func authorize(_ request: Request, scope: TokenScopes) -> Result<Principal, SignalFxTraceRefusal> {
        guard let secret = Credentials.header(request, "X-SF-Token") ?? Credentials.bearer(request) ?? Credentials.basicPassword(request),
              let principal = environment.verify(secret: secret, dialect: SignalFx.dialect, request) else {
            return .failure(SignalFxTraceRefusal(status: .unauthorized, message: "Invalid token specified."))
        }
        guard principal.scopes.contains(scope) || principal.scopes.contains(.admin) else {
            return .failure(SignalFxTraceRefusal(status: .unauthorized, message: "the token lacks the \(scope.description) scope"))
        }
        return .success(principal)
    }

    /// Counts the response in self-monitoring and returns it.
    func record(_ response: Response, endpoint: String) -> Response {
        environment.selfMetrics.recordRequest(dialect: SignalFx.dialect, endpoint: endpoint, status: Int(response.status.code))
        return response
    }

    /// A body that is one JSON string (how SignalFx writes both `"OK"` and its errors).
    static func jsonString(_ status: HTTPResponse.Status, _ text: String) -> Response {
        var writer = BasinWire.JSONWriter(capacity: text.utf8.count + 8)
        writer.string(text)
        return Response.json(status: status, writer.buffer)
    }

    /// A plain-text body (how Zipkin's server writes its errors).
    static func text(_ status: HTTPResponse.Status, _ text: String) -> Response {
        Response(status: status, headers: [.contentType: "text/plain; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}

/// A refusal before any work: a status and a message.
struct SignalFxTraceRefusal: Error {
    var status: HTTPResponse.Status
    var message: String
}
