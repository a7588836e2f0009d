import BasinModel
import BasinTestKit
import StorageAPI
@testable import StorageEngine
import Testing

/// Summaries whose groups are found by key code (keys built once per code; `count()` rows
/// tallied per code) equal the row-by-row fold, over partitions (dictionary-coded and plain
/// strings) and the head.
@Suite("Group fold by key code")
struct RecordCodeFoldTests {
    /// Records whose `status` mixes ints, floats (0.0, -0.0, NaN), strings and absence;
    /// `service` is a few strings (dictionary-coded when sealed); `path` is mostly unique.
    static func records(_ rng: inout SeededGenerator, count: Int, from start: Int64) -> [Record] {
        (0..<count).map { i in
            var fields: [RecordField] = []
            let status: FieldValue? = switch Int.random(in: 0..<12, using: &rng) {
            case 0: nil
            case 1: .float([0.0, -0.0, .nan, 404.0].randomElement(using: &rng)!)
            case 2: .string(["ok", "404"].randomElement(using: &rng)!)
            case 3: .null
            case 4: .bool(Bool.random(using: &rng))
            default: .int([200, 201, 404, 500, 503].randomElement(using: &rng)!)
            }
            if let status { fields.append(RecordField("status", status)) }
            if Int.random(in: 0..<10, using: &rng) > 0 {
                fields.append(RecordField("service", .string(["api", "web", "db", "queue", "auth"].randomElement(using: &rng)!)))
            }
            fields.append(RecordField("path", .string("/p/\(Int.random(in: 0..<(count / 2), using: &rng))")))
            if Bool.random(using: &rng) { fields.append(RecordField("at", .timestamp(start + Int64(i % 7) * 1_000_000_000))) }
            if Int.random(in: 0..<8, using: &rng) > 0 {
                fields.append(RecordField("ms", Bool.random(using: &rng) ? .int(.random(in: 0...500, using: &rng)) : .float(.random(in: 0...500, using: &rng))))
            }
            // Times over ten minutes, out of order.
            return Record(timeNanos: start + Int64.random(in: 0..<600_000_000_000, using: &rng), fields: fields)
        }
    }

    static let queries: [[RecordStage]] = {
        func field(_ name: String) -> RecordExpr { .field(FieldPath(field: name)) }
        func count(by keys: [(String, RecordExpr)]) -> RecordStage {
            .summarize(aggregates: [NamedAggregate("c", .count)], by: keys.map { NamedExpr($0.0, $0.1) })
        }
        let minute = RecordExpr.call(.bin, [.field(.time), .literal(.int(60_000_000_000))])
        return [
            [count(by: [("_time", minute), ("status", field("status"))])],
            [count(by: [("status", field("status"))])],
            [count(by: [("service", field("service")), ("status", field("status"))])],
            [count(by: [("path", field("path"))])],
            [count(by: [("_time", .field(.time))])],
            [count(by: [("at", field("at")), ("service", field("service"))])],
            [.summarize(aggregates: [NamedAggregate("a", .count), NamedAggregate("b", .count)], by: [NamedExpr("service", field("service"))])],
            [.distinct([NamedExpr("status", field("status"))])],
            [.summarize(
                aggregates: [NamedAggregate("c", .count), NamedAggregate("p", .percentile(field("ms"), 99))],
                by: [NamedExpr("service", field("service"))])],
            [.summarize(
                aggregates: [NamedAggregate("s", .sum(field("ms"))), NamedAggregate("a", .avg(field("ms"))),
                             NamedAggregate("m", .max(field("ms"))), NamedAggregate("l", .makeList(field("ms")))],
                by: [NamedExpr("_time", minute), NamedExpr("service", field("service"))])],
            [.summarize(
                aggregates: [NamedAggregate("i", .countIf(.binary(.gt, field("ms"), .literal(.int(250))))),
                             NamedAggregate("d", .dcount(field("path"))), NamedAggregate("c", .count)],
                by: [NamedExpr("status", field("status"))])],
            [.distinct([NamedExpr("service", field("service")), NamedExpr("t", minute)])],
        ]
    }()

    @Test("Folding by code equals folding row by row", arguments: 0..<queries.count)
    func countingEqualsRowByRow(query: Int) async throws {
        var rng = SeededGenerator(seed: SeededGenerator.seed("code fold \(query)"))
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let start: Int64 = 1_799_000_000_000_000_000
        let sealed = try await RecordStoreTesting.open(dir, seal: true)
        _ = try await sealed.createDataset(org: RecordStoreTesting.org, DatasetSpec(name: "logs"))
        for k in 0..<3 {
            try await sealed.appendRecords(Self.records(&rng, count: 400, from: start + Int64(k)), org: RecordStoreTesting.org, dataset: "logs")
        }
        try await sealed.close()
        let store = try await RecordStoreTesting.open(dir, seal: false)
        try await store.appendRecords(Self.records(&rng, count: 300, from: start), org: RecordStoreTesting.org, dataset: "logs")
        let stages = Self.queries[query]
        // A filter that keeps every row sends the same query down the row-by-row fold.
        let fast = try await RecordStoreTesting.table(store, dataset: "logs", stages: stages)
        let slow = try await RecordStoreTesting.table(store, dataset: "logs", stages: [.filter(.literal(.bool(true)))] + stages)
        guard case .table(let a) = fast.output, case .table(let b) = slow.output else {
            Issue.record("not tables")
            return
        }
        #expect(a.columns == b.columns)
        #expect(a.rows.count == b.rows.count)
        #expect(Self.render(a) == Self.render(b))
        #expect(fast.recordsMatched == slow.recordsMatched)
        try await store.close()
    }

    /// Rows as text (NaN renders equal to itself, unlike `FieldValue ==`).
    static func render(_ table: RecordTable) -> [String] {
        table.rows.map { row in row.map { "\($0)" }.joined(separator: " | ") }
    }
}
