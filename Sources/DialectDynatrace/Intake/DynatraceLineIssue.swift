/// One line reported back to the client: its 1-based number in the body and a message.
public struct DynatraceLineIssue: Sendable, Equatable {
    /// The line's 1-based number in the body (blank lines count, as an editor would show them).
    public var line: Int
    /// The error or warning text.
    public var message: String

    public init(line: Int, message: String) {
        self.line = line
        self.message = message
    }
}
