/// The class of a failure, independent of how any vendor renders it.
///
/// Errors are classified once, where they happen, and rendered per dialect: each dialect maps
/// a kind to its vendor's status code and envelope (BasinHTTP holds the default table).
public enum ErrorKind: String, Sendable, Hashable {
    /// The request is malformed (syntax, types, missing fields).
    case badRequest = "bad_request"
    /// The request is well-formed but semantically invalid (Prometheus `bad_data` at execution).
    case unprocessable = "unprocessable"
    /// No credentials, or credentials that match no token.
    case unauthorized = "unauthorized"
    /// A valid token without the scope the endpoint needs.
    case forbidden = "forbidden"
    /// The addressed resource does not exist.
    case notFound = "not_found"
    /// The resource to create exists already.
    case conflict = "conflict"
    /// The method is not allowed on this path.
    case methodNotAllowed = "method_not_allowed"
    /// The body is over a size limit (before or after decompression).
    case payloadTooLarge = "payload_too_large"
    /// An unknown `Content-Encoding` or an unsupported content type.
    case unsupportedMediaType = "unsupported_media_type"
    /// A per-request limit other than size (labels, fields, points, query cost).
    case limitExceeded = "limit_exceeded"
    /// A query ran over its time budget.
    case timeout = "timeout"
    /// The server is shutting down or storage is unavailable.
    case unavailable = "unavailable"
    /// A bug or an I/O failure.
    case internalError = "internal"
}

/// An error that knows its ``ErrorKind`` and carries a message fit to show the client.
public protocol ClassifiedError: Error {
    /// The class of the failure.
    var kind: ErrorKind { get }
    /// A human-readable message, naming the field, limit or position at fault.
    var message: String { get }
}
