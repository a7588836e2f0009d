import BasinHTTP
import BasinModel
import BasinWire
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import StorageAPI

extension DatadogRoutes {
    /// `POST /api/v1/events`: one event into `_events`; `202 {"status":"ok","event":{…}}` with
    /// the id `GET /api/v1/events/{id}` finds. `date_happened` more than 18 hours old:
    /// `400 {"errors":["Event too far in the past"]}` (recorded Datadog response).
    func postEvent(_ request: Request) async -> Response {
        let endpoint = "/api/v1/events"
        let principal: Principal, body: ByteBuffer
        switch await extrasIngestBody(request, endpoint: endpoint) {
        case .success(let found): (principal, body) = found
        case .failure(let response): return response
        }
        var event: DatadogEvent
        do {
            event = try DatadogEventDecoder(limits: recordLimits).decode(body)
        } catch {
            return fail(DatadogErrorResponse(error), endpoint: endpoint)
        }
        let now = DialectEnvironment.nowMillis()
        if let problem = event.timeProblem(nowMillis: now) {
            return fail(DatadogErrorResponse(status: .badRequest, messages: [problem]), endpoint: endpoint)
        }
        let store: any RecordStore
        switch extrasRecordStore(endpoint: endpoint) {
        case .success(let found): store = found
        case .failure(let response): return response
        }
        var generator = SystemRandomNumberGenerator()
        let timeNanos = event.timeNanos(nowMillis: now)
        event.id = DatadogEventID.make(timeNanos: timeNanos, using: &generator)
        event.dateHappenedSeconds = DatadogEventID.floorSeconds(timeNanos)
        do {
            try await extrasAppend([event.record(nowMillis: now)], org: principal.org, dataset: ReservedDataset.events.rawValue, store: store)
        } catch {
            return extrasStorageFailure(error, endpoint: endpoint)
        }
        environment.selfMetrics.recordSamples(dialect: Self.dialect, endpoint: endpoint, accepted: 1, rejected: 0)
        return extrasRespond(.accepted, DatadogEventRenderer.created(event), endpoint: endpoint)
    }

    /// `GET /api/v1/events?start&end[&priority&sources&tags&unaggregated&exclude_aggregate&page]`:
    /// events of every dialect in `_events`, newest first, 1000 per page;
    /// `200 {"events":[…],"status":"ok"}`.
    func listEvents(_ request: Request) async -> Response {
        let endpoint = "/api/v1/events"
        let principal: Principal
        switch extrasReadPrincipal(request, endpoint: endpoint) {
        case .success(let found): principal = found
        case .failure(let response): return response
        }
        let query: DatadogEventsQuery
        switch DatadogEventsQuery.parse(FormQuery.parameters(request)) {
        case .success(let parsed): query = parsed
        case .failure(let error): return fail(DatadogErrorResponse(status: .badRequest, messages: [error.message]), endpoint: endpoint)
        }
        guard query.startSeconds <= query.endSeconds else {
            return fail(DatadogErrorResponse(status: .badRequest, messages: ["start must not be after end"]), endpoint: endpoint)
        }
        let store: any RecordStore
        switch extrasRecordStore(endpoint: endpoint) {
        case .success(let found): store = found
        case .failure(let response): return response
        }
        do {
            let found = try await scanEvents(store, org: principal.org, fromSeconds: query.startSeconds, throughSeconds: query.endSeconds)
            let matching = found.filter { query.matches($0) }
            let first = min(matching.count, query.page * DatadogEventsQuery.pageSize)
            let page = matching[first..<min(matching.count, first + DatadogEventsQuery.pageSize)]
            return extrasRespond(.ok, DatadogEventRenderer.list(page), endpoint: endpoint)
        } catch {
            return extrasStorageFailure(error, endpoint: endpoint)
        }
    }

    /// `GET /api/v1/events/{event_id}`: `200 {"event":{…},"status":"ok"}`, or
    /// `404 {"errors":["Event not found"]}` (also for an id that is not an integer).
    func getEvent(_ request: Request, id text: String) async -> Response {
        let endpoint = "/api/v1/events/{event_id}"
        let principal: Principal
        switch extrasReadPrincipal(request, endpoint: endpoint) {
        case .success(let found): principal = found
        case .failure(let response): return response
        }
        let notFound = DatadogErrorResponse(status: .notFound, messages: ["Event not found"])
        guard let id = Int64(text), let seconds = DatadogEventID.seconds(of: id) else { return fail(notFound, endpoint: endpoint) }
        let store: any RecordStore
        switch extrasRecordStore(endpoint: endpoint) {
        case .success(let found): store = found
        case .failure(let response): return response
        }
        do {
            let found = try await scanEvents(store, org: principal.org, fromSeconds: seconds, throughSeconds: seconds)
            guard let event = found.first(where: { $0.id == id }) else { return fail(notFound, endpoint: endpoint) }
            return extrasRespond(.ok, DatadogEventRenderer.single(event), endpoint: endpoint)
        } catch {
            return extrasStorageFailure(error, endpoint: endpoint)
        }
    }

    /// Events of `_events` whose second lies in `fromSeconds…throughSeconds`, newest first, at
    /// most `RecordQueryLimits.maxRows` (100 000) of them; a missing dataset reads as empty.
    func scanEvents(_ store: any RecordStore, org: OrgID, fromSeconds: Int64, throughSeconds: Int64) async throws -> [DatadogEvent] {
        let rows = RecordQueryLimits().maxRows
        let scan = RecordQuery(
            org: org, dataset: ReservedDataset.events.rawValue,
            startNanos: Self.extrasNanos(seconds: fromSeconds), endNanos: Self.extrasNanos(seconds: throughSeconds &+ 1),
            stages: [.sort([SortKey(.field(FieldPath.time), descending: true)]), .limit(rows)], defaultLimit: rows)
        do {
            guard case .records(let found) = try await store.scan(scan).output else { return [] }
            return found.compactMap { DatadogEvent(record: $0) }
        } catch let error as StorageError where error.kind == .notFound {
            return []
        }
    }

    /// Seconds as nanoseconds, clamped to the representable range.
    static func extrasNanos(seconds: Int64) -> Int64 {
        let (value, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        return overflow ? (seconds < 0 ? Int64.min : Int64.max) : value
    }
}
