import BasinHTTP
import BasinModel
import BasinWire
import HTTPTypes
import Hummingbird
import NIOCore

/// A failure answered the way SignalFx peers do: a status and a JSON string body
/// (`"Invalid token specified."`, spec §2.3 and §2.5). No client parses error bodies; golib and
/// the OTel exporter only look at the status (400/401/403 permanent, 429/503 retried with
/// `Retry-After`).
struct SignalFxErrorResponse: Error {
    /// The HTTP status.
    let status: HTTPResponse.Status
    /// The message, sent as a JSON string.
    let message: String
    /// Seconds sent as `Retry-After`; nil sends no header.
    let retryAfterSeconds: Int?

    init(status: HTTPResponse.Status, message: String, retryAfterSeconds: Int? = nil) {
        self.status = status
        self.message = message
        self.retryAfterSeconds = retryAfterSeconds
    }

    /// `401`: no `X-SF-Token`, or one no Basin token has (spec §2.3; the text of Splunk's REST API).
    static let invalidToken = SignalFxErrorResponse(status: .unauthorized, message: "Invalid token specified.")
    /// `401`: a live token without Basin's `ingest` scope (DOC: "the token in X-SF-TOKEN is not
    /// authorized to send data to the organization").
    static let missingIngestScope = SignalFxErrorResponse(
        status: .unauthorized, message: "The token in X-SF-Token is not authorized to send data (it lacks the ingest scope).")
    /// `405` for methods other than `POST` (spec §8 vector 22 recommends 405 or 400; the text is the OTel receiver's).
    static let onlyPost = SignalFxErrorResponse(status: .methodNotAllowed, message: "Only \"POST\" method is supported")
    /// `415` for OTLP metrics on `/v2/datapoint` (`application/x-protobuf;format=otlp`), which Basin does not decode.
    static let otlpUnsupported = SignalFxErrorResponse(
        status: .unsupportedMediaType, message: "\"Content-Type\" application/x-protobuf;format=otlp is not supported on /v2/datapoint")

    /// `415` for a `Content-Type` that is neither JSON nor protobuf (spec §8 vector 19).
    static func unsupportedContentType(_ value: String) -> SignalFxErrorResponse {
        SignalFxErrorResponse(
            status: .unsupportedMediaType,
            message: "\"Content-Type\" must be either \"application/json\" or \"application/x-protobuf\", not \"\(value)\"")
    }

    /// `400` for a JSON body that cannot be parsed, with the gateway's text and the position.
    static func invalidJSON(_ error: WireError) -> SignalFxErrorResponse {
        SignalFxErrorResponse(
            status: .badRequest,
            message: "invalid JSON format; please see correct format at https://developers.signalfx.com/ingest_data_reference.html (\(error.message))")
    }

    /// `400` for a protobuf body that cannot be parsed (the OTel receiver's text and the position).
    static func invalidProtobuf(_ error: WireError) -> SignalFxErrorResponse {
        SignalFxErrorResponse(status: .badRequest, message: "Failed to unmarshal message body (\(error.message))")
    }

    /// A body that could not be read: `413` over the size limit, `415` for an unknown
    /// `Content-Encoding`, `400` for corrupt compressed data (spec §2.2, §8 vectors 17–18).
    init(_ error: BodyError) {
        switch error.kind {
        case .payloadTooLarge: self.init(status: .contentTooLarge, message: error.message)
        case .unsupportedMediaType: self.init(status: .unsupportedMediaType, message: error.message)
        default: self.init(status: .badRequest, message: "error handling compressed request: \(error.message)")
        }
    }

    /// A storage failure: `503` with `Retry-After` when it clears up by itself, `400` for limits,
    /// else `500`.
    init(storage error: any Error) {
        guard let classified = error as? any ClassifiedError else {
            self.init(status: .internalServerError, message: "Internal Server Error")
            return
        }
        switch classified.kind {
        case .unavailable, .timeout:
            self.init(status: .serviceUnavailable, message: classified.message, retryAfterSeconds: RetryAfter.seconds(for: error))
        case .limitExceeded, .badRequest, .unprocessable:
            self.init(status: .badRequest, message: classified.message)
        default:
            self.init(status: .internalServerError, message: "Internal Server Error")
        }
    }

    /// The response: the message as a JSON string.
    var response: Response {
        var writer = JSONWriter(capacity: message.utf8.count + 8)
        writer.string(message)
        var response = Response.json(status: status, writer.buffer)
        if let retryAfterSeconds { response.headers.setRetryAfter(seconds: retryAfterSeconds) }
        if status == .methodNotAllowed { response.headers[.allow] = "POST" }
        return response
    }
}
