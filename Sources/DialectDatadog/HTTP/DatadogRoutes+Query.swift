import BasinHTTP
import BasinModel
import BasinWire
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import QueryEngine
import StorageAPI

extension DatadogRoutes {
    /// Adds the metric read routes: `GET /api/v1/query`, `GET /api/v1/metrics`,
    /// `GET`/`PUT /api/v1/metrics/{metric_name}` and `GET /api/v1/search`.
    ///
    /// They need the API key and an application key (`DD-APPLICATION-KEY` or
    /// `application_key`); the API key's token, or the application key's when it is a token
    /// of the same organisation, must have the query scope. Every response after
    /// authentication carries `X-RateLimit-*` headers; over a limit the answer is `429`.
    public func registerQueries(
        on router: Router<BasinRequestContext>, rateLimits: DatadogQueryRateLimits = DatadogQueryRateLimits(),
        limiter: DatadogRateLimiter = DatadogRateLimiter()
    ) {
        router.get("/api/v1/query") { request, _ in
            await self.read(request, endpoint: "/api/v1/query", limit: rateLimits.query, limiter: limiter) { principal in
                try await self.query(request, org: principal.org)
            }
        }
        router.get("/api/v1/metrics") { request, _ in
            await self.read(request, endpoint: "/api/v1/metrics", limit: rateLimits.metricsList, limiter: limiter) { principal in
                try await self.activeMetrics(request, org: principal.org)
            }
        }
        router.get("/api/v1/metrics/:metric_name") { request, context in
            let name = context.parameters.get("metric_name") ?? ""
            return await self.read(request, endpoint: "/api/v1/metrics/{metric_name}", limit: rateLimits.metricsMetadata, limiter: limiter) { principal in
                try await self.getMetadata(name, org: principal.org)
            }
        }
        router.put("/api/v1/metrics/:metric_name") { request, context in
            let name = context.parameters.get("metric_name") ?? ""
            return await self.read(request, endpoint: "/api/v1/metrics/{metric_name}", limit: rateLimits.metricsMetadata, limiter: limiter) { principal in
                try await self.putMetadata(request, name, org: principal.org)
            }
        }
        router.get("/api/v1/search") { request, _ in
            await self.read(request, endpoint: "/api/v1/search", limit: rateLimits.metricsList, limiter: limiter) { principal in
                try await self.search(request, org: principal.org)
            }
        }
    }

    /// Authenticates a read, applies the rate limit, runs `body` and renders its errors.
    func read(
        _ request: Request, endpoint: String, limit: DatadogRateLimit, limiter: DatadogRateLimiter,
        _ body: (Principal) async throws -> ByteBuffer
    ) async -> Response {
        let principal: Principal
        switch authenticateRead(request) {
        case .success(let found): principal = found
        case .failure(let error): return fail(error, endpoint: endpoint)
        }
        let decision = limiter.take(limit, org: principal.org)
        var response: Response
        if !decision.allowed {
            response = fail(DatadogErrorResponse(status: .tooManyRequests, messages: ["Rate limit exceeded"]), endpoint: endpoint)
        } else {
            do {
                let buffer = try await body(principal)
                environment.selfMetrics.recordRequest(dialect: Self.dialect, endpoint: endpoint, status: 200)
                response = Response.json(status: .ok, buffer)
            } catch let error as DatadogErrorResponse {
                response = fail(error, endpoint: endpoint)
            } catch let error as any ClassifiedError {
                response = fail(DatadogErrorResponse(error), endpoint: endpoint)
            } catch {
                environment.logger.error("datadog: read failed", metadata: ["endpoint": "\(endpoint)", "error": "\(error)"])
                response = fail(DatadogErrorResponse(status: .internalServerError, messages: ["internal error"]), endpoint: endpoint)
            }
        }
        Self.setRateLimitHeaders(decision, on: &response.headers)
        return response
    }

    static func setRateLimitHeaders(_ decision: DatadogRateLimiter.Decision, on headers: inout HTTPFields) {
        let pairs: [(String, String)] = [
            ("X-RateLimit-Limit", String(decision.limit)), ("X-RateLimit-Period", String(decision.periodSeconds)),
            ("X-RateLimit-Remaining", String(decision.remaining)), ("X-RateLimit-Reset", String(decision.resetSeconds)),
            ("X-RateLimit-Name", decision.name),
        ]
        for (name, value) in pairs {
            if let field = HTTPField.Name(name) { headers[field] = value }
        }
    }

    /// The API key's principal when it, or the application key's token of the same
    /// organisation, may query; `403` otherwise (Datadog answers a missing application key so).
    func authenticateRead(_ request: Request) -> Result<Principal, DatadogErrorResponse> {
        let principal: Principal
        switch authenticate(request) {
        case .success(let found): principal = found
        case .failure(let error): return .failure(error)
        }
        guard let appKey = Credentials.header(request, "DD-APPLICATION-KEY") ?? Credentials.queryParameter(request, "application_key") else {
            return .failure(.forbidden)
        }
        if principal.scopes.contains(.query) { return .success(principal) }
        if let app = environment.tokens.verify(secret: appKey), app.org == principal.org, app.scopes.contains(.query) {
            return .success(principal)
        }
        return .failure(.forbidden)
    }

    static func badRequest(_ message: String) -> DatadogErrorResponse {
        DatadogErrorResponse(status: .badRequest, messages: [message])
    }

