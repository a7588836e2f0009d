/// An organisation: every stored byte belongs to exactly one.
///
/// Names are short ASCII identifiers (`default` is created at first start).
public struct OrgID: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The organisation's name.
    public let name: String

    public init(_ name: String) {
        self.name = name
    }

    /// The organisation created at first start.
    public static let `default` = OrgID("default")

    public var description: String { name }

    public static func < (lhs: OrgID, rhs: OrgID) -> Bool { lhs.name < rhs.name }
}
