import BasinHTTP
import BasinModel
import BasinWire
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import StorageAPI

/// Settings of the Blueflood routes beyond the shared environment.
public struct BluefloodRoutesOptions: Sendable {
    /// Largest body after decompression (Blueflood's `HTTP_MAX_CONTENT_LENGTH`, 1 MiB); over it `413`.
    public var maxBodyBytes: Int = Blueflood.maxBodyBytes
    /// How far back an ingested time may lie (Blueflood: 3 days).
    public var maxPastMillis: Int64 = Blueflood.maxPastMillis
    /// How far ahead an ingested time may lie (Blueflood: 10 minutes).
    public var maxFutureMillis: Int64 = Blueflood.maxFutureMillis

    public init() {}
}

/// The Rackspace Metrics / Blueflood HTTP routes (`../shared/specs/blueflood.md`), both of
/// Blueflood's listeners on Basin's one port, every path under `/v2.0/{tenantId}`.
///
/// Ingest: `POST /ingest`, `/ingest/multi`, `/ingest/aggregated`, `/ingest/aggregated/multi`,
/// `/events`. Read: `GET /views/{metricName}`, `POST /views`, `GET /events/getEvents` (and the
/// Grafana plug-in's older `/events/get_data`), `GET /metrics/search`, `GET /metric_name/search`,
/// `OPTIONS` on the read routes (`204`), the `GET /v2.0` / `GET /v1.0` probes, Repose's
/// `GET /limits`, and Blueflood's legacy `/v1.0/…/experimental/…` aliases of ingest and views.
///
/// A tenant is a Basin organisation. `X-Auth-Token` carries a Basin token that must belong to
/// the tenant in the path, and to every tenant a multi-tenant or aggregated body writes to;
/// a token with the `admin` scope may act for any tenant (Rackspace's service accounts).
/// Anything else is `401` with nothing stored. Before routing, as Blueflood does, a `POST`
/// whose `Content-Type` does not contain `application/json` and any request whose `Accept`
/// names neither JSON nor `*/*` get `415`. See `docs/dialects/blueflood.md`.
public struct BluefloodRoutes: Sendable {
    public let environment: DialectEnvironment
    public let records: any RecordStore
    public let options: BluefloodRoutesOptions
    /// What this process last wrote as each basic metric's TTL and unit, so an unchanged name
    /// costs no metadata write.
    let metadataCache: BluefloodMetadataCache

    public init(environment: DialectEnvironment, records: any RecordStore, options: BluefloodRoutesOptions = BluefloodRoutesOptions()) {
        self.environment = environment
        self.records = records
        self.options = options
        self.metadataCache = BluefloodMetadataCache()
    }

    /// A route: its path under `/v2.0/:tenantId`, the methods it answers, and the handler.
    typealias Handler = @Sendable (Request, String, BasinRequestContext) async -> Response