    /// A required whole-seconds parameter.
    static func seconds(_ request: Request, _ name: String) throws -> Int64 {
        guard let text = request.uri.queryParameters.get(name), !text.isEmpty else {
            throw badRequest("missing required parameter '\(name)'")
        }
        if let v = Int64(text) { return v }
        if let d = Double(text), d.isFinite, abs(d) < 1e15 { return Int64(d.rounded(.down)) }
        throw badRequest("parameter '\(name)' must be a Unix timestamp in seconds, got '\(text)'")
    }

    /// A query parameter decoded as an HTML form value (`+` is a space, as requests and the
    /// Datadog clients send spaces; a literal `+` arrives as `%2B`).
    static func formParameter(_ request: Request, _ name: String) -> String? {
        FormQuery.first(request, name)
    }

    // MARK: /api/v1/query

    func query(_ request: Request, org: OrgID) async throws -> ByteBuffer {
        let from = try Self.seconds(request, "from")
        let to = try Self.seconds(request, "to")
        guard let text = Self.formParameter(request, "query"), !text.isEmpty else {
            throw Self.badRequest("missing required parameter 'query'")
        }
        guard from <= to else { throw Self.badRequest("'from' must not be after 'to'") }
        let limits = environment.limits
        let evaluator = DatadogQueryEvaluator(
            store: environment.store, org: org,
            limits: QueryLimits(
                maxSeries: limits.maxQuerySeries, maxSamples: limits.maxQuerySamples,
                deadline: ContinuousClock.now + .milliseconds(Int64(limits.queryTimeoutSeconds * 1000))),
            maxPoints: limits.maxQueryPoints, maxSeries: limits.maxQuerySeries)
        let result = try await evaluator.run(text, fromSeconds: from, toSeconds: to)
        var units: [String: (unit: String?, perUnit: String?)] = [:]
        for (_, series) in result.series {
            guard let name = series.unitMetric, units[name] == nil else { continue }
            let stored = try await environment.store.metricMetadata(org: org, metricName: name)[name]
            units[name] = DatadogStoredUnit.split(stored?.unit)
        }
        return DatadogQueryResponseWriter.render(result, query: text, fromSeconds: from, toSeconds: to, units: units)
    }

    // MARK: /api/v1/metrics and /api/v1/search

    func activeMetrics(_ request: Request, org: OrgID) async throws -> ByteBuffer {
        let from = try Self.seconds(request, "from")
        var matchers: [[LabelMatcher]] = []
        if let host = request.uri.queryParameters.get("host"), !host.isEmpty { matchers = [[.equal("host", String(host))]] }
        var filter: DatadogTagFilter?
        if let text = Self.formParameter(request, "tag_filter"), !text.isEmpty {
            switch DatadogQueryParser.parseScope(String(text)) {
            case .success(.filter(let f, _)): filter = f
            case .success(.all): break
            case .failure(let error): throw Self.badRequest("invalid tag_filter: \(error.reason) at position \(error.position ?? 0)")
            }
        }
        let series = try await environment.store.series(
            org: org, matcherSets: matchers, startMillis: from.multipliedReportingOverflow(by: 1000).partialValue, endMillis: .max)
        var names = Set<String>()
        for labels in series where filter?.matches(labels) ?? true {
            if let name = labels.metricName { names.insert(name) }
        }
        var w = JSONWriter(capacity: 64 + names.count * 32)
        w.raw("{\"from\":"); w.string(String(from))
        w.raw(",\"metrics\":[")
        var comma = false
        for name in names.sorted() { w.comma(&comma); w.string(name) }
        w.raw("]}")
        return w.buffer
    }

    func search(_ request: Request, org: OrgID) async throws -> ByteBuffer {
        guard let q = Self.formParameter(request, "q") else { throw Self.badRequest("missing required parameter 'q'") }
        var term = String(q)
        var facets = ["hosts", "metrics"]
        for facet in ["metrics", "hosts"] where term.hasPrefix(facet + ":") {
            facets = [facet]
            term = String(term.dropFirst(facet.count + 1))
        }
        let needle = term.lowercased()
        let now = DialectEnvironment.nowMillis()
        let start = now - 86_400_000
        var w = JSONWriter(capacity: 256)
        w.raw("{\"results\":{")
        var comma = false
        for facet in facets {
            w.comma(&comma)
            var found: [String]
            if facet == "metrics" {
                let series = try await environment.store.series(org: org, matcherSets: [], startMillis: start, endMillis: .max)
                found = Array(Set(series.compactMap(\.metricName)))
            } else {
                found = try await environment.store.labelValues(org: org, name: "host", matcherSets: [], startMillis: start, endMillis: .max)
            }
            found = found.filter { needle.isEmpty || $0.lowercased().contains(needle) }.sorted()
            w.key(facet)
            w.raw("[")
            var c = false
            for name in found { w.comma(&c); w.string(name) }
            w.raw("]")
        }
        w.raw("}}")
        return w.buffer
    }
}

extension DatadogQueryParser {
    /// Parses a tag filter on its own (the `tag_filter` parameter of `/api/v1/metrics`).
    static func parseScope(_ text: String) -> Result<DatadogScope, DatadogQueryError> {
        var parser = DatadogQueryParser(text + "}")
        do {
            let scope = try parser.parseScope()
            parser.skipSpace()
            guard parser.atEnd else { return .failure(parser.unexpected()) }
            return .success(scope)
        } catch {
            return .failure(error)
        }
    }
}
