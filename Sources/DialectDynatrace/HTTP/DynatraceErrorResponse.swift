import BasinHTTP
import BasinModel
import BasinWire
import HTTPTypes
import Hummingbird
import NIOCore

/// A failure rendered in Dynatrace's generic `ErrorEnvelope`:
/// `{"error":{"code":<status>,"message":"<text>"}}` (spec §2.2; the code repeats the status).
///
/// Used for everything that is not a line-level outcome: authentication, scope, body size,
/// unknown `Content-Encoding`, storage failures. A temporary storage failure (a full disk) is
/// `503` with a `Retry-After` header.
struct DynatraceErrorResponse: Error {
    /// The HTTP status.
    let status: HTTPResponse.Status
    /// The message.
    let message: String
    /// Seconds sent as `Retry-After`; nil sends no header.
    let retryAfterSeconds: Int?
    /// `constraintViolations`, each a query parameter and what is wrong with it; empty omits the
    /// array.
    let violations: [(parameter: String, message: String)]

    init(status: HTTPResponse.Status, message: String, retryAfterSeconds: Int? = nil, violations: [(parameter: String, message: String)] = []) {
        self.status = status
        self.message = message
        self.retryAfterSeconds = retryAfterSeconds
        self.violations = violations
    }

    /// `400 Constraints violated.` with one violation of a query parameter (spec §2.2, as a
    /// Dynatrace environment answers a bad query parameter).
    static func constraintViolated(parameter: String, message: String) -> DynatraceErrorResponse {
        DynatraceErrorResponse(status: .badRequest, message: "Constraints violated.", violations: [(parameter, message)])
    }

    /// Maps a classified error: limits and semantic errors are `400` (Dynatrace answers every
    /// limit on the API path with 400); the rest use the shared table (`413`, `415`, `503`, …).
    init(_ error: some ClassifiedError) {
        let status: HTTPResponse.Status
        switch error.kind {
        case .limitExceeded, .unprocessable: status = .badRequest
        default: status = error.kind.defaultStatus
        }
        self.init(status: status, message: error.message, retryAfterSeconds: RetryAfter.seconds(for: error))
    }

    /// `401 Token Authentication failed`: no token, or one that matches no Basin token (the text a
    /// Dynatrace environment answers; the OTel exporter disables itself on 401).
    static let authenticationFailed = DynatraceErrorResponse(status: .unauthorized, message: "Token Authentication failed")
    /// `403`: a live token without Basin's `ingest` scope (Dynatrace's `metrics.ingest`).
    static let missingIngestScope = DynatraceErrorResponse(
        status: .forbidden, message: "Token is missing required scope. Use one of: metrics.ingest (Ingest metrics)")

    /// `403`: a live token without Basin's `query` scope (Dynatrace's `metrics.read`).
    static let missingReadScope = DynatraceErrorResponse(
        status: .forbidden, message: "Token is missing required scope. Use one of: metrics.read (Read metrics)")

    /// The response with the envelope as its body.
    var response: Response {
        var writer = JSONWriter(capacity: 96)
        writer.raw("{\"error\":{\"code\":")
        writer.integer(Int(status.code))
        writer.raw(",\"message\":")
        writer.string(message)
        if !violations.isEmpty {
            writer.raw(",\"constraintViolations\":[")
            var comma = false
            for violation in violations {
                writer.comma(&comma)
                writer.raw("{\"path\":")
                writer.string(violation.parameter)
                writer.raw(",\"message\":")
                writer.string(violation.message)
                writer.raw(",\"parameterLocation\":\"QUERY\",\"location\":null}")
            }
            writer.raw("]")
        }
        writer.raw("}}")
        var response = Response.json(status: status, writer.buffer)
        if let retryAfterSeconds { response.headers.setRetryAfter(seconds: retryAfterSeconds) }
        return response
    }
}
