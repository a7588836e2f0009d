import BasinHTTP
import BasinModel
import BasinWire
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import StorageAPI

extension DatadogRoutes {
    /// The organisation's dataset Datadog logs go to (created on first write).
    static let logsDataset = "logs"

    /// `POST /api/v2/logs` (`202 {}`) and `POST /v1/input[/<api_key>]` (`200 {}`): logs into the
    /// organisation's `logs` dataset (see ``DatadogLogDecoder``).
    ///
    /// Keys: `DD-API-KEY` header, `dd-api-key` or `api_key` query parameter, or the path
    /// (`/v1/input/<key>`). Errors use the logs intake's envelope
    /// `{"errors":[{"status":"400","title":"Bad Request","detail":"…"}]}`: `401` without a key,
    /// `403` for a bad one, `400` bad payload, `413` over 5 MB decompressed.
    func submitLogs(_ request: Request, legacy: Bool, pathKey: String?) async -> Response {
        let endpoint = legacy ? "/v1/input" : "/api/v2/logs"
        let secret = Credentials.header(request, "DD-API-KEY") ?? Credentials.queryParameter(request, "dd-api-key")
            ?? Credentials.queryParameter(request, "api_key") ?? pathKey.flatMap { $0.isEmpty ? nil : $0 }
        guard let secret else { return logsFailure(.unauthorized, "API key required", endpoint: endpoint) }
        guard let principal = environment.verify(secret: secret, dialect: Self.dialect, request), principal.scopes.contains(.ingest) else {
            return logsFailure(.forbidden, "Forbidden", endpoint: endpoint)
        }
        let limits = recordLimits
        let body: ByteBuffer
        switch await extrasBody(request, endpoint: endpoint, maxDecompressedBytes: limits.maxLogsBodyBytes) {
        case .success(let read): body = read
        case .failure(let error): return logsFailure(error.status, error.messages.first ?? "bad request", endpoint: endpoint)
        }
        if body.readableBytes > limits.maxLogsBodyBytes {
            return logsFailure(.contentTooLarge, "logs body of \(body.readableBytes) bytes exceeds the limit of \(limits.maxLogsBodyBytes) bytes (maxLogsBodyBytes)", endpoint: endpoint)
        }
        let parameters = FormQuery.parameters(request)
        func parameter(_ name: String) -> String? { parameters.last { $0.name == name }?.value }
        let decoder = DatadogLogDecoder(
            limits: limits,
            attributes: DatadogLogAttributes(
                ddtags: parameter("ddtags"), ddsource: parameter("ddsource"), service: parameter("service"),
                hostname: parameter("hostname") ?? parameter("host")),
            nowMillis: DialectEnvironment.nowMillis())
        let logs: [Record]
        do {
            logs = Self.isTextLogs(request, body: body) ? try decoder.decodeText(body) : try decoder.decodeJSON(body)
        } catch {
            return logsFailure(.badRequest, error.message, endpoint: endpoint)
        }
        if !logs.isEmpty {
            guard let store = records else { return logsFailure(.serviceUnavailable, "record storage is not configured", endpoint: endpoint) }
            do {
                try await extrasAppend(logs, org: principal.org, dataset: Self.logsDataset, store: store, createDataset: "Datadog logs")
            } catch let error as any ClassifiedError {
                let failure = DatadogErrorResponse(error)
                return logsFailure(failure.status, error.message, endpoint: endpoint)
            } catch {
                environment.logger.error("datadog: logs append failed", metadata: ["error": "\(error)"])
                return logsFailure(.internalServerError, "internal error", endpoint: endpoint)
            }
        }
        environment.selfMetrics.recordSamples(dialect: Self.dialect, endpoint: endpoint, accepted: logs.count, rejected: 0)
        return extrasRespond(legacy ? .ok : .accepted, "{}", endpoint: endpoint)
    }

    /// `text/plain` and `application/logplex-1` are one log per line; everything else is JSON.
    static func isTextLogs(_ request: Request, body: ByteBuffer) -> Bool {
        guard let type = request.headers[.contentType]?.lowercased() else { return false }
        return type.hasPrefix("text/plain") || type.hasPrefix("application/logplex")
    }

    /// The logs intake's error envelope (API reference `HTTPLogErrors`).
    func logsFailure(_ status: HTTPResponse.Status, _ detail: String, endpoint: String) -> Response {
        environment.selfMetrics.recordRequest(dialect: Self.dialect, endpoint: endpoint, status: Int(status.code))
        var writer = JSONWriter(capacity: 128)
        writer.raw("{\"errors\":[{\"status\":")
        writer.string(String(status.code))
        writer.raw(",\"title\":")
        writer.string(status.reasonPhrase)
        writer.raw(",\"detail\":")
        writer.string(detail)
        writer.raw("}]}")
        return Response.json(status: status, writer.buffer)
    }
}
