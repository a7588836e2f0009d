import BasinHTTP
import BasinModel
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import StorageAPI

/// The Zipkin v2 read API under `/zipkin/api/v2` (https://zipkin.io/zipkin-api/), enough for
/// Grafana's Zipkin data source (`pkg/tsdb/zipkin/client.go` calls `/services`,
/// `/spans?serviceName=`, `/traces?serviceName=&spanName=` and `/trace/{traceId}`) and the
/// Zipkin UI's searches. Errors are plain text, as Zipkin's server writes them.
extension SignalFxTraceRoutes {
    static let zipkinBase = "/zipkin/api/v2"

    func registerZipkinReads(on router: Router<BasinRequestContext>) {
        let base = Self.zipkinBase
        router.get(RouterPath(base + "/services")) { request, _ in
            await self.read(request, endpoint: base + "/services") { reader, window in
                Response.json(status: .ok, ZipkinSpanEncoder.encode(names: try await reader.serviceNames(startMicros: window.0, endMicros: window.1)))
            }
        }
        router.get(RouterPath(base + "/spans")) { request, _ in
            await self.read(request, endpoint: base + "/spans") { reader, window in
                guard let service = Self.parameter(request, "serviceName") else { return Self.text(.badRequest, "serviceName is required") }
                return Response.json(status: .ok, ZipkinSpanEncoder.encode(
                    names: try await reader.spanNames(service: service, startMicros: window.0, endMicros: window.1)))
            }
        }
        router.get(RouterPath(base + "/remoteServices")) { request, _ in
            await self.read(request, endpoint: base + "/remoteServices") { reader, window in
                guard let service = Self.parameter(request, "serviceName") else { return Self.text(.badRequest, "serviceName is required") }
                return Response.json(status: .ok, ZipkinSpanEncoder.encode(
                    names: try await reader.remoteServiceNames(service: service, startMicros: window.0, endMicros: window.1)))
            }
        }
        router.get(RouterPath(base + "/traces")) { request, _ in
            await self.read(request, endpoint: base + "/traces") { reader, _ in
                if let ids = Self.parameter(request, "traceIds") { return try await self.traceMany(ids, reader: reader) }
                return try await self.search(request, reader: reader)
            }
        }
        router.get(RouterPath(base + "/traceMany")) { request, _ in
            await self.read(request, endpoint: base + "/traceMany") { reader, _ in
                try await self.traceMany(Self.parameter(request, "traceIds") ?? "", reader: reader)
            }
        }
        router.get(RouterPath(base + "/trace/:traceId")) { request, context in
            let raw = context.parameters.get("traceId") ?? ""
            return await self.read(request, endpoint: base + "/trace/{traceId}") { reader, _ in
                guard let id = Self.normalizeTraceId(raw) else { return Self.text(.badRequest, "invalid trace id \"\(raw)\": expected 1 to 32 hex digits") }
                let spans = try await reader.trace(id: id)
                if spans.isEmpty { return Self.text(.notFound, "trace \(raw) not found") }
                return Response.json(status: .ok, ZipkinSpanEncoder.encode(spans))
            }
        }
        // The Zipkin UI asks for these; Basin keeps no autocomplete keys and no dependency links.
        for path in ["/autocompleteKeys", "/autocompleteValues", "/dependencies"] {
            router.get(RouterPath(base + path)) { request, _ in
                await self.read(request, endpoint: base + path) { _, _ in Response.json(status: .ok, ByteBuffer(string: "[]")) }
            }
        }
    }

    /// Authenticates a read (`query` scope), runs it over the organisation's traces, and turns
    /// failures into Zipkin-style text answers.
    func read(
        _ request: Request, endpoint: String,
        _ body: (ZipkinTraceReader, (Int64, Int64)) async throws -> Response
    ) async -> Response {
        let principal: Principal
        switch authorize(request, scope: .query) {
        case .success(let p): principal = p
        case .failure(let refusal):
            var response = Self.text(refusal.status, refusal.message)
            response.headers[.wwwAuthenticate] = "Basic realm=\"basin\""
            return record(response, endpoint: endpoint)
        }
        let reader = ZipkinTraceReader(records: records, org: principal.org, dataset: options.dataset, maxSpans: options.maxSpansPerQuery)
        let nowMicros = DialectEnvironment.nowMillis() * 1000
        let window = (nowMicros - options.maxLookbackMillis * 1000, nowMicros + 86_400_000_000)
        do {
            return record(try await body(reader, window), endpoint: endpoint)
        } catch {
            return record(readFailure(error), endpoint: endpoint)
        }
    }

    func search(_ request: Request, reader: ZipkinTraceReader) async throws -> Response {
        let parsed = ZipkinTraceQuery.parse(
            { Self.parameter(request, $0) }, nowMillis: DialectEnvironment.nowMillis(),
            defaultLookbackMillis: options.defaultLookbackMillis, maxLookbackMillis: options.maxLookbackMillis,
            maxLimit: options.maxTracesPerSearch)
        switch parsed {
        case .failure(let error): return Self.text(.badRequest, error.message)
        case .success(let query): return Response.json(status: .ok, ZipkinSpanEncoder.encode(traces: try await reader.search(query)))
        }
    }

    /// `GET /traceMany?traceIds=a,b`: the traces found, unknown ids left out.
    func traceMany(_ list: String, reader: ZipkinTraceReader) async throws -> Response {
        let raw = list.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard !raw.isEmpty else { return Self.text(.badRequest, "traceIds is required") }
        guard raw.count <= options.maxTraceIdsPerRequest else {
            return Self.text(.badRequest, "more than \(options.maxTraceIdsPerRequest) traceIds (maxTraceIdsPerRequest)")
        }
        var ids: [String] = []
        for id in raw {
            guard let normalized = Self.normalizeTraceId(id) else { return Self.text(.badRequest, "invalid trace id \"\(id)\": expected 1 to 32 hex digits") }
            if !ids.contains(normalized) { ids.append(normalized) }
        }
        return Response.json(status: .ok, ZipkinSpanEncoder.encode(traces: try await reader.traces(ids: ids)))
    }

    /// 32 lower-case hex digits, or nil.
    static func normalizeTraceId(_ raw: String) -> String? {
        ZipkinSpanValidator.lowerHex(raw, maxDigits: 32).map { ZipkinSpanValidator.leftPad($0, to: 32) }
    }

    /// A query parameter, form-decoded from the raw query (`+` is a space: Grafana's Go client
    /// and Python's requests encode spaces so); nil when absent or empty.
    static func parameter(_ request: Request, _ name: String) -> String? {
        guard let value = FormQuery.first(request, name), !value.isEmpty else { return nil }
        return value
    }

    /// `400` naming a passed query limit, `503` (with `Retry-After`) when storage is unavailable.
    func readFailure(_ error: any Error) -> Response {
        let classified = error as? any ClassifiedError
        switch classified?.kind ?? .internalError {
        case .limitExceeded, .badRequest: return Self.text(.badRequest, classified?.message ?? "bad request")
        case .unavailable, .timeout: return Self.text(.serviceUnavailable, classified?.message ?? "unavailable").addingRetryAfter(for: error)
        default:
            environment.logger.error("signalfx: trace read failed", metadata: ["error": "\(error)"])
            return Self.text(.internalServerError, "Internal Server Error")
        }
    }
}
