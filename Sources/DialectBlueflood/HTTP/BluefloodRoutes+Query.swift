import BasinHTTP
import BasinModel
import BasinWire
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import StorageAPI

extension BluefloodRoutes {
    /// `GET /views/{metricName}`: one metric at FULL or a roll-up resolution (§8).
    func view(_ request: Request, tenant: String, metricName: String) async -> Response {
        let endpoint = "/v2.0/{tenantId}/views/{metricName}"
        if case (nil, let refusal?) = authorize(request, tenants: [tenant], pathTenant: tenant, scope: .query) {
            return record(refusal, endpoint: endpoint)
        }
        let now = DialectEnvironment.nowMillis()
        let plot: BluefloodPlotRequest
        switch BluefloodPlotRequest.parse(FormQuery.parameters(request), nowMillis: now) {
        case .success(let parsed): plot = parsed
        case .failure(let error): return record(Self.errorResponse(.badRequest, [.generic(tenantId: tenant, error.message)]), endpoint: endpoint)
        }
        do {
            let view = try await viewReader().view(org: OrgID(tenant), metricName: metricName, request: plot, nowMillis: now)
            return record(Response.json(status: .ok, BluefloodViewRenderer.single(view)), endpoint: endpoint)
        } catch {
            return storageFailure(error, tenant: tenant, message: "Error: could not read \(metricName)", endpoint: endpoint)
        }
    }

    /// `POST /views`: several metrics, the body a JSON array of names (at most 100), §9.
    func batchView(_ request: Request, tenant: String) async -> Response {
        let endpoint = "/v2.0/{tenantId}/views"
        if case (nil, let refusal?) = authorize(request, tenants: [tenant], pathTenant: tenant, scope: .query) {
            return record(refusal, endpoint: endpoint)
        }
        let now = DialectEnvironment.nowMillis()
        let plot: BluefloodPlotRequest
        switch BluefloodPlotRequest.parse(FormQuery.parameters(request), nowMillis: now) {
        case .success(let parsed): plot = parsed
        case .failure(let error): return record(Self.errorResponse(.badRequest, [.generic(tenantId: tenant, error.message)]), endpoint: endpoint)
        }
        let body: ByteBuffer
        do {
            body = try await readBody(request)
        } catch {
            return bodyFailure(error, tenant: tenant, endpoint: endpoint)
        }
        let names: [String]
        switch body.withUnsafeReadableBytes({ BluefloodMetricNameList.parse($0) }) {
        case .empty:
            return record(Self.errorResponse(.badRequest, [.generic(tenantId: tenant, "Invalid body. Expected JSON array of metrics.")]), endpoint: endpoint)
        case .notAnArray(let text):
            return record(Self.textResponse(.badRequest, text), endpoint: endpoint)
        case .names(let parsed):
            names = parsed
        }
        guard names.count <= Blueflood.maxMetricsPerBatchQuery else {
            return record(Self.errorResponse(.badRequest, [.generic(
                tenantId: tenant, "Too many metrics fetch in a single call. Max limit is \(Blueflood.maxMetricsPerBatchQuery).")]), endpoint: endpoint)
        }
        do {
            let views = try await viewReader().views(org: OrgID(tenant), metricNames: names, request: plot, nowMillis: now)
            return record(Response.json(status: .ok, BluefloodViewRenderer.batch(views)), endpoint: endpoint)
        } catch {
            return storageFailure(error, tenant: tenant, message: "Error: could not read the metrics", endpoint: endpoint)
        }
    }

    /// `GET /metrics/search?query=<glob>` (§11).
    func searchMetrics(_ request: Request, tenant: String) async -> Response {
        let endpoint = "/v2.0/{tenantId}/metrics/search"
        return await search(request, tenant: tenant, endpoint: endpoint) { search, org, query in
            BluefloodSearch.renderMetrics(try await search.metrics(org: org, query: query))
        }
    }

    /// `GET /metric_name/search?query=<glob>`: one level of the name tree (§12).
    func searchNames(_ request: Request, tenant: String) async -> Response {
        let endpoint = "/v2.0/{tenantId}/metric_name/search"
        return await search(request, tenant: tenant, endpoint: endpoint) { search, org, query in
            BluefloodSearch.renderNames(try await search.names(org: org, query: query))
        }
    }

