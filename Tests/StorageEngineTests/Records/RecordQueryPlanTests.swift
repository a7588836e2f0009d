import BasinModel
import StorageAPI
@testable import StorageEngine
import Testing

/// Builders shared by the records query plan tests.
enum PlanFixture {
    static let baseNanos: Int64 = 1_700_000_000_000_000_000

    static func field(_ name: String) -> RecordExpr { .field(FieldPath(field: name)) }
    static func path(_ components: FieldPath.Component...) -> RecordExpr { .field(FieldPath(components)) }
    static func int(_ v: Int64) -> RecordExpr { .literal(.int(v)) }
    static func string(_ v: String) -> RecordExpr { .literal(.string(v)) }

    static func query(
        _ stages: [RecordStage], defaultLimit: Int = 1000, limits: RecordQueryLimits = RecordQueryLimits()
    ) -> RecordQuery {
        RecordQuery(
            org: .default, dataset: "test", startNanos: 0, endNanos: .max, stages: stages,
            defaultLimit: defaultLimit, limits: limits)
    }

    /// Runs `stages` over `records`, fed in batches of `batchSize` (all at once when nil).
    static func run(
        _ stages: [RecordStage], _ records: [Record], batchSize: Int? = nil, defaultLimit: Int = 1000,
        limits: RecordQueryLimits = RecordQueryLimits()
    ) throws -> RecordQueryOutput {
        let plan = try RecordQueryPlan(query(stages, defaultLimit: defaultLimit, limits: limits), nowNanos: baseNanos)
        let size = max(1, batchSize ?? records.count)
        var start = 0
        repeat {
            let end = min(records.count, start + size)
            try plan.consume(RecordColumns(records: Array(records[start..<end])))
            start = end
        } while start < records.count
        return try plan.finish()
    }

    static func records(_ output: RecordQueryOutput) -> [Record] {
        if case .records(let r) = output { return r }
        Issue.record("expected records, got \(output)")
        return []
    }

    static func table(_ output: RecordQueryOutput) -> RecordTable {
        if case .table(let t) = output { return t }
        Issue.record("expected a table, got \(output)")
        return RecordTable(columns: [], rows: [])
    }

    /// The value of `expr` over `record`.
    static func evaluate(_ expr: RecordExpr, on record: Record = sample) throws -> FieldValue {
        let out = records(try run([.project([NamedExpr("v", expr)])], [record]))
        return out.first?.fields.first?.value ?? .null
    }

    /// A record with one field of every type.
    static let sample = Record(timeNanos: baseNanos, fields: [
        RecordField("s", .string("Hello World-foo_bar 42")),
        RecordField("i", .int(7)),
        RecordField("f", .float(2.5)),
        RecordField("b", .bool(true)),
        RecordField("n", .null),
        RecordField("t", .timestamp(baseNanos)),
        RecordField("e", .string("")),
        RecordField("u", .string("Ünïcode ÄBC")),
        RecordField("arr", .array([.int(1), .int(2), .int(3)])),
        RecordField("obj", .object([
            RecordField("a", .object([RecordField("b", .string("deep"))])),
            RecordField("list", .array([.object([RecordField("x", .int(1))])])),
        ])),
        RecordField("geo.city", .string("Paris")),
    ])
}

@Suite("Record query plan: pipeline shapes")
struct RecordQueryPlanTests {
    typealias F = PlanFixture

    static func rows(_ n: Int) -> [Record] {
        (0..<n).map { i in
            Record(timeNanos: F.baseNanos + Int64(i) * 1_000, fields: [
                RecordField("i", .int(Int64(i))),
                RecordField("name", .string("row\(i)")),
                RecordField("kind", .string(i % 2 == 0 ? "even" : "odd")),
            ])
        }
    }

    @Test("a filter-only query returns newest first capped at the default limit")
    func defaultNewestFirst() throws {
        let out = F.records(try F.run([.filter(.binary(.ge, F.field("i"), F.int(0)))], Self.rows(50), batchSize: 7, defaultLimit: 10))
        #expect(out.map(\.timeNanos) == (40..<50).reversed().map { F.baseNanos + Int64($0) * 1_000 })
        #expect(out.first == Self.rows(50)[49])
    }

    @Test("rows with equal times keep feed order newest first")
    func equalTimesKeepFeedOrder() throws {
        let records = (0..<5).map { Record(timeNanos: 10, fields: [RecordField("i", .int(Int64($0)))]) }
        let out = F.records(try F.run([], records, batchSize: 2))
        #expect(out.map { $0[field: "i"] } == (0..<5).map { .int(Int64($0)) })
    }

