/// A bad query parameter, rendered as Dynatrace's `Constraints violated.` envelope with the
/// parameter as the violation's `path`.
public struct DynatraceParameterError: Error, Sendable, Equatable {
    /// The query parameter at fault (`metricSelector`, `from`, `resolution`, …).
    public let parameter: String
    /// What is wrong.
    public let message: String

    public init(parameter: String, message: String) {
        self.parameter = parameter
        self.message = message
    }
}
