import BasinModel

/// A query over one dataset: the records IR every records query language lowers to.
///
/// Records in `[startNanos, endNanos)` flow through ``stages`` in order, like the pipes of an
/// APL query. Stages before the first `summarize`, `sort`, `distinct` or `limit` run while the
/// store reads (predicates on raw fields also prune partitions by their statistics); a
/// `summarize` folds records into groups as they are read, so no stage holds all matching
/// records unless the query asks for all of them.
public struct RecordQuery: Sendable {
    public var org: OrgID
    public var dataset: String
    /// Inclusive lower bound on the record time, nanoseconds.
    public var startNanos: Int64
    /// Exclusive upper bound on the record time, nanoseconds.
    public var endNanos: Int64
    public var stages: [RecordStage]
    /// Rows returned at most when the stages end without a `limit` (APL's default cap).
    public var defaultLimit: Int
    public var limits: RecordQueryLimits

    public init(
        org: OrgID, dataset: String, startNanos: Int64, endNanos: Int64, stages: [RecordStage],
        defaultLimit: Int = 1000, limits: RecordQueryLimits = RecordQueryLimits()
    ) {
        self.org = org
        self.dataset = dataset
        self.startNanos = startNanos
        self.endNanos = endNanos
        self.stages = stages
        self.defaultLimit = defaultLimit
        self.limits = limits
    }
}

/// Query cost limits; over one the scan fails with `limitExceeded` naming it.
public struct RecordQueryLimits: Sendable, Hashable {
    /// Groups a `summarize` or `distinct` may hold.
    public var maxGroups: Int
    /// Rows a `sort` without a following `limit` may hold, and rows returned.
    public var maxRows: Int
    /// Elements one `make_list`/`make_set`/`topk` keeps per group.
    public var maxListElements: Int

    public init(maxGroups: Int = 100_000, maxRows: Int = 100_000, maxListElements: Int = 10_000) {
        self.maxGroups = maxGroups
        self.maxRows = maxRows
        self.maxListElements = maxListElements
    }
}

/// One pipe of a records query.
public enum RecordStage: Sendable {
    /// Keeps rows for which the expression is `true`.
    case filter(RecordExpr)
    /// Adds (or replaces) columns computed per row.
    case extend([NamedExpr])
    /// Keeps only these columns, in this order, computing them.
    case project([NamedExpr])
    /// Drops the named top-level columns (`*` in a name is a wildcard).
    case projectAway([String])
    /// Groups rows by the keys and folds each group with the aggregates; the output has the
    /// key columns then the aggregate columns.
    case summarize(aggregates: [NamedAggregate], by: [NamedExpr])
    /// Orders rows.
    case sort([SortKey])
    /// Keeps the first rows.
    case limit(Int)
    /// Skips the first rows.
    case offset(Int)
    /// Unique combinations of the expressions.
    case distinct([NamedExpr])
}

/// A computed column.
public struct NamedExpr: Sendable {
    public var name: String
    public var expr: RecordExpr

    public init(_ name: String, _ expr: RecordExpr) {
        self.name = name
        self.expr = expr
    }
}

/// A sort key; rows with a null key come last ascending and first descending unless said.
public struct SortKey: Sendable {
    public var expr: RecordExpr
    public var descending: Bool

    public init(_ expr: RecordExpr, descending: Bool) {
        self.expr = expr
        self.descending = descending
    }
}

/// An aggregate and its output column name.
public struct NamedAggregate: Sendable {
    public var name: String
    public var aggregate: RecordAggregate

    public init(_ name: String, _ aggregate: RecordAggregate) {
        self.name = name
        self.aggregate = aggregate
    }
}

/// The aggregates a `summarize` computes. Nulls are skipped by every aggregate but `count`.
public enum RecordAggregate: Sendable {
    /// Rows in the group.
    case count
    /// Rows for which the predicate is true.
    case countIf(RecordExpr)
    case sum(RecordExpr)
    /// Sum of the values for which the predicate is true.
    case sumIf(RecordExpr, RecordExpr)
    case avg(RecordExpr)
    case min(RecordExpr)
    case max(RecordExpr)
    /// Distinct non-null values (exact up to the group-size limit).
    case dcount(RecordExpr)
    /// The value at percentile `p` (0–100), nearest-rank over the group's values.
    case percentile(RecordExpr, Double)
    /// The `k` most frequent values with their counts, as an array of `{key, count}` objects.
    case topk(RecordExpr, Int)
    /// The values in read order, as an array.
    case makeList(RecordExpr)
    /// The distinct values, as an array.
    case makeSet(RecordExpr)
}