    /// Adds the routes to `router`.
    public func register(on router: Router<BasinRequestContext>) {
        let ingest: Handler = { request, tenant, _ in await self.ingestMetrics(request, tenant: tenant, multiTenant: false) }
        let ingestMulti: Handler = { request, tenant, _ in await self.ingestMetrics(request, tenant: tenant, multiTenant: true) }
        let aggregated: Handler = { request, tenant, _ in await self.ingestAggregated(request, tenant: tenant, multi: false) }
        let ingestRoutes: [(String, Handler)] = [
            ("ingest", ingest),
            ("ingest/multi", ingestMulti),
            ("ingest/aggregated", aggregated),
            ("ingest/aggregated/multi", { request, tenant, _ in await self.ingestAggregated(request, tenant: tenant, multi: true) }),
            ("events", { request, tenant, _ in await self.ingestEvent(request, tenant: tenant) }),
        ]
        for (path, handler) in ingestRoutes {
            add(router, "/v2.0/:tenantId/" + path, methods: [.post: handler], listener: .ingest)
        }
        let getEvents: Handler = { request, tenant, _ in await self.getEvents(request, tenant: tenant) }
        let view: Handler = { request, tenant, context in
            let raw = context.parameters.get("metricName") ?? ""
            return await self.view(request, tenant: tenant, metricName: raw.removingPercentEncoding ?? raw)
        }
        let batchView: Handler = { request, tenant, _ in await self.batchView(request, tenant: tenant) }
        add(router, "/v2.0/:tenantId/events/getEvents", methods: [.get: getEvents], listener: .query)
        add(router, "/v2.0/:tenantId/events/get_data", methods: [.get: getEvents], listener: .query)
        add(router, "/v2.0/:tenantId/views/:metricName", methods: [.get: view], listener: .query)
        add(router, "/v2.0/:tenantId/views", methods: [.post: batchView], listener: .query)
        add(router, "/v2.0/:tenantId/metrics/search", methods: [.get: { request, tenant, _ in await self.searchMetrics(request, tenant: tenant) }], listener: .query)
        add(router, "/v2.0/:tenantId/metric_name/search", methods: [.get: { request, tenant, _ in await self.searchNames(request, tenant: tenant) }], listener: .query)
        add(router, "/v2.0/:tenantId/limits", methods: [.get: { request, tenant, _ in await self.limits(request, tenant: tenant) }], listener: .query)
        // Blueflood's legacy paths, served by the same handlers (spec §2).
        add(router, "/v1.0/:tenantId/experimental/metrics", methods: [.post: ingest], listener: .ingest)
        add(router, "/v1.0/multitenant/experimental/metrics", methods: [.post: ingestMulti], listener: .ingest)
        add(router, "/v1.0/:tenantId/experimental/metrics/statsd", methods: [.post: aggregated], listener: .ingest)
        add(router, "/v1.0/:tenantId/experimental/views/metric_data/:metricName", methods: [.get: view], listener: .query)
        add(router, "/v1.0/:tenantId/experimental/views/metric_data", methods: [.post: batchView], listener: .query)
        for version in ["/v2.0", "/v1.0"] {
            router.get(RouterPath(version)) { request, _ in
                if let refusal = Self.mediaTypeRefusal(request, tenant: "") { return refusal }
                return Response(status: .ok)
            }
        }
    }

    /// Which of Blueflood's two listeners a route belongs to: it decides which methods answer
    /// `405` (registered on that listener) and which `501` (not registered at all).
    enum Listener {
        case ingest, query

        var registered: [HTTPRequest.Method] {
            switch self {
            case .ingest: [.get, .post]
            case .query: [.get, .post, .options]
            }
        }
    }

    /// Registers one path: its handlers, `OPTIONS` (`204`) on the read listener, `405` with
    /// `Allow` for the listener's other methods and `501` for methods no listener has. The tenant
    /// is the path's `:tenantId` (empty on the multi-tenant path, whose body names the tenants).
    private func add(_ router: Router<BasinRequestContext>, _ path: String, methods: [HTTPRequest.Method: Handler], listener: Listener) {
        let full = RouterPath(path)
        var allowed = Array(methods.keys)
        if listener == .query { allowed.append(.options) }
        let allow = allowed.map(\.rawValue).sorted().joined(separator: ",")
        for method in [HTTPRequest.Method.get, .post, .put, .delete, .patch, .options, .head] {
            router.on(full, method: method) { request, context in
                let tenant = context.parameters.get("tenantId") ?? ""
                if let refusal = Self.mediaTypeRefusal(request, tenant: tenant) { return refusal }
                if let handler = methods[method] { return await handler(request, tenant, context) }
                if method == .options, listener == .query { return Response(status: .noContent) }
                if listener.registered.contains(method) {
                    return Response(status: .methodNotAllowed, headers: [.allow: allow])
                }
                return Response(status: .notImplemented)
            }
        }
    }

    // MARK: Pre-checks and credentials

    /// Blueflood's media-type checks, made before routing (§1.1): nil when the request passes.
    static func mediaTypeRefusal(_ request: Request, tenant: String) -> Response? {
        if request.method == .post, let contentType = request.headers[.contentType], !contentType.isEmpty,
           !contentType.lowercased().contains("application/json") {
            return errorResponse(.unsupportedMediaType, [.generic(tenantId: tenant, "Unsupported media type for Content-Type: \(contentType)")])
        }
        if let accept = request.headers[.accept], !accept.isEmpty, !accept.contains("*/*"),
           !accept.lowercased().contains("application/json") {
            return errorResponse(.unsupportedMediaType, [.generic(tenantId: tenant, "Unsupported media type for Accept: \(accept)")])
        }
        return nil
    }

