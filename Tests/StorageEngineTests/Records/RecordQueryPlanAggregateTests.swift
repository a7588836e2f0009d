import BasinModel
import StorageAPI
@testable import StorageEngine
import Testing

@Suite("Record query plan: summarize")
struct RecordQueryPlanAggregateTests {
    typealias F = PlanFixture

    /// Group "a": v = 1, 2, 3, null, 3 and w = 0.5; group "b": v = 10 and w = 1.5, 2.5.
    static let records: [Record] = {
        let rows: [(String, FieldValue, FieldValue, String)] = [
            ("a", .int(1), .float(0.5), "x"), ("b", .int(10), .float(1.5), "y"), ("a", .int(2), .null, "y"),
            ("a", .int(3), .null, "x"), ("a", .null, .null, "z"), ("b", .null, .float(2.5), "y"), ("a", .int(3), .null, "x"),
        ]
        return rows.enumerated().map { i, row in
            Record(timeNanos: F.baseNanos + Int64(i), fields: [
                RecordField("g", .string(row.0)), RecordField("v", row.1), RecordField("w", row.2), RecordField("s", .string(row.3)),
            ])
        }
    }()

    private static func object(_ key: FieldValue, _ count: Int64) -> FieldValue {
        .object([RecordField("key", key), RecordField("count", .int(count))])
    }

    @Test("each aggregate folds its group", arguments: [
        (RecordAggregate.count, FieldValue.int(5), FieldValue.int(2)),
        (.countIf(.binary(.ge, F.field("v"), F.int(2))), .int(3), .int(1)),
        (.sum(F.field("v")), .int(9), .int(10)),
        (.sum(F.field("w")), .float(0.5), .float(4)),
        (.sumIf(F.field("v"), .binary(.eq, F.field("s"), F.string("x"))), .int(7), .null),
        (.avg(F.field("v")), .float(2.25), .float(10)),
        (.min(F.field("v")), .int(1), .int(10)),
        (.max(F.field("s")), .string("z"), .string("y")),
        (.min(F.field("w")), .float(0.5), .float(1.5)),
        (.dcount(F.field("v")), .int(3), .int(1)),
        (.percentile(F.field("v"), 50), .int(2), .int(10)),
        (.percentile(F.field("v"), 100), .int(3), .int(10)),
        (.percentile(F.field("w"), 0), .float(0.5), .float(1.5)),
        (.topk(F.field("s"), 2), .array([object(.string("x"), 3), object(.string("y"), 1)]), .array([object(.string("y"), 2)])),
        (.makeList(F.field("v")), .array([.int(1), .int(2), .int(3), .int(3)]), .array([.int(10)])),
        (.makeSet(F.field("v")), .array([.int(1), .int(2), .int(3)]), .array([.int(10)])),
    ])
    func aggregates(aggregate: RecordAggregate, a: FieldValue, b: FieldValue) throws {
        let stages: [RecordStage] = [.summarize(aggregates: [NamedAggregate("x", aggregate)], by: [NamedExpr("g", F.field("g"))])]
        for batchSize in [1, 3, 7] {
            let table = F.table(try F.run(stages, Self.records, batchSize: batchSize))
            #expect(table.columns == ["g", "x"])
            #expect(table.rows == [[.string("a"), a], [.string("b"), b]])
        }
    }

    @Test("percentile, sum and avg over extreme ints stay exact or widen without trapping")
    func extremeInts() throws {
        let records = [Int64.max, .max, .min].map { Record(timeNanos: 1, fields: [RecordField("v", .int($0))]) }
        let stages: [RecordStage] = [.summarize(aggregates: [
            NamedAggregate("p", .percentile(F.field("v"), 100)), NamedAggregate("s", .sum(F.field("v"))),
            NamedAggregate("a", .avg(F.field("v"))),
        ], by: [])]
        let row = F.table(try F.run(stages, records)).rows.first
        #expect(row?[0] == .int(.max))
        #expect(row?[1] == .float(Double(Int64.max) + Double(Int64.max) + Double(Int64.min)))
        #expect(row?[2] == .float((Double(Int64.max) + Double(Int64.max) + Double(Int64.min)) / 3))
    }

    @Test("make_list and make_set keep at most maxListElements values")
    func listLimit() throws {
        let stages: [RecordStage] = [.summarize(
            aggregates: [NamedAggregate("l", .makeList(F.field("v"))), NamedAggregate("s", .makeSet(F.field("v")))], by: [])]
        let table = F.table(try F.run(stages, Self.records, limits: RecordQueryLimits(maxListElements: 2)))
        #expect(table.rows == [[.array([.int(1), .int(10)]), .array([.int(1), .int(10)])]])
    }

