import BasinModel

/// A failure while lowering or evaluating a query.
///
/// `badRequest` is a fault in the query text or its types, `unprocessable` an execution
/// failure (duplicate series, too many samples), `timeout` a query over its time budget.
public struct QueryError: ClassifiedError, CustomStringConvertible, Equatable {
    public var kind: ErrorKind
    public var message: String

    public init(kind: ErrorKind, message: String) {
        self.kind = kind
        self.message = message
    }

    /// An execution failure (`unprocessable`).
    public static func execution(_ message: String) -> QueryError {
        QueryError(kind: .unprocessable, message: message)
    }

    /// A query fault (`badRequest`).
    public static func badQuery(_ message: String) -> QueryError {
        QueryError(kind: .badRequest, message: message)
    }

    public var description: String { message }
}
