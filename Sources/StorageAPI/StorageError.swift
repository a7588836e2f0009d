import BasinModel

/// A failure reported by a ``MetricStore``.
public struct StorageError: ClassifiedError, CustomStringConvertible {
    public var kind: ErrorKind
    public var message: String

    public init(kind: ErrorKind, message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { "\(kind.rawValue): \(message)" }
}
