import BasinModel

/// A failure reported by a ``MetricStore``.
public struct StorageError: ClassifiedError, CustomStringConvertible {
    public var kind: ErrorKind
    public var message: String
    /// How many seconds a client should wait before retrying, when the failure is temporary
    /// (for example 5 for a full disk, kind `unavailable`); nil when retrying soon would not help
    /// or the store cannot tell. Rendered by the HTTP layer as a `Retry-After` header.
    public var retryAfterSeconds: Int?

    /// Creates an error.
    ///
    /// - Parameters:
    ///   - kind: the class of the failure (mapped to a status by each dialect).
    ///   - message: a message fit to show the client.
    ///   - retryAfterSeconds: seconds after which a retry may succeed; nil (the default) when
    ///     unknown or not applicable.
    public init(kind: ErrorKind, message: String, retryAfterSeconds: Int? = nil) {
        self.kind = kind
        self.message = message
        self.retryAfterSeconds = retryAfterSeconds
    }

    public var description: String { "\(kind.rawValue): \(message)" }
}