    @Test("groups are ordered by their keys across types with nulls first")
    func groupOrdering() throws {
        let keys: [FieldValue] = [.string("b"), .int(2), .null, .float(1.5), .bool(true), .string("a"), .timestamp(3), .int(-1)]
        let records = keys.map { Record(timeNanos: 1, fields: [RecordField("k", $0)]) }
        let stages: [RecordStage] = [.summarize(aggregates: [NamedAggregate("c", .count)], by: [NamedExpr("k", F.field("k"))])]
        let table = F.table(try F.run(stages, records))
        #expect(table.rows.map { $0[0] } == [.null, .bool(true), .int(-1), .float(1.5), .int(2), .timestamp(3), .string("a"), .string("b")])
    }

    @Test("summarize without by over no rows yields one row of count zero and nulls")
    func emptyInputSummarize() throws {
        let stages: [RecordStage] = [.summarize(aggregates: [
            NamedAggregate("c", .count), NamedAggregate("s", .sum(F.field("v"))), NamedAggregate("m", .max(F.field("v"))),
            NamedAggregate("a", .avg(F.field("v"))),
        ], by: [])]
        #expect(F.table(try F.run(stages, [])) == RecordTable(columns: ["c", "s", "m", "a"], rows: [[.int(0), .null, .null, .null]]))
        let grouped: [RecordStage] = [.summarize(aggregates: [NamedAggregate("c", .count)], by: [NamedExpr("g", F.field("g"))])]
        #expect(F.table(try F.run(grouped, [])).rows.isEmpty)
    }

    @Test("summarize by a binned time after a filter on an extended field")
    func binnedTime() throws {
        let records = (0..<10).map { Record(timeNanos: Int64($0) * 1_000, fields: [RecordField("v", .int(Int64($0)))]) }
        let stages: [RecordStage] = [
            .extend([NamedExpr("big", .binary(.ge, F.field("v"), F.int(2)))]),
            .filter(F.field("big")),
            .summarize(aggregates: [NamedAggregate("c", .count)], by: [NamedExpr("_time", .call(.bin, [.field(.time), F.int(5_000)]))]),
            .sort([SortKey(F.field("_time"), descending: true)]),
        ]
        let table = F.table(try F.run(stages, records, batchSize: 4))
        #expect(table == RecordTable(columns: ["_time", "c"], rows: [[.timestamp(5_000), .int(5)], [.timestamp(0), .int(3)]]))
    }

    @Test("more groups than maxGroups fails naming the limit", arguments: [
        RecordStage.summarize(aggregates: [NamedAggregate("c", .count)], by: [NamedExpr("v", F.field("v"))]),
        .distinct([NamedExpr("v", F.field("v"))]),
    ])
    func maxGroups(stage: RecordStage) throws {
        let error = #expect(throws: StorageError.self) {
            try F.run([stage], Self.records, limits: RecordQueryLimits(maxGroups: 2))
        }
        #expect(error?.kind == .limitExceeded)
        #expect(error?.message.contains("maxGroups") == true)
    }

    @Test("summarize over 200k rows fed in batches never decodes whole records")
    func summarizeNeverReadsRecords() throws {
        final class Counter { var calls = 0 }
        let counter = Counter()
        let plan = try RecordQueryPlan(F.query([
            .filter(.binary(.ne, F.field("k"), F.int(-1))),
            .summarize(aggregates: [NamedAggregate("c", .count), NamedAggregate("s", .sum(F.field("k")))], by: [NamedExpr("m", .binary(.modulo, F.field("k"), F.int(10)))]),
        ]), nowNanos: 0)
        let batchSize = 10_000
        for batch in 0..<20 {
            let times = (0..<batchSize).map { Int64(batch * batchSize + $0) }
            let columns = RecordColumns(
                times: times,
                column: { name in name == "k" ? times.map { Optional(FieldValue.int($0)) } : Array(repeating: nil, count: times.count) },
                record: { _ in
                    counter.calls += 1
                    return Record(timeNanos: 0, fields: [])
                })
            try plan.consume(columns)
        }
        let table = F.table(try plan.finish())
        #expect(counter.calls == 0)
        #expect(plan.recordsExamined == 200_000)
        #expect(table.rows.count == 10)
        #expect(table.rows.first == [.int(0), .int(20_000), .int((0..<20_000).reduce(Int64(0)) { $0 + Int64($1) * 10 })])
    }
}
