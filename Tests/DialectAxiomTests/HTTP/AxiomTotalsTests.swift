import BasinModel
import BasinTestKit
import Foundation
import Logging
import StorageAPI
import StorageEngine
import Testing

@testable import DialectAxiom

/// The `_totals` table folded from a time-binned answer equals the one a second scan computes.
@Suite("Axiom _totals")
struct AxiomTotalsTests {
    static let queries = [
        "['t'] | summarize count() by bin(_time, 1m), status",
        "['t'] | summarize n = count(), s = sum(bytes), lo = min(bytes), hi = max(latency) by bin(_time, 5m)",
        "['t'] | where status >= 400 | summarize countif(bytes > 100), sum(latency) by bin(_time, 1m), status, method",
    ]

    @Test("folding the binned table gives the scanned totals", arguments: queries)
    func derivedTotalsEqualScannedTotals(apl: String) async throws {
        let directory = NSTemporaryDirectory() + "basin-axiom-totals-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try await EmbeddedRecordStore.open(directory: directory, logger: Logger(label: "test"))
        let org = OrgID("o")
        _ = try await store.createDataset(org: org, DatasetSpec(name: "t"))
        var rng = SeededGenerator(seed: 17)
        let base: Int64 = 1_800_000_000_000_000_000
        let records = (0..<3_000).map { i -> Record in
            var fields = [
                RecordField("status", .int([200, 301, 404, 500][Int.random(in: 0..<4, using: &rng)])),
                RecordField("method", .string(["GET", "POST"][Int.random(in: 0..<2, using: &rng)])),
                RecordField("latency", .float(Double.random(in: 0..<10, using: &rng))),
            ]
            if i % 7 != 0 { fields.append(RecordField("bytes", .int(Int64.random(in: 0..<1_000, using: &rng)))) }
            return Record(timeNanos: base + Int64.random(in: 0..<3_600_000_000_000, using: &rng), fields: fields)
        }
        try await store.appendRecords(records, org: org, dataset: "t")
        let query = try APLLowering.lower(apl, startNanos: base, endNanos: base + 3_600_000_000_000, nowNanos: base)
        let result = try await store.scan(RecordQuery(
            org: org, dataset: "t", startNanos: base, endNanos: base + 3_600_000_000_000, stages: query.stages))
        let scanned = try await store.scan(RecordQuery(
            org: org, dataset: "t", startNanos: base, endNanos: base + 3_600_000_000_000, stages: try #require(AxiomRoutes.totalsStages(query))))
        let derived = try #require(AxiomRoutes.derivedTotals(query, from: result))
        guard case .table(let a) = derived.output, case .table(let b) = scanned.output else {
            Issue.record("not tables")
            return
        }
        #expect(a.columns == b.columns)
        #expect(a.rows.count == b.rows.count)
        for (x, y) in zip(a.rows, b.rows) {
            for (u, v) in zip(x, y) {
                if case .float(let p) = u, case .float(let q) = v {
                    #expect(abs(p - q) <= 1e-9 * max(1, abs(q)))
                } else {
                    #expect(u == v)
                }
            }
        }
        try await store.close()
    }

    @Test func anAggregateThatDoesNotCombineAcrossBinsIsScannedAgain() throws {
        let query = try APLLowering.lower("['t'] | summarize avg(x), dcount(y) by bin(_time, 1m)", startNanos: 0, endNanos: 1, nowNanos: 0)
        let empty = RecordQueryResult(output: .table(RecordTable(columns: ["_time", "avg_x", "dcount_y"], rows: [])),
                                      recordsExamined: 0, recordsMatched: 0, partitionsSkipped: 0, partitionsExamined: 0)
        #expect(AxiomRoutes.derivedTotals(query, from: empty) == nil)
        #expect(AxiomRoutes.totalsStages(query) != nil)
    }
}
