import BasinModel
import StorageAPI

/// Lowers APL to the records IR: parses with ``APLParser``, then gives the syntax its meaning
/// (operator semantics, function names and arities, default column names, time folding).
public enum APLLowering {
    /// Parses and lowers `apl`.
    /// - Parameters:
    ///   - startNanos: the query window's inclusive start; `bin_auto` sizes its buckets from it.
    ///   - endNanos: the window's exclusive end.
    ///   - nowNanos: the instant `ago()` and `now()` count from.
    /// - Throws: ``APLError`` (`badRequest`) naming the construct and its line:column: syntax
    ///   errors, constructs outside the supported subset, unknown functions, wrong arities.
    public static func lower(_ apl: String, startNanos: Int64, endNanos: Int64, nowNanos: Int64) throws(APLError) -> APLQuery {
        var parser = try APLParser(apl)
        let syntax = try parser.parseQuery()
        var context = Context(source: parser.source, startNanos: startNanos, endNanos: endNanos, nowNanos: nowNanos)
        return try context.lower(syntax)
    }

    /// The state of one lowering: the query text (for positions and argument text), the time
    /// window, and the metadata of the last summarize.
    struct Context {
        let source: [UInt8]
        let startNanos: Int64
        let endNanos: Int64
        let nowNanos: Int64
        var aggregations: [APLAggregationInfo] = []
        var timeBin: APLTimeBin?
        var groupBy: [String] = []

        func fail(_ reason: String, at offset: Int) -> APLError { APLError(reason, at: offset, in: source) }

        /// The query text an expression spans.
        func text(of expr: APLSyntax.Expr) -> String {
            let lower = max(0, min(expr.offset, source.count))
            let upper = max(lower, min(expr.endOffset, source.count))
            return String(decoding: source[lower..<upper], as: UTF8.self)
        }

        mutating func lower(_ query: APLSyntax.Query) throws(APLError) -> APLQuery {
            var stages: [RecordStage] = []
            if let search = query.source.search {
                stages.append(.filter(.search(search.text, caseSensitive: search.caseSensitive)))
            }
            for op in query.operators {
                stages += try lower(op)
            }
            return APLQuery(
                dataset: query.source.dataset, stages: stages, aggregations: aggregations, timeBin: timeBin,
                groupBy: groupBy)
        }

        mutating func lower(_ op: APLSyntax.Operator) throws(APLError) -> [RecordStage] {
            switch op.kind {
            case .where(let predicate):
                return [.filter(try lowerExpr(predicate))]
            case .project(let columns):
                return [.project(try lowerColumns(columns))]
            case .extend(let columns):
                return [.extend(try lowerColumns(columns))]
            case .projectAway(let patterns):
                return [.projectAway(patterns)]
            case .summarize(let aggregates, let keys):
                return [try lowerSummarize(aggregates, by: keys)]
            case .sort(let items):
                return [.sort(try lowerSortKeys(items))]
            case .take(let count):
                return [.limit(try rowCount(count, at: op.offset))]
            case .top(let count, let items):
                return [.sort(try lowerSortKeys(items)), .limit(try rowCount(count, at: op.offset))]
            case .count:
                aggregations = [APLAggregationInfo(column: "count", name: "count")]
                timeBin = nil
                groupBy = []
                return [.summarize(aggregates: [NamedAggregate("count", .count)], by: [])]
            case .distinct(let columns):
                aggregations = []
                timeBin = nil
                groupBy = []
                return [.distinct(try lowerColumns(columns))]
            case .search(let search):
                return [.filter(.search(search.text, caseSensitive: search.caseSensitive))]
            }
        }

        func rowCount(_ count: Int64, at offset: Int) throws(APLError) -> Int {
            guard let rows = Int(exactly: count) else { throw fail("row count \(count) out of range", at: offset) }
            return rows
        }

        mutating func lowerSortKeys(_ items: [APLSyntax.SortItem]) throws(APLError) -> [SortKey] {
            var keys: [SortKey] = []
            for item in items {
                keys.append(SortKey(try lowerExpr(item.expr), descending: item.descending))
            }
            return keys
        }

        /// Columns of `project`, `extend` and `distinct`: a column keeps its name, other
        /// expressions are `Column1`, `Column2`, … unless named (Kusto's convention).
        mutating func lowerColumns(_ columns: [APLSyntax.Assignment]) throws(APLError) -> [NamedExpr] {
            var out: [NamedExpr] = []
            var unnamed = 0
            for column in columns {
                let expr = try lowerExpr(column.expr)
                var name = column.name ?? APLLowering.columnName(of: column.expr)
                if name == nil {
                    unnamed += 1
                    name = "Column\(unnamed)"
                }
                out.append(NamedExpr(name ?? "", expr))
            }
            return out
        }
    }

    /// The name a column reference keeps as an output column: `a`, `geo.city`, `a[0]`.
    static func columnName(of expr: APLSyntax.Expr) -> String? {
        guard case .path(let components) = expr.kind else { return nil }
        return FieldPath(components).description
    }
}
