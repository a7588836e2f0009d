/// Why a query cannot be answered.
public enum DynatraceQueryError: Error, Sendable, Equatable {
    /// The selector is valid syntax but not a valid query (`400`).
    case badSelector(String)
    /// No metric has this key (`404`).
    case metricNotFound(String)
}
