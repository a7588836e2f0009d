/// One typed value of a record field, as a client sent it.
///
/// Objects keep their members in the order they arrived (and may repeat a name, as JSON may),
/// so a record reads back exactly as it was written.
public enum FieldValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case int(Int64)
    case float(Double)
    case string(String)
    /// Nanoseconds since the Unix epoch, UTC.
    case timestamp(Int64)
    case array([FieldValue])
    case object([RecordField])

    /// The value's type, for schemas and statistics.
    public var type: FieldType {
        switch self {
        case .null: .null
        case .bool: .bool
        case .int: .int
        case .float: .float
        case .string: .string
        case .timestamp: .timestamp
        case .array: .array
        case .object: .object
        }
    }

    /// Whether the value is null.
    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    /// The member `name` of an object (the first one when repeated); nil for other values.
    public subscript(member name: String) -> FieldValue? {
        guard case .object(let members) = self else { return nil }
        return members.first { $0.name == name }?.value
    }
}

/// The types a field value can have.
public enum FieldType: String, Sendable, Hashable, CaseIterable, Comparable {
    case null, bool, int, float, string, timestamp, array, object

    public static func < (lhs: FieldType, rhs: FieldType) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

/// A named field of a record or a member of an object value.
public struct RecordField: Sendable, Hashable {
    public var name: String
    public var value: FieldValue

    public init(_ name: String, _ value: FieldValue) {
        self.name = name
        self.value = value
    }
}
