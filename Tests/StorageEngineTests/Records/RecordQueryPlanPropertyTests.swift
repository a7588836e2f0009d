import BasinModel
import BasinTestKit
import StorageAPI
@testable import StorageEngine
import Testing

@Suite("Record query plan: properties")
struct RecordQueryPlanPropertyTests {
    typealias F = PlanFixture

    /// Random records: times with repeats, an int key with nulls and repeats, a string, and
    /// sometimes a missing key.
    static func randomRecords(_ count: Int, _ rng: inout SeededGenerator) -> [Record] {
        (0..<count).map { _ in
            var fields: [RecordField] = []
            let roll = Int.random(in: 0..<10, using: &rng)
            if roll == 0 {
                fields.append(RecordField("k", .null))
            } else if roll > 1 {
                fields.append(RecordField("k", .int(Int64.random(in: -20...20, using: &rng))))
            }
            fields.append(RecordField("s", .string(["alpha", "beta", "Gamma", "delta"].randomElement(using: &rng) ?? "")))
            fields.append(RecordField("x", .float(Double.random(in: -1...1, using: &rng))))
            return Record(timeNanos: Int64.random(in: 0...50, using: &rng), fields: fields)
        }
    }

    /// Stable sort of `records` by `k` (nulls last ascending, first descending), as a
    /// reference for the plan's sort.
    static func referenceSort(_ records: [Record], descending: Bool) -> [Record] {
        records.enumerated().sorted { a, b in
            let ka = a.element[field: "k"] ?? .null, kb = b.element[field: "k"] ?? .null
            let c = RecordValueOrder.compareSortKey(ka, kb, descending: descending)
            return c != 0 ? c < 0 : a.offset < b.offset
        }.map(\.element)
    }

    @Test("sort then limit through the bounded heap equals a full sort then limit", arguments: [1, 2, 3])
    func heapMatchesFullSort(round: Int) throws {
        var rng = SeededGenerator(seed: SeededGenerator.seed("heapMatchesFullSort \(round)"))
        for _ in 0..<20 {
            let records = Self.randomRecords(Int.random(in: 0...300, using: &rng), &rng)
            let descending = Bool.random(using: &rng)
            let n = Int.random(in: 1...40, using: &rng)
            let sort = RecordStage.sort([SortKey(F.field("k"), descending: descending)])
            let batch = Int.random(in: 1...64, using: &rng)
            let heap = F.records(try F.run([sort, .limit(n)], records, batchSize: batch))
            // An empty extend between sort and limit forces the unbounded path.
            let full = F.records(try F.run([sort, .extend([]), .limit(n)], records, batchSize: batch))
            let reference = Array(Self.referenceSort(records, descending: descending).prefix(n))
            #expect(heap == reference)
            #expect(full == reference)
        }
    }

    @Test("without a sort the newest rows are kept, ties in feed order", arguments: [1, 2])
    func newestFirst(round: Int) throws {
        var rng = SeededGenerator(seed: SeededGenerator.seed("newestFirst \(round)"))
        for _ in 0..<20 {
            let records = Self.randomRecords(Int.random(in: 0...300, using: &rng), &rng)
            let cap = Int.random(in: 1...30, using: &rng)
            let out = F.records(try F.run([.filter(.binary(.ne, F.field("s"), F.string("beta")))], records,
                                           batchSize: Int.random(in: 1...50, using: &rng), defaultLimit: cap))
            let expected = records.enumerated()
                .filter { $0.element[field: "s"] != .string("beta") }
                .sorted { $0.element.timeNanos != $1.element.timeNanos ? $0.element.timeNanos > $1.element.timeNanos : $0.offset < $1.offset }
                .prefix(cap).map(\.element)
            #expect(out == Array(expected))
        }
    }

    static let pipelines: [[RecordStage]] = [
        [.filter(.stringTest(.contains, F.field("s"), F.string("A"), caseSensitive: false, negated: false))],
        [.extend([NamedExpr("k2", .binary(.multiply, F.field("k"), F.int(2)))]), .sort([SortKey(F.field("k2"), descending: true)]), .limit(17)],
        [.summarize(aggregates: [
            NamedAggregate("c", .count), NamedAggregate("sum", .sum(F.field("k"))), NamedAggregate("avg", .avg(F.field("x"))),
            NamedAggregate("p", .percentile(F.field("k"), 90)), NamedAggregate("top", .topk(F.field("s"), 2)),
            NamedAggregate("set", .makeSet(F.field("s"))), NamedAggregate("list", .makeList(F.field("k"))),
            NamedAggregate("dc", .dcount(F.field("k"))), NamedAggregate("min", .min(F.field("x"))),
        ], by: [NamedExpr("s", F.field("s"))])],
        [.distinct([NamedExpr("s", F.field("s")), NamedExpr("odd", .binary(.modulo, F.field("k"), F.int(2)))])],
        [.project([NamedExpr("s", F.field("s")), NamedExpr("k", F.field("k"))]), .sort([SortKey(F.field("k"), descending: false)]), .offset(3), .limit(5)],
        [.projectAway(["x"]), .filter(.binary(.gt, F.field("k"), F.int(0)))],
    ]

    @Test("feeding rows in one batch or many gives the same output", arguments: 0..<pipelines.count)
    func batchingInvariance(pipeline: Int) throws {
        var rng = SeededGenerator(seed: SeededGenerator.seed("batchingInvariance \(pipeline)"))
        for _ in 0..<10 {
            let records = Self.randomRecords(Int.random(in: 0...400, using: &rng), &rng)
            let whole = try F.run(Self.pipelines[pipeline], records)
            for size in [1, 2, 3, 7, 64] {
                let cut = try F.run(Self.pipelines[pipeline], records, batchSize: size)
                #expect(String(describing: cut) == String(describing: whole), "batch size \(size)")
            }
        }
    }
}
