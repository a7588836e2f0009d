import BasinModel

/// One condition on a label, as in a PromQL selector.
///
/// A missing label reads as the empty string, so `foo=""` matches series without `foo`
/// and `foo!=""` matches series that have it, exactly as in Prometheus. Regular expressions are
/// fully anchored.
public struct LabelMatcher: Sendable, Hashable, CustomStringConvertible {
    public enum Operator: String, Sendable, Hashable {
        case equal = "="
        case notEqual = "!="
        case regexMatch = "=~"
        case regexNoMatch = "!~"
    }

    public let name: String
    public let op: Operator
    public let value: String
    let regex: AnchoredRegex?

    /// Creates a matcher; regular expressions are compiled here.
    /// - Throws: ``StorageError`` of kind `badRequest` naming the invalid regular expression.
    public init(name: String, op: Operator, value: String) throws(StorageError) {
        self.name = name
        self.op = op
        self.value = value
        switch op {
        case .equal, .notEqual:
            regex = nil
        case .regexMatch, .regexNoMatch:
            regex = try AnchoredRegex(value)
        }
    }

    /// An equality matcher (never throws).
    public static func equal(_ name: String, _ value: String) -> LabelMatcher {
        LabelMatcher(uncheckedName: name, op: .equal, value: value)
    }

    private init(uncheckedName: String, op: Operator, value: String) {
        self.name = uncheckedName
        self.op = op
        self.value = value
        self.regex = nil
    }

    /// Whether a label value (empty when the label is absent) satisfies the matcher.
    public func matches(_ candidate: String) -> Bool {
        switch op {
        case .equal: candidate == value
        case .notEqual: candidate != value
        case .regexMatch: regex?.matches(candidate) ?? false
        case .regexNoMatch: !(regex?.matches(candidate) ?? false)
        }
    }

    /// Whether the matcher accepts the empty string (and so series lacking the label).
    public var matchesEmpty: Bool { matches("") }

    public var description: String {
        "\(name)\(op.rawValue)\"\(value)\""
    }

    public static func == (lhs: LabelMatcher, rhs: LabelMatcher) -> Bool {
        lhs.name == rhs.name && lhs.op == rhs.op && lhs.value == rhs.value
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(name)
        hasher.combine(op)
        hasher.combine(value)
    }
}