    @Test("extend adds or replaces fields in place and a later filter reads the computed field")
    func extendThenFilter() throws {
        let stages: [RecordStage] = [
            .extend([NamedExpr("double", .binary(.multiply, F.field("i"), F.int(2))), NamedExpr("name", F.string("x"))]),
            .filter(.binary(.gt, F.field("double"), F.int(15))),
        ]
        let out = F.records(try F.run(stages, Self.rows(10)))
        #expect(out.map { $0[field: "i"] } == [.int(9), .int(8)])
        #expect(out.first?.fields.map(\.name) == ["i", "name", "kind", "double"])
        #expect(out.first?[field: "name"] == .string("x"))
    }

    @Test("project keeps exactly its columns in order with the record time")
    func projectShapesRecords() throws {
        let stages: [RecordStage] = [
            .project([NamedExpr("k", F.field("kind")), NamedExpr("j", .binary(.add, F.field("i"), F.int(1)))]),
            .filter(.binary(.eq, F.field("j"), F.int(3))),
        ]
        let out = F.records(try F.run(stages, Self.rows(5)))
        #expect(out == [Record(timeNanos: F.baseNanos + 2_000, fields: [RecordField("k", .string("even")), RecordField("j", .int(3))])])
    }

    @Test("project-away removes named and wildcard fields")
    func projectAwayRemovesFields() throws {
        let out = F.records(try F.run([.projectAway(["na*", "kind"])], Self.rows(1)))
        #expect(out.first?.fields == [RecordField("i", .int(0))])
    }

    @Test("a dotted path falls back to a flattened field name and nested paths walk members and indexes")
    func dottedAndNestedPaths() throws {
        #expect(try F.evaluate(F.path(.member("geo"), .member("city"))) == .string("Paris"))
        #expect(try F.evaluate(F.path(.member("obj"), .member("a"), .member("b"))) == .string("deep"))
        #expect(try F.evaluate(F.path(.member("obj"), .member("list"), .index(0), .member("x"))) == .int(1))
        #expect(try F.evaluate(F.path(.member("arr"), .index(-1))) == .int(3))
        #expect(try F.evaluate(F.path(.member("arr"), .index(3))) == .null)
        #expect(try F.evaluate(F.path(.member("missing"))) == .null)
        #expect(try F.evaluate(.field(.time)) == .timestamp(F.baseNanos))
    }

    @Test("sort then limit then offset pages through sorted rows")
    func sortLimitOffset() throws {
        let stages: [RecordStage] = [.sort([SortKey(F.field("i"), descending: false)]), .offset(2), .limit(3)]
        let out = F.records(try F.run(stages, Self.rows(10).shuffled(), batchSize: 3))
        #expect(out.map { $0[field: "i"] } == [.int(2), .int(3), .int(4)])
    }

    @Test("a sort with no limit anywhere keeps only the default cap of rows")
    func sortWithDefaultCap() throws {
        let out = F.records(try F.run(
            [.sort([SortKey(F.field("i"), descending: true)])], Self.rows(20), defaultLimit: 3,
            limits: RecordQueryLimits(maxRows: 5)))
        #expect(out.map { $0[field: "i"] } == [.int(19), .int(18), .int(17)])
    }

