import BasinHTTP
import BasinModel
import BasinWire
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import StorageAPI

extension SignalFxTraceRoutes {
    /// `POST /v2/trace` and its aliases: Zipkin v1/v2 JSON spans into the `traces` dataset.
    ///
    /// `200` `"OK"` when every span was stored; `200` `{"valid":N,"invalid":{reason:[spanId]}}`
    /// when some were refused (golib's span filter reads that map); `400` for a body refused
    /// whole (not a JSON array of objects, a request limit passed, a Jaeger thrift or SAPM body);
    /// `401` bad token; `413` too large; `415` other content types or encodings.
    func ingest(_ request: Request, endpoint: String) async -> Response {
        let principal: Principal
        switch authorize(request, scope: .ingest) {
        case .success(let p): principal = p
        case .failure(let refusal): return record(Self.jsonString(refusal.status, refusal.message), endpoint: endpoint)
        }
        if let refusal = Self.contentTypeRefusal(request) {
            return record(Self.jsonString(refusal.status, refusal.message), endpoint: endpoint)
        }
        let body: ByteBuffer
        do {
            body = try await BodyReader.read(request, limits: environment.limits)
        } catch {
            return record(Self.bodyFailure(error, request: request), endpoint: endpoint)
        }
        let decoded: ZipkinDecodeResult
        do {
            decoded = try ZipkinSpanDecoder(limits: options.limits).decode(body)
        } catch {
            return record(Self.jsonString(.badRequest, Self.decodeMessage(error)), endpoint: endpoint)
        }
        if let problem = decoded.limitProblem {
            environment.logger.info("signalfx: spans over a limit dropped", metadata: ["limit": "\(problem)", "org": "\(principal.org.name)"])
        }
        do {
            try await store(decoded.spans, org: principal.org)
        } catch {
            return record(storageFailure(error), endpoint: endpoint)
        }
        environment.selfMetrics.recordSamples(
            dialect: SignalFx.dialect, endpoint: endpoint, accepted: decoded.spans.count, rejected: decoded.rejections.count)
        var response = Response.json(status: .ok, Self.renderStatus(decoded))
        if let problem = decoded.limitProblem, let name = HTTPField.Name("X-Basin-Limit") {
            response.headers[name] = problem
        }
        return record(response, endpoint: endpoint)
    }

    /// Nil for JSON or no `Content-Type` (the gateway's last JSON route has no header matcher).
    static func contentTypeRefusal(_ request: Request) -> SignalFxTraceRefusal? {
        guard let raw = request.headers[.contentType] else { return nil }
        let media = raw.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        switch media {
        case "", "application/json", "text/json", "application/x-json":
            return nil
        case "application/x-thrift", "application/vnd.apache.thrift.binary":
            return SignalFxTraceRefusal(status: .badRequest, message: "Jaeger thrift trace bodies are not supported; send Zipkin JSON")
        case "application/x-protobuf", "application/protobuf":
            return SignalFxTraceRefusal(status: .badRequest, message: "SAPM and OTLP protobuf trace bodies are not supported on this path; send Zipkin JSON")
        default:
            return SignalFxTraceRefusal(status: .unsupportedMediaType, message: "Invalid content type:\(raw)")
        }
    }

    /// The answer for a body that could not be read (§2.2).
    static func bodyFailure(_ error: BodyError, request: Request) -> Response {
        switch error.kind {
        case .payloadTooLarge: return jsonString(.contentTooLarge, error.message)
        case .unsupportedMediaType: return jsonString(.unsupportedMediaType, "\"Content-Encoding\" must be \"gzip\" or empty")
        default:
            if request.headers[.contentEncoding] != nil {
                return jsonString(.badRequest, "error handling gzip compressed request \(error.message)")
            }
            return jsonString(.badRequest, error.message)
        }
    }

    /// The gateway's text for a body that is not Zipkin JSON, or the limit that was passed.
    static func decodeMessage(_ error: WireError) -> String {
        if error.kind == .limitExceeded { return error.message }
        return "invalid JSON format; please see correct format at https://zipkin.io/zipkin-api/#/default/post_spans (\(error.message))"
    }

    /// `"OK"`, or the span filter's `{"valid":N,"invalid":{…}}` when spans were refused (§5.2).
    static func renderStatus(_ result: ZipkinDecodeResult) -> ByteBuffer {
        var writer = JSONWriter(capacity: 64)
        guard !result.rejections.isEmpty else {
            writer.string("OK")
            return writer.buffer
        }
        var byReason: [SignalFxSpanRejection: [String]] = [:]
        for (reason, id) in result.rejections { byReason[reason, default: []].append(id) }
        writer.raw("{")
        writer.key("valid")
        writer.integer(result.spans.count)
        writer.raw(",")
        writer.key("invalid")
        writer.raw("{")
        var comma = false
        for reason in SignalFxSpanRejection.allCases {
            guard let ids = byReason[reason] else { continue }
            writer.comma(&comma)
            writer.key(reason.rawValue)
            writer.raw("[")
            var inner = false
            for id in ids {
                writer.comma(&inner)
                writer.string(id)
            }
            writer.raw("]")
        }
        writer.raw("}}")
        return writer.buffer
    }

    /// Appends the spans to the organisation's traces dataset, creating it on the first write.
    func store(_ spans: [ZipkinSpan], org: OrgID) async throws {
        guard !spans.isEmpty else { return }
        let batch = spans.map(\.record)
        do {
            try await records.appendRecords(batch, org: org, dataset: options.dataset)
        } catch let error as StorageError where error.kind == .notFound {
            do {
                _ = try await records.createDataset(org: org, DatasetSpec(
                    name: options.dataset, description: "Spans received on the SignalFx / Zipkin trace intake"))
            } catch let error as any ClassifiedError where error.kind == .conflict {
                // Created concurrently by another request.
            }
            try await records.appendRecords(batch, org: org, dataset: options.dataset)
        }
    }

    /// The answer for a failed store operation; `503` with `Retry-After` when storage asks for a delay.
    func storageFailure(_ error: any Error) -> Response {
        let kind = (error as? any ClassifiedError)?.kind ?? .internalError
        let message = (error as? any ClassifiedError)?.message ?? "internal error"
        switch kind {
        case .unavailable, .timeout:
            return Self.jsonString(.serviceUnavailable, message).addingRetryAfter(for: error)
        default:
            environment.logger.error("signalfx: storing spans failed", metadata: ["error": "\(error)"])
            return Self.jsonString(.internalServerError, "Internal Server Error")
        }
    }
}
