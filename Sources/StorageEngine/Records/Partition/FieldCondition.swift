import BasinModel
import StorageAPI

/// A leading conjunct of a query in the one shape that partition pruning and row narrowing
/// read: a single top-level field tested against literals, with the field on the left.
///
/// `field <op> literal` and `literal <op> field` (for `==`, `<`, `<=`, `>`, `>=`), case-sensitive
/// string equality, case-sensitive `in` lists of literals, and `isnotnull(field)`. Anything
/// else is not a condition (nil), so a consumer keeps every partition and row for it.
struct FieldCondition {
    enum Test {
        /// `field <op> value`, `op` one of `==`, `<`, `<=`, `>`, `>=`.
        case compare(RecordBinaryOp, FieldValue)
        /// Equal to one of the values (case-sensitive for strings).
        case oneOf([FieldValue])
        case notNull
    }

    /// The top-level field (`_time` for the record time).
    let field: String
    let test: Test

    init?(_ e: RecordExpr) {
        switch e {
        case .binary(let op, .field(let path), .literal(let v)):
            guard let name = Self.name(path), Self.isComparison(op) else { return nil }
            (field, test) = (name, .compare(op, v))
        case .binary(let op, .literal(let v), .field(let path)):
            guard let name = Self.name(path), let flipped = Self.flip(op) else { return nil }
            (field, test) = (name, .compare(flipped, v))
        case .stringTest(.equals, .field(let path), .literal(.string(let s)), caseSensitive: true, negated: false):
            guard let name = Self.name(path) else { return nil }
            (field, test) = (name, .compare(.eq, .string(s)))
        case .inList(.field(let path), let items, caseSensitive: true, negated: false):
            guard let name = Self.name(path) else { return nil }
            var values: [FieldValue] = []
            for item in items {
                guard case .literal(let v) = item else { return nil }
                values.append(v)
            }
            (field, test) = (name, .oneOf(values))
        case .call(.isnotnull, let args):
            guard args.count == 1, case .field(let path) = args[0], let name = Self.name(path) else { return nil }
            (field, test) = (name, .notNull)
        default:
            return nil
        }
    }

    private static func isComparison(_ op: RecordBinaryOp) -> Bool {
        [.eq, .lt, .le, .gt, .ge].contains(op)
    }

    /// The operator with its operands swapped (`5 > x` is `x < 5`).
    private static func flip(_ op: RecordBinaryOp) -> RecordBinaryOp? {
        switch op {
        case .eq: .eq
        case .lt: .gt
        case .le: .ge
        case .gt: .lt
        case .ge: .le
        default: nil
        }
    }

    /// A path naming exactly one top-level field (a longer path may also mean a dotted name).
    private static func name(_ path: FieldPath) -> String? {
        guard path.components.count == 1, case .member(let name) = path.components[0] else { return nil }
        return name
    }
}