/// A scalar expression over one row.
public indirect enum RecordExpr: Sendable {
    /// A field by path; `_time` names the record time. A path whose first key is not a
    /// top-level field is also looked up as one dotted name (`geo.city`).
    case field(FieldPath)
    case literal(FieldValue)
    case not(RecordExpr)
    case negate(RecordExpr)
    case binary(RecordBinaryOp, RecordExpr, RecordExpr)
    /// A string test of `lhs` against `rhs`; case-insensitive unless `caseSensitive`.
    case stringTest(RecordStringOp, RecordExpr, RecordExpr, caseSensitive: Bool, negated: Bool)
    /// A regular expression search (partial match, case-sensitive; RE2-style syntax as Swift's
    /// `Regex` reads it). An invalid pattern fails the query with `badRequest`.
    case regex(RecordExpr, pattern: String, negated: Bool)
    /// Membership in a list of values.
    case inList(RecordExpr, [RecordExpr], caseSensitive: Bool, negated: Bool)
    /// `low <= x <= high`.
    case between(RecordExpr, RecordExpr, RecordExpr, negated: Bool)
    /// A scalar function of ``RecordFunction``.
    case call(RecordFunction, [RecordExpr])
    /// Whether any string field (nested ones included) contains the text.
    case search(String, caseSensitive: Bool)
}

/// Binary operators. Comparisons with a null are false, except `!=` which is true when exactly
/// one side is null.
public enum RecordBinaryOp: String, Sendable {
    case eq = "==", ne = "!=", lt = "<", le = "<=", gt = ">", ge = ">="
    case and, or
    case add = "+", subtract = "-", multiply = "*", divide = "/", modulo = "%"
}

/// String tests.
public enum RecordStringOp: String, Sendable {
    /// Equality (`=~` when case-insensitive).
    case equals
    case contains, startsWith, endsWith
    /// A whole term: `rhs` equals one of the runs of letters and digits of `lhs`.
    case has
    case hasPrefix, hasSuffix
}

/// Scalar functions the evaluator knows. Arities are checked when a query is lowered.
public enum RecordFunction: String, Sendable, CaseIterable {
    /// `iff(cond, then, else)`.
    case iff
    /// `case(c1, v1, c2, v2, …, else)`.
    case `case`
    /// `bin(x, size)`: `floor(x / size) * size` for numbers, timestamps (size in ns) and timespans.
    case bin
    case tostring, toint, toreal, tobool, todatetime
    case strlen, tolower, toupper, strcat, substring
    case isnull, isnotnull, isempty, isnotempty
    case abs, floor, round, sqrt, log, log10, exp, pow
    case coalesce
    case arrayLength = "array_length"
    case gettype

    /// Allowed argument counts.
    public var arity: ClosedRange<Int> {
        switch self {
        case .iff: 3...3
        case .case: 3...255
        case .bin, .pow: 2...2
        case .round: 1...2
        case .substring: 2...3
        case .strcat, .coalesce: 1...64
        default: 1...1
        }
    }
}

/// A path into a record: a top-level field, then object members and array indexes.
public struct FieldPath: Sendable, Hashable, CustomStringConvertible {
    public enum Component: Sendable, Hashable {
        case member(String)
        case index(Int)
    }

    public var components: [Component]

    public init(_ components: [Component]) {
        self.components = components
    }

    /// A top-level field.
    public init(field name: String) {
        self.components = [.member(name)]
    }

    /// The record time.
    public static let time = FieldPath(field: "_time")

    /// The top-level field name, when the path starts with a member.
    public var head: String? {
        if case .member(let name)? = components.first { return name }
        return nil
    }

    public var description: String {
        var s = ""
        for c in components {
            switch c {
            case .member(let m): s += s.isEmpty ? m : "." + m
            case .index(let i): s += "[\(i)]"
            }
        }
        return s
    }
}

/// What a query answers.
public struct RecordQueryResult: Sendable {
    /// The output: the records when no stage changed their shape into a table, else a table.
    public var output: RecordQueryOutput
    /// Records read from the dataset in the time range (before any filter).
    public var recordsExamined: Int
    /// Records that passed every filter stage (before any limit).
    public var recordsMatched: Int
    /// Partitions whose statistics let the scan skip them.
    public var partitionsSkipped: Int
    /// Partitions (and the in-memory head) read.
    public var partitionsExamined: Int

    public init(output: RecordQueryOutput, recordsExamined: Int, recordsMatched: Int, partitionsSkipped: Int, partitionsExamined: Int) {
        self.output = output
        self.recordsExamined = recordsExamined
        self.recordsMatched = recordsMatched
        self.partitionsSkipped = partitionsSkipped
        self.partitionsExamined = partitionsExamined
    }
}

/// Records (with computed fields) or a table of columns.
public enum RecordQueryOutput: Sendable {
    /// Matching records when the stages hold no `summarize` or `distinct` (a `project` keeps
    /// the time and replaces the fields), in the order the stages left them: newest first
    /// without a sort.
    case records([Record])
    /// Named columns and rows, after a `summarize` or `distinct`.
    case table(RecordTable)
}

/// A result table.
public struct RecordTable: Sendable, Hashable {
    public var columns: [String]
    /// Row-major values, one array per row, `columns.count` long.
    public var rows: [[FieldValue]]

    public init(columns: [String], rows: [[FieldValue]]) {
        self.columns = columns
        self.rows = rows
    }
}
