import BasinHTTP
import BasinModel
import BasinWire
import HTTPTypes
import Hummingbird
import NIOCore

/// A failure in Axiom's envelope: `{"code":<status>,"message":"<text>"}` with
/// `Content-Type: application/json` (spec §3; GO, PY and JS clients read `message`).
struct AxiomErrorResponse: Error {
    let status: HTTPResponse.Status
    let message: String
    /// Seconds sent as `Retry-After` (a full disk); nil sends none.
    let retryAfterSeconds: Int?

    init(status: HTTPResponse.Status, message: String, retryAfterSeconds: Int? = nil) {
        self.status = status
        self.message = message
        self.retryAfterSeconds = retryAfterSeconds
    }

    /// Maps a classified error with the shared table; limits other than size are `400`.
    init(_ error: some ClassifiedError) {
        let status: HTTPResponse.Status
        switch error.kind {
        case .limitExceeded, .unprocessable: status = .badRequest
        default: status = error.kind.defaultStatus
        }
        self.init(status: status, message: error.message, retryAfterSeconds: RetryAfter.seconds(for: error))
    }

    /// `401`: no `Authorization: Bearer` token, or one no Basin token has.
    static let unauthenticated = AxiomErrorResponse(status: .unauthorized, message: "invalid authentication credentials")
    /// `404` for an unknown dataset.
    static let datasetNotFound = AxiomErrorResponse(status: .notFound, message: "dataset not found")

    /// `403` for a token without the capability `what` needs.
    static func forbidden(_ what: String) -> AxiomErrorResponse {
        AxiomErrorResponse(status: .forbidden, message: "token is not allowed to \(what)")
    }

    static func badRequest(_ message: String) -> AxiomErrorResponse {
        AxiomErrorResponse(status: .badRequest, message: message)
    }

    /// The response, with the envelope as its body.
    var response: Response {
        var writer = JSONWriter(capacity: 64 + message.utf8.count)
        writer.raw("{\"code\":")
        writer.integer(Int(status.code))
        writer.raw(",\"message\":")
        writer.string(message)
        writer.raw("}")
        var response = Response.json(status: status, writer.buffer)
        if let retryAfterSeconds { response.headers.setRetryAfter(seconds: retryAfterSeconds) }
        return response
    }
}