    /// Why a request may not act for `tenants` with `scope`; nil when it may.
    ///
    /// The answer is Repose's: `401` with Blueflood's error body naming the problem.
    func authorize(_ request: Request, tenants: [String], pathTenant: String, scope: TokenScopes) -> (Principal?, Response?) {
        guard let secret = Credentials.header(request, "X-Auth-Token") else {
            return (nil, Self.errorResponse(.unauthorized, [.generic(tenantId: pathTenant, "Unauthorized: an X-Auth-Token header is required")]))
        }
        guard let principal = environment.verify(secret: secret, dialect: Blueflood.dialect, request) else {
            return (nil, Self.errorResponse(.unauthorized, [.generic(tenantId: pathTenant, "Unauthorized: the X-Auth-Token is not valid")]))
        }
        guard principal.scopes.contains(scope) || principal.scopes.contains(.admin) else {
            return (nil, Self.errorResponse(.unauthorized, [.generic(
                tenantId: pathTenant, "Unauthorized: the X-Auth-Token lacks the \(scope == .ingest ? "ingest" : "query") scope")]))
        }
        if !principal.scopes.contains(.admin) {
            for tenant in tenants where tenant != principal.org.name {
                return (nil, Self.errorResponse(.unauthorized, [.generic(
                    tenantId: tenant, "Unauthorized: the X-Auth-Token does not belong to tenant \(tenant)")]))
            }
        }
        return (principal, nil)
    }

    // MARK: Responses

    /// Blueflood's error list with `status`.
    static func errorResponse(_ status: HTTPResponse.Status, _ entries: [BluefloodErrorEntry]) -> Response {
        Response.json(status: status, BluefloodErrorBody.render(entries))
    }

    /// A plain-text body (the two places Blueflood answers with raw text, §1.4).
    static func textResponse(_ status: HTTPResponse.Status, _ text: String) -> Response {
        Response(status: status, headers: [.contentType: "text/plain; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    /// The response for a failure of the store, with `Retry-After` where it names a delay.
    func storageFailure(_ error: any Error, tenant: String, message: String, endpoint: String) -> Response {
        let status: HTTPResponse.Status
        let text: String
        if let classified = error as? any ClassifiedError {
            switch classified.kind {
            case .unavailable, .timeout: (status, text) = (.serviceUnavailable, "\(message): \(classified.message)")
            case .limitExceeded, .badRequest: (status, text) = (.badRequest, classified.message)
            default: (status, text) = (.internalServerError, message)
            }
        } else {
            (status, text) = (.internalServerError, message)
        }
        if status == .internalServerError {
            environment.logger.error("blueflood: \(message)", metadata: ["error": "\(error)", "tenant": "\(tenant)"])
        }
        return record(Self.errorResponse(status, [.generic(tenantId: tenant, text)]).addingRetryAfter(for: error), endpoint: endpoint)
    }

    /// Counts the response in self-monitoring and returns it.
    func record(_ response: Response, endpoint: String) -> Response {
        environment.selfMetrics.recordRequest(dialect: Blueflood.dialect, endpoint: endpoint, status: Int(response.status.code))
        return response
    }

    /// Reads the body: at most ``BluefloodRoutesOptions/maxBodyBytes`` after decompression.
    func readBody(_ request: Request) async throws(BodyError) -> ByteBuffer {
        var limits = environment.limits
        limits.maxDecompressedBytes = min(limits.maxDecompressedBytes, options.maxBodyBytes)
        return try await BodyReader.read(request, limits: limits, maxBytes: max(options.maxBodyBytes, min(limits.maxBodyBytes, options.maxBodyBytes)))
    }

    /// The response for a body that could not be read: `413` (empty, as Netty's aggregator
    /// answers) over the limit, else `400` naming the problem.
    func bodyFailure(_ error: BodyError, tenant: String, endpoint: String) -> Response {
        switch error.kind {
        case .payloadTooLarge:
            return record(Self.errorResponse(.contentTooLarge, [.generic(tenantId: tenant, error.message)]), endpoint: endpoint)
        default:
            return record(Self.errorResponse(.badRequest, [.generic(tenantId: tenant, error.message)]), endpoint: endpoint)
        }
    }
}