    @Test("a sort whose rows a later filter may drop holds at most maxRows rows", arguments: [
        [RecordStage.sort([SortKey(F.field("i"), descending: false)]), .filter(.literal(.bool(true)))],
        [.sort([SortKey(F.field("i"), descending: false)]), .limit(50)],
    ])
    func unboundedSortLimit(stages: [RecordStage]) throws {
        let error = #expect(throws: StorageError.self) {
            try F.run(stages, Self.rows(20), limits: RecordQueryLimits(maxRows: 10))
        }
        #expect(error?.kind == .limitExceeded)
        #expect(error?.message.contains("maxRows") == true)
    }

    @Test("distinct returns unique combinations sorted ascending")
    func distinctSorted() throws {
        let out = F.table(try F.run([.distinct([NamedExpr("kind", F.field("kind"))])], Self.rows(10), batchSize: 3))
        #expect(out == RecordTable(columns: ["kind"], rows: [[.string("even")], [.string("odd")]]))
    }

    @Test("stages after summarize work on the table columns by name")
    func stagesAfterSummarize() throws {
        let stages: [RecordStage] = [
            .summarize(aggregates: [NamedAggregate("c", .count)], by: [NamedExpr("kind", F.field("kind"))]),
            .extend([NamedExpr("c2", .binary(.multiply, F.field("c"), F.int(2)))]),
            .filter(.binary(.eq, F.field("kind"), F.string("odd"))),
            .sort([SortKey(F.field("c2"), descending: true)]),
        ]
        let out = F.table(try F.run(stages, Self.rows(9)))
        #expect(out == RecordTable(columns: ["kind", "c", "c2"], rows: [[.string("odd"), .int(4), .int(8)]]))
    }

    @Test("pruning conjuncts are the split and-terms of the leading filters only")
    func pruningConjuncts() throws {
        let a = RecordExpr.binary(.eq, F.field("a"), F.int(1))
        let b = RecordExpr.binary(.gt, F.field("b"), F.int(2))
        let c = RecordExpr.binary(.lt, F.field("c"), F.int(3))
        let plan = try RecordQueryPlan(F.query([
            .filter(.binary(.and, a, b)), .filter(c), .extend([NamedExpr("a", F.int(5))]), .filter(a),
        ]), nowNanos: 0)
        #expect(plan.pruningConjuncts.map { "\($0)" } == [a, b, c].map { "\($0)" })
    }

    @Test("the bounded heap builds output records only for rows that make the cut", arguments: [
        ([RecordStage.limit(5)], 5),
        ([.sort([SortKey(F.field("i"), descending: true)]), .limit(5)], 5),
        ([.project([NamedExpr("i", F.field("i"))]), .limit(5)], 0),
    ])
    func heapDecodesOnlyKeptRows(stages: [RecordStage], expectedDecodes: Int) throws {
        final class Counter { var calls = 0 }
        let counter = Counter()
        // Newest (and largest) rows first, so the first five are the answer.
        let records = Self.rows(10_000).reversed().map { $0 }
        let plan = try RecordQueryPlan(F.query(stages), nowNanos: 0)
        for start in stride(from: 0, to: records.count, by: 1_000) {
            let slice = Array(records[start..<(start + 1_000)])
            try plan.consume(RecordColumns(
                times: slice.map(\.timeNanos), column: { name in slice.map { $0[field: name] } },
                record: { row in
                    counter.calls += 1
                    return slice[row]
                }))
        }
        let out = F.records(try plan.finish())
        #expect(out.map { $0[field: "i"] } == (9_995..<10_000).reversed().map { .int(Int64($0)) })
        #expect(counter.calls == expectedDecodes)
    }

    @Test("the plan counts examined and matched rows")
    func counters() throws {
        let plan = try RecordQueryPlan(F.query([.filter(.binary(.eq, F.field("kind"), F.string("odd"))), .limit(1)]), nowNanos: 0)
        try plan.consume(RecordColumns(records: Self.rows(10)))
        try plan.consume(RecordColumns(records: Self.rows(5)))
        #expect(plan.recordsExamined == 15)
        #expect(plan.recordsMatched == 7)
        #expect(F.records(try plan.finish()).count == 1)
    }
}

@Suite("Record query plan: invalid queries")
struct RecordQueryPlanValidationTests {
    typealias F = PlanFixture

    @Test("invalid queries fail with bad request naming the construct", arguments: [
        ([RecordStage.filter(.regex(F.field("s"), pattern: "(unclosed", negated: false))], "(unclosed"),
        ([.extend([NamedExpr("x", .call(.strlen, []))])], "strlen"),
        ([.extend([NamedExpr("x", .call(.iff, [F.int(1)]))])], "iff"),
        ([.extend([NamedExpr("x", .call(.case, [F.int(1), F.int(2), F.int(3), F.int(4)]))])], "case"),
        ([.limit(0)], "limit"),
        ([.offset(-1)], "offset"),
        ([.summarize(aggregates: [NamedAggregate("p", .percentile(F.field("i"), 101))], by: [])], "percentile"),
        ([.summarize(aggregates: [NamedAggregate("t", .topk(F.field("i"), 0))], by: [])], "topk"),
        ([.sort([SortKey(F.field("i"), descending: false)]), .filter(.call(.round, []))], "round"),
    ])
    func invalidQueries(stages: [RecordStage], construct: String) {
        let error = #expect(throws: StorageError.self) { try RecordQueryPlan(F.query(stages), nowNanos: 0) }
        #expect(error?.kind == .badRequest)
        #expect(error?.message.contains(construct) == true, "\(error?.message ?? "")")
    }
}
