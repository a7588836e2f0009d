/// A parsed PromQL expression and the byte offset where it starts.
public struct PromQLExpr: Sendable, Equatable {
    public indirect enum Kind: Sendable, Equatable {
        case number(Double)
        case string(String)
        case vectorSelector(PromQLSelector)
        case matrixSelector(PromQLSelector, rangeMillis: Int64)
        /// `expr[range:step]`; parsed so it can be rejected by name.
        case subquery(PromQLExpr, rangeMillis: Int64, stepMillis: Int64?)
        case call(name: String, arguments: [PromQLExpr])
        case aggregate(op: String, grouping: PromQLGrouping?, parameter: PromQLExpr?, input: PromQLExpr)
        case binary(op: String, lhs: PromQLExpr, rhs: PromQLExpr, modifiers: PromQLBinaryModifiers)
        case unaryMinus(PromQLExpr)
        case parenthesized(PromQLExpr)
    }

    public var kind: Kind
    /// Byte offset of the expression's first token.
    public var offset: Int

    public init(_ kind: Kind, offset: Int) {
        self.kind = kind
        self.offset = offset
    }
}

/// An instant vector selector: `name{matchers} offset d @ t`.
public struct PromQLSelector: Sendable, Equatable {
    /// The metric name given outside the braces or as a bare quoted string inside them.
    public var metricName: String?
    public var matchers: [PromQLMatcher]
    /// `offset` in milliseconds (negative allowed).
    public var offsetMillis: Int64
    public var at: PromQLAt?

    public init(metricName: String? = nil, matchers: [PromQLMatcher] = [], offsetMillis: Int64 = 0, at: PromQLAt? = nil) {
        self.metricName = metricName
        self.matchers = matchers
        self.offsetMillis = offsetMillis
        self.at = at
    }
}

/// One `name op "value"` inside braces.
public struct PromQLMatcher: Sendable, Equatable {
    public var name: String
    /// `=`, `!=`, `=~` or `!~`.
    public var op: String
    public var value: String
    public var offset: Int

    public init(name: String, op: String, value: String, offset: Int) {
        self.name = name
        self.op = op
        self.value = value
        self.offset = offset
    }
}

/// The `@` modifier.
public enum PromQLAt: Sendable, Equatable {
    case seconds(Double)
    case start
    case end
}

/// `by (...)` or `without (...)`.
public struct PromQLGrouping: Sendable, Equatable {
    public var without: Bool
    public var labels: [String]

    public init(without: Bool, labels: [String]) {
        self.without = without
        self.labels = labels
    }
}

/// `bool`, `on`/`ignoring` and `group_left`/`group_right` of a binary operation.
public struct PromQLBinaryModifiers: Sendable, Equatable {
    public var returnBool = false
    /// nil when neither `on` nor `ignoring` was given.
    public var matching: (on: Bool, labels: [String])? {
        get { matchingOn.map { ($0, matchingLabels) } }
        set {
            matchingOn = newValue?.on
            matchingLabels = newValue?.labels ?? []
        }
    }
    /// `group_left` or `group_right`, when given.
    public var group: String?
    /// The labels listed after `group_left` / `group_right`.
    public var include: [String] = []
    private var matchingOn: Bool?
    private var matchingLabels: [String] = []

    public init() {}

    public static func == (a: PromQLBinaryModifiers, b: PromQLBinaryModifiers) -> Bool {
        a.returnBool == b.returnBool && a.matchingOn == b.matchingOn && a.matchingLabels == b.matchingLabels && a.group == b.group
            && a.include == b.include
    }
}
