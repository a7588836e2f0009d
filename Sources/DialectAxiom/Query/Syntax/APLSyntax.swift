import BasinModel
import StorageAPI

/// The APL syntax tree: what the query says, with byte offsets for error messages, before any
/// meaning is given to names (that is ``APLLowering``'s job).
public enum APLSyntax {
    /// A whole query: a tabular source and its pipes.
    public struct Query: Sendable {
        public var source: Source
        public var operators: [Operator]
    }

    /// The dataset a query reads, and the search of `search in (ds) "text"`.
    public struct Source: Sendable {
        public var dataset: String
        public var offset: Int
        public var search: Search?
    }

    /// A `search` predicate: one string.
    public struct Search: Sendable {
        public var text: String
        public var caseSensitive: Bool
    }

    /// One tabular operator, at the offset of its name.
    public struct Operator: Sendable {
        public var kind: OperatorKind
        public var offset: Int
    }

    /// The tabular operators of the supported subset (`filter` is read as `where`, `order` as
    /// `sort`, `limit` as `take`).
    public enum OperatorKind: Sendable {
        case `where`(Expr)
        case project([Assignment])
        case extend([Assignment])
        /// Column names, `*` standing for any run of characters.
        case projectAway([String])
        case summarize(aggregates: [Assignment], by: [Assignment])
        case sort([SortItem])
        case take(Int64)
        case top(Int64, [SortItem])
        case count
        case distinct([Assignment])
        case search(Search)
    }

    /// `name = expr` or a bare `expr`.
    public struct Assignment: Sendable {
        public var name: String?
        public var expr: Expr
    }

    /// A sort key; the direction is descending unless `asc` was written.
    public struct SortItem: Sendable {
        public var expr: Expr
        public var descending: Bool
    }

    /// An expression and the byte range it spans in the query.
    public struct Expr: Sendable {
        public var kind: ExprKind
        public var offset: Int
        public var endOffset: Int
    }

    /// Expression forms; operators keep their APL spelling until lowering.
    public indirect enum ExprKind: Sendable {
        case int(Int64)
        case real(Double)
        case string(String)
        case bool(Bool)
        case null
        /// Nanoseconds.
        case timespan(Int64)
        /// The contents of `datetime(…)`, not yet read.
        case datetime(String)
        /// `dynamic(…)`.
        case dynamic(FieldValue)
        /// A column or a path into one: `a.b`, `['geo.city']`, `a['b'][0]`.
        case path([FieldPath.Component])
        case call(String, [Expr])
        /// `-x`, `+x`.
        case unary(String, Expr)
        /// Symbolic and word operators: `==`, `and`, `contains`, `!has_cs`, `=~`, `+`, ….
        case binary(String, Expr, Expr)
        /// `in`, `!in`, `in~`, `!in~`, `has_any`, `has_all` with their parenthesised list.
        case list(String, Expr, [Expr])
        case between(Expr, Expr, Expr, negated: Bool)
        /// `matches regex`.
        case regex(Expr, Expr, negated: Bool)
    }
}