    private func search(
        _ request: Request, tenant: String, endpoint: String,
        run: (BluefloodSearch, OrgID, String) async throws -> ByteBuffer
    ) async -> Response {
        if case (nil, let refusal?) = authorize(request, tenants: [tenant], pathTenant: tenant, scope: .query) {
            return record(refusal, endpoint: endpoint)
        }
        let queries = FormQuery.parameters(request).filter { $0.name == "query" }
        guard queries.count == 1, let query = queries.first?.value else {
            return record(Self.errorResponse(.badRequest, [.generic(tenantId: tenant, "Invalid Query String")]), endpoint: endpoint)
        }
        do {
            let body = try await run(BluefloodSearch(store: environment.store), OrgID(tenant), query)
            return record(Response.json(status: .ok, body), endpoint: endpoint)
        } catch let error as BluefloodSearchError {
            environment.logger.info("blueflood: search refused", metadata: ["query": "\(query)", "error": "\(error)"])
            return record(Self.errorResponse(.internalServerError, [.generic(tenantId: tenant, "Error getting metrics index")]), endpoint: endpoint)
        } catch {
            return storageFailure(error, tenant: tenant, message: "Error getting metrics index", endpoint: endpoint)
        }
    }

    /// `GET /events/getEvents?from=&until=&tags=` (§7): annotations of the path tenant, oldest first.
    func getEvents(_ request: Request, tenant: String) async -> Response {
        let endpoint = "/v2.0/{tenantId}/events/getEvents"
        if case (nil, let refusal?) = authorize(request, tenants: [tenant], pathTenant: tenant, scope: .query) {
            return record(refusal, endpoint: endpoint)
        }
        let query: BluefloodEventsQuery
        switch BluefloodEventsQuery.parse(FormQuery.parameters(request)) {
        case .success(let parsed): query = parsed
        case .failure(let message): return record(Self.errorResponse(.badRequest, [.generic(tenantId: tenant, message)]), endpoint: endpoint)
        }
        let org = OrgID(tenant)
        // `until` is inclusive in milliseconds; the scan's end is exclusive in nanoseconds.
        let start = Self.nanos(query.fromMillis ?? Int64.min)
        let end = Self.nanos((query.untilMillis ?? Int64.max / 1_000_000 - 1) &+ 1)
        let rows = RecordQueryLimits().maxRows
        let scan = RecordQuery(
            org: org, dataset: ReservedDataset.annotations.rawValue, startNanos: start, endNanos: end,
            stages: [.sort([SortKey(.field(FieldPath([.member("_time")])), descending: false)]), .limit(rows)],
            defaultLimit: rows)
        do {
            let result = try await records.scan(scan)
            guard case .records(let found) = result.output else { return record(Response.json(status: .ok, BluefloodEventsQuery.render([])), endpoint: endpoint) }
            var events: [BluefloodEvent] = []
            for record in found {
                guard let event = BluefloodEvent(record: record, tenantId: tenant) else { continue }
                if query.tags != nil, !query.matches(tags: event.tags) { continue }
                events.append(event)
                if events.count == Blueflood.maxDiscoveryResults { break }
            }
            return record(Response.json(status: .ok, BluefloodEventsQuery.render(events)), endpoint: endpoint)
        } catch let error as StorageError where error.kind == .notFound {
            return record(Response.json(status: .ok, BluefloodEventsQuery.render([])), endpoint: endpoint)
        } catch {
            return storageFailure(error, tenant: tenant, message: "Error: could not read events", endpoint: endpoint)
        }
    }

    /// Milliseconds as nanoseconds, clamped to the representable range.
    static func nanos(_ millis: Int64) -> Int64 {
        let (value, overflow) = millis.multipliedReportingOverflow(by: 1_000_000)
        return overflow ? (millis < 0 ? Int64.min : Int64.max) : value
    }

    func viewReader() -> BluefloodViewReader {
        BluefloodViewReader(store: environment.store, maxSeries: environment.limits.maxQuerySeries, maxSamples: environment.limits.maxQuerySamples)
    }
}

extension BluefloodRoutes {
    /// `GET /v2.0/{tenantId}/limits`: Repose's rate-limit status (spec §1). Basin puts no
    /// per-tenant request-rate limit on the Blueflood routes (body size and query cost are
    /// limited per request), so the tenant's list of rate limits is empty; the token must
    /// belong to the tenant, as for every read.
    func limits(_ request: Request, tenant: String) async -> Response {
        let endpoint = "/v2.0/{tenantId}/limits"
        if case (nil, let refusal?) = authorize(request, tenants: [tenant], pathTenant: tenant, scope: .query) {
            return record(refusal, endpoint: endpoint)
        }
        return record(Response.json(status: .ok, ByteBuffer(string: #"{"limits":{"rate":[]}}"#)), endpoint: endpoint)
    }
}
