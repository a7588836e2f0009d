import BasinModel

/// A query Basin cannot parse or evaluate, with the byte offset it refers to when there is one.
///
/// Rendered in Datadog's envelope as `Error parsing query: <message> at position <n>`
/// (the wording real Datadog uses for parse errors).
public struct DatadogQueryError: ClassifiedError, Equatable, CustomStringConvertible {
    public var kind: ErrorKind
    /// What is wrong, without the prefix.
    public var reason: String
    /// Byte offset in the query text, nil when the error is not about one place.
    public var position: Int?

    public init(_ reason: String, position: Int?, kind: ErrorKind = .badRequest) {
        self.kind = kind
        self.reason = reason
        self.position = position
    }

    public var message: String {
        if let position { return "Error parsing query: \(reason) at position \(position)" }
        return "Error parsing query: \(reason)"
    }

    public var description: String { message }
}
