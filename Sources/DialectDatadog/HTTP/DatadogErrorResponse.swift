import BasinHTTP
import BasinModel
import BasinWire
import HTTPTypes
import Hummingbird
import NIOCore

/// A failure rendered in Datadog's error envelope: `{"errors": ["<message>", …]}`
/// (API reference `APIErrorResponse`; every response carries a JSON body, since datadogpy raises
/// on non-JSON bodies and datadog-api-client on empty ones). A temporary storage failure (a
/// full disk) is `503` with a `Retry-After` header; the Agent keeps such payloads and retries.
struct DatadogErrorResponse: Error {
    /// The HTTP status.
    let status: HTTPResponse.Status
    /// The messages, in order.
    let messages: [String]
    /// Seconds sent as `Retry-After`; nil sends no header.
    let retryAfterSeconds: Int?

    init(status: HTTPResponse.Status, messages: [String], retryAfterSeconds: Int? = nil) {
        self.status = status
        self.messages = messages
        self.retryAfterSeconds = retryAfterSeconds
    }

    /// Maps a classified error; Datadog answers every decoding problem with `400` (the Agent drops
    /// a payload on 400 but retries 422 and most other codes).
    init(_ error: some ClassifiedError) {
        let status: HTTPResponse.Status
        switch error.kind {
        case .limitExceeded, .unprocessable: status = .badRequest
        default: status = error.kind.defaultStatus
        }
        self.init(status: status, messages: [error.message], retryAfterSeconds: RetryAfter.seconds(for: error))
    }

    /// `403 {"errors": ["API key required"]}` (recorded Datadog response to a missing key).
    static let keyRequired = DatadogErrorResponse(status: .forbidden, messages: ["API key required"])
    /// `403 {"errors": ["Forbidden"]}` for an unknown key or one without the needed scope.
    static let forbidden = DatadogErrorResponse(status: .forbidden, messages: ["Forbidden"])

    /// The response with the envelope as its body.
    var response: Response {
        var writer = JSONWriter(capacity: 64)
        writer.raw("{\"errors\": [")
        var comma = false
        for message in messages {
            writer.comma(&comma)
            writer.string(message)
        }
        writer.raw("]}")
        var response = Response.json(status: status, writer.buffer)
        if let retryAfterSeconds { response.headers.setRetryAfter(seconds: retryAfterSeconds) }
        return response
    }
}
