import BasinModel

/// A metric selector that does not parse, or uses a construct Basin does not support.
///
/// `offset` is the 0-based character position in the selector where the problem starts.
public struct DynatraceSelectorError: Error, Sendable, Equatable, ClassifiedError {
    /// What is wrong, naming the construct.
    public let reason: String
    /// The 0-based character offset in the selector.
    public let offset: Int

    public init(_ reason: String, at offset: Int) {
        self.reason = reason
        self.offset = offset
    }

    public var kind: ErrorKind { .badRequest }
    /// `<reason> at position <offset>`.
    public var message: String { "\(reason) at position \(offset)" }
}
