import BasinModel
import BasinTestKit
import Foundation
import StorageAPI
import Testing
@testable import StorageEngine

/// Orders records canonically (time, then their rendering) so that stores' tie orders compare.
private func canonical(_ records: [Record]) -> [Record] {
    records.sorted { ($0.timeNanos, "\($0.fields)") < ($1.timeNanos, "\($1.fields)") }
}

@Suite struct EmbeddedRecordStoreTests {
    typealias T = RecordStoreTesting

    @Test("records read back exactly from the head, from partitions and after a restart", arguments: [false, true])
    func recordsReadBackExactly(seal: Bool) async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        var gen = RandomRecords(seed: seal ? 7 : 8)
        var written: [Record] = []
        let store = try await T.open(dir, seal: seal)
        _ = try await store.createDataset(org: T.org, DatasetSpec(name: "logs"))
        for batch in 0..<5 {
            // Out of order and spread over several partition windows.
            let records = (0..<200).map { i in gen.record(time: 1_799_990_000_000_000_000 + Int64((i * 7919 + batch * 13) % 1000) * 60_000_000_000) }
            try await store.appendRecords(records, org: T.org, dataset: "logs")
            written += records
        }
        #expect(canonical(try await T.all(store, dataset: "logs")) == canonical(written))
        let stats = await store.recordStats()
        #expect(seal ? stats.partitions > 1 && stats.headRecords == 0 : stats.partitions == 0 && stats.headRecords == 1000)
        try await store.close()
        let reopened = try await T.open(dir)
        #expect(canonical(try await T.all(reopened, dataset: "logs")) == canonical(written))
        try await reopened.runMaintenance(forceSeal: true)
        #expect(canonical(try await T.all(reopened, dataset: "logs")) == canonical(written))
        #expect(await reopened.recordStats().walBytes < 1024)
        try await reopened.close()
    }

    @Test func anUnknownDatasetIsNotFoundForWritesAndReads() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let store = try await T.open(dir)
        defer { Task { try await store.close() } }
        await #expect(throws: StorageError.self) { try await store.appendRecords([Record(timeNanos: 1, fields: [])], org: T.org, dataset: "nope") }
        do {
            _ = try await T.all(store, dataset: "nope")
            Issue.record("expected notFound")
        } catch let e as StorageError {
            #expect(e.kind == .notFound)
        }
    }

    @Test("dataset names are checked", arguments: ["", "-x", "a b", "_hidden", String(repeating: "a", count: 129), "ä"])
    func badDatasetNamesAreRejected(name: String) async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let store = try await T.open(dir)
        defer { Task { try await store.close() } }
        do {
            _ = try await store.createDataset(org: T.org, DatasetSpec(name: name))
            Issue.record("accepted \(name)")
        } catch let e as StorageError {
            #expect(e.kind == .badRequest)
        }
    }

    @Test func creatingADatasetTwiceIsAConflictAndOrganisationsAreSeparate() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let store = try await T.open(dir)
        defer { Task { try await store.close() } }
        _ = try await store.createDataset(org: T.org, DatasetSpec(name: "web-logs.v1", description: "d"))
        do {
            _ = try await store.createDataset(org: T.org, DatasetSpec(name: "web-logs.v1"))
            Issue.record("duplicate accepted")
        } catch let e as StorageError {
            #expect(e.kind == .conflict)
        }
        _ = try await store.createDataset(org: OrgID("other"), DatasetSpec(name: "web-logs.v1"))
        try await store.appendRecords([Record(timeNanos: 1_799_000_000_000_000_000, fields: [RecordField("a", .int(1))])], org: T.org, dataset: "web-logs.v1")
        let other = try await store.scan(RecordQuery(org: OrgID("other"), dataset: "web-logs.v1", startNanos: .min, endNanos: .max, stages: []))
        guard case .records(let rs) = other.output else { Issue.record("not records"); return }
        #expect(rs.isEmpty)
        let names = try await store.datasets(org: T.org).map(\.name)
        #expect(names == ["_annotations", "_events", "_service_checks", "web-logs.v1"])
        let updated = try await store.updateDataset(org: T.org, name: "web-logs.v1", description: "new", retentionDays: 7)
        #expect(updated.description == "new" && updated.retentionDays == 7)
    }

    @Test func reservedDatasetsTakeRecordsWithoutCreationAndCannotBeDeleted() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let store = try await T.open(dir)
        defer { Task { try await store.close() } }
        let event = Record(timeNanos: 1_799_000_000_000_000_000, fields: [RecordField("title", .string("deploy")), RecordField("dialect", .string("datadog"))])
        try await store.appendRecords([event], org: T.org, dataset: ReservedDataset.events.rawValue)
        #expect(try await T.all(store, dataset: "_events") == [event])
        await #expect(throws: StorageError.self) { try await store.deleteDataset(org: T.org, name: "_events") }
    }

    @Test func aDeletedDatasetStaysDeletedAfterARestartAndItsNameStartsEmpty() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let store = try await T.open(dir)
        _ = try await store.createDataset(org: T.org, DatasetSpec(name: "logs"))
        let r = Record(timeNanos: 1_799_000_000_000_000_000, fields: [RecordField("a", .int(1))])
        try await store.appendRecords([r], org: T.org, dataset: "logs")
        try await store.runMaintenance(forceSeal: true)
        try await store.appendRecords([r], org: T.org, dataset: "logs")   // one in a partition, one in the log
        try await store.deleteDataset(org: T.org, name: "logs")
        _ = try await store.createDataset(org: T.org, DatasetSpec(name: "logs"))
        #expect(try await T.all(store, dataset: "logs").isEmpty)
        try await store.close()
        let reopened = try await T.open(dir)
        #expect(try await T.all(reopened, dataset: "logs").isEmpty)
        #expect(await reopened.recordStats().partitions == 0)
        try await reopened.close()
    }

    @Test func aTrimHidesOlderRecordsAtOnceAndDropsPartitionsItEmptied() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let store = try await T.open(dir)
        defer { Task { try await store.close() } }
        _ = try await store.createDataset(org: T.org, DatasetSpec(name: "logs"))
        let hour: Int64 = 3_600_000_000_000
        let base: Int64 = 1_799_992_800_000_000_000
        let records = (0..<6).map { Record(timeNanos: base + Int64($0) * hour, fields: [RecordField("n", .int(Int64($0)))]) }
        try await store.appendRecords(records, org: T.org, dataset: "logs")
        try await store.runMaintenance(forceSeal: true)
        #expect(await store.recordStats().partitions == 6)
        try await store.trimDataset(org: T.org, name: "logs", beforeNanos: base + 3 * hour)
        #expect(try await T.all(store, dataset: "logs") == Array(records[3...]))
        try await store.runMaintenance(forceSeal: false)
        #expect(await store.recordStats().partitions == 3)
    }

    @Test func aNeedleLookupSkipsPartitionsWhoseBloomFilterLacksTheValue() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let store = try await T.open(dir)
        defer { Task { try await store.close() } }
        _ = try await store.createDataset(org: T.org, DatasetSpec(name: "logs"))
        let hour: Int64 = 3_600_000_000_000
        let base: Int64 = 1_799_992_800_000_000_000
        for w in 0..<8 {
            let records = (0..<500).map { i in
                Record(timeNanos: base + Int64(w) * hour + Int64(i), fields: [
                    RecordField("request_id", .string("req-\(w)-\(i)")), RecordField("status", .int(Int64(200 + i % 5))),
                ])
            }
            try await store.appendRecords(records, org: T.org, dataset: "logs")
        }
        try await store.runMaintenance(forceSeal: true)
        let needle = RecordExpr.binary(.eq, .field(FieldPath(field: "request_id")), .literal(.string("req-5-17")))
        let result = try await T.table(store, dataset: "logs", stages: [.filter(needle)])
        guard case .records(let found) = result.output else { Issue.record("not records"); return }
        #expect(found.map { $0[field: "request_id"] } == [.string("req-5-17")])
        #expect(result.partitionsSkipped >= 6)
        let none = try await T.table(store, dataset: "logs", stages: [.filter(.binary(.gt, .field(FieldPath(field: "status")), .literal(.int(204))))])
        #expect(none.partitionsSkipped == 8)
    }

    @Test func aSummarizeReadsTheSameFromPartitionsAsFromTheHead() async throws {
        let stages: [RecordStage] = [
            .summarize(aggregates: [NamedAggregate("count_", .count), NamedAggregate("avg_latency", .avg(.field(FieldPath(field: "latency"))))],
                       by: [NamedExpr("status", .field(FieldPath(field: "status")))]),
        ]
        var tables: [RecordQueryOutput] = []
        for seal in [false, true] {
            let dir = TemporaryDirectory()
            defer { dir.remove() }
            let store = try await T.open(dir, seal: seal)
            _ = try await store.createDataset(org: T.org, DatasetSpec(name: "logs"))
            var gen = RandomRecords(seed: 99)
            for _ in 0..<4 {
                try await store.appendRecords((0..<300).map { gen.record(time: 1_799_000_000_000_000_000 + Int64($0)) }, org: T.org, dataset: "logs")
            }
            tables.append(try await T.table(store, dataset: "logs", stages: stages).output)
            try await store.close()
        }
        guard case .table(let head) = tables[0], case .table(let parts) = tables[1] else { Issue.record("not tables"); return }
        #expect(head == parts)
        #expect(head.rows.count > 3)
    }

    @Test func datasetStatsCountRecordsAndListFieldTypes() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let store = try await T.open(dir)
        defer { Task { try await store.close() } }
        _ = try await store.createDataset(org: T.org, DatasetSpec(name: "logs"))
        try await store.appendRecords([
            Record(timeNanos: 1_799_000_000_000_000_000, fields: [RecordField("a", .int(1)), RecordField("b", .string("x"))]),
        ], org: T.org, dataset: "logs")
        try await store.runMaintenance(forceSeal: true)
        try await store.appendRecords([
            Record(timeNanos: 1_799_000_001_000_000_000, fields: [RecordField("a", .float(1.5)), RecordField("c", .null)]),
        ], org: T.org, dataset: "logs")
        let stats = try await store.datasetStats(org: T.org, name: "logs")
        #expect(stats.records == 2)
        #expect(stats.minTimeNanos == 1_799_000_000_000_000_000 && stats.maxTimeNanos == 1_799_000_001_000_000_000)
        #expect(stats.fields == [
            DatasetFieldInfo(name: "a", types: [.int, .float]), DatasetFieldInfo(name: "b", types: [.string]),
            DatasetFieldInfo(name: "c", types: [.null]),
        ])
    }

    @Test func aTornLogTailIsCutAndEveryEarlierRecordSurvives() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let store = try await T.open(dir)
        _ = try await store.createDataset(org: T.org, DatasetSpec(name: "logs"))
        let records = (0..<10).map { Record(timeNanos: 1_799_000_000_000_000_000 + Int64($0), fields: [RecordField("i", .int(Int64($0)))]) }
        for r in records { try await store.appendRecords([r], org: T.org, dataset: "logs") }
        try await store.close()
        let wal = dir.path + "/wal"
        let segment = try FileManager.default.contentsOfDirectory(atPath: wal).filter { $0.allSatisfy(\.isNumber) }.sorted().map { wal + "/" + $0 }
            .last { (try? SegmentFile.size($0)) ?? 0 > 8 }!
        try SegmentFile.truncate(segment, to: try SegmentFile.size(segment) - 3)
        let reopened = try await T.open(dir)
        #expect(try await T.all(reopened, dataset: "logs") == Array(records.prefix(9)))
        try await reopened.close()
    }

    @Test func aDamagedPartitionIsMovedAsideAtStartAndTheRestIsRead() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let store = try await T.open(dir, seal: true)
        _ = try await store.createDataset(org: T.org, DatasetSpec(name: "logs"))
        let a = Record(timeNanos: 1_799_000_000_000_000_000, fields: [RecordField("i", .int(1))])
        let b = Record(timeNanos: 1_799_000_000_000_000_001, fields: [RecordField("i", .int(2))])
        try await store.appendRecords([a], org: T.org, dataset: "logs")
        try await store.appendRecords([b], org: T.org, dataset: "logs")
        try await store.close()
        let parts = dir.path + "/parts"
        let first = try FileManager.default.contentsOfDirectory(atPath: parts).filter { $0.hasSuffix(".brp") }.sorted()[0]
        let size = try SegmentFile.size(parts + "/" + first)
        try SegmentFile.flipByte(parts + "/" + first, at: size - 25)
        let reopened = try await T.open(dir)
        #expect(try await T.all(reopened, dataset: "logs") == [b])
        #expect(FileManager.default.fileExists(atPath: parts + "/quarantine/" + first))
        try await reopened.close()
    }
}

@Suite struct RecordSealCrashTests {
    typealias T = RecordStoreTesting

    /// A data directory as a crash during a seal leaves it: the log of `before` (not yet
    /// truncated) plus the partitions the seal wrote, with or without its commit marker.
    private func crashedDuringSeal(withMarker: Bool) async throws -> (TemporaryDirectory, [Record]) {
        let dir = TemporaryDirectory()
        let records = (0..<50).map { Record(timeNanos: 1_799_000_000_000_000_000 + Int64($0) * 600_000_000_000, fields: [RecordField("i", .int(Int64($0)))]) }
        let store = try await T.open(dir)
        _ = try await store.createDataset(org: T.org, DatasetSpec(name: "logs"))
        try await store.appendRecords(records, org: T.org, dataset: "logs")
        try await store.close()
        let before = try dir.copy()
        let sealing = try await T.open(dir)
        try await sealing.runMaintenance(forceSeal: true)
        try await sealing.close()
        let fm = FileManager.default
        for name in try fm.contentsOfDirectory(atPath: dir.path + "/parts") where name.hasSuffix(".brp") {
            try fm.copyItem(atPath: dir.path + "/parts/" + name, toPath: before.path + "/parts/" + name)
        }
        if withMarker {
            try fm.copyItem(atPath: dir.path + "/sealed", toPath: before.path + "/sealed")
        }
        dir.remove()
        return (before, records)
    }

    @Test(arguments: [false, true])
    func aCrashDuringASealNeitherLosesNorDuplicatesRecords(withMarker: Bool) async throws {
        let (dir, records) = try await crashedDuringSeal(withMarker: withMarker)
        defer { dir.remove() }
        let store = try await T.open(dir)
        #expect(try await T.all(store, dataset: "logs") == records)
        let partitions = await store.recordStats().partitions
        #expect(withMarker ? partitions > 1 : partitions == 0)
        try await store.close()
    }
}

@Suite struct RecordRowFilterTests {
    typealias T = RecordStoreTesting

    static let filters: [RecordExpr] = [
        .binary(.eq, .field(FieldPath(field: "path")), .literal(.string("ab"))),
        .binary(.eq, .literal(.string("")), .field(FieldPath(field: "user"))),
        .binary(.ge, .field(FieldPath(field: "status")), .literal(.int(0))),
        .binary(.lt, .field(FieldPath(field: "latency")), .literal(.float(10.5))),
        .binary(.gt, .literal(.int(5)), .field(FieldPath(field: "x"))),
        .stringTest(.equals, .field(FieldPath(field: "user")), .literal(.string("x")), caseSensitive: true, negated: false),
        .inList(.field(FieldPath(field: "path")), [.literal(.string("a")), .literal(.string("b"))], caseSensitive: true, negated: false),
        .binary(.and, .binary(.ne, .field(FieldPath(field: "status")), .literal(.null)), .binary(.le, .field(FieldPath(field: "status")), .literal(.int(100)))),
    ]

    @Test("filters read the same rows from partitions (column bytes) as from the head", arguments: filters.indices)
    func partitionsFilterLikeTheHead(index: Int) async throws {
        var outputs: [[Record]] = []
        for seal in [false, true] {
            let dir = TemporaryDirectory()
            defer { dir.remove() }
            let store = try await T.open(dir, seal: seal)
            _ = try await store.createDataset(org: T.org, DatasetSpec(name: "logs"))
            var gen = RandomRecords(seed: 5)
            for _ in 0..<3 {
                // Short strings and small numbers, so that filters match some rows.
                let records = (0..<400).map { i -> Record in
                    var r = gen.record(time: 1_799_000_000_000_000_000 + Int64(i) * 1_000_000_000)
                    r.fields = r.fields.map { f in
                        switch f.value {
                        case .string(let s): RecordField(f.name, .string(String(s.prefix(2))))
                        case .int(let v): RecordField(f.name, .int(v % 200))
                        case .float(let v): RecordField(f.name, .float(v.truncatingRemainder(dividingBy: 20)))
                        default: f
                        }
                    }
                    return r
                }
                try await store.appendRecords(records, org: T.org, dataset: "logs")
            }
            outputs.append(try await T.all(store, dataset: "logs", stages: [.filter(Self.filters[index])]))
            try await store.close()
        }
        #expect(outputs[0].count == outputs[1].count)
        #expect(Set(outputs[0]) == Set(outputs[1]))
    }
}

@Suite("Records log numbering after seals")
struct RecordLogNumberingTests {
    typealias T = RecordStoreTesting
    /// Inside the test stores' retention (their clock reads 1_800_000_000_000 ms).
    static let t0: Int64 = 1_799_999_000_000_000_000

    @Test("With no log segment left after seals, new records are numbered past the seal and survive restarts")
    func numberingNeverGoesBelowTheSeal() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let sealing = try await T.open(dir, seal: true)
        _ = try await sealing.createDataset(org: T.org, DatasetSpec(name: "logs"))
        for i in 0..<3 {
            try await sealing.appendRecords([Record(timeNanos: Self.t0 + Int64(i), fields: [RecordField("n", .int(Int64(i)))])], org: T.org, dataset: "logs")
        }
        try await sealing.close()
        // What a start that died between replay and creating its segment would leave.
        let wal = dir.path + "/wal"
        for name in try FileManager.default.contentsOfDirectory(atPath: wal) { try FileManager.default.removeItem(atPath: wal + "/" + name) }
        let store = try await T.open(dir)
        for i in 3..<7 {
            try await store.appendRecords([Record(timeNanos: Self.t0 + Int64(i), fields: [RecordField("n", .int(Int64(i)))])], org: T.org, dataset: "logs")
        }
        #expect(try await T.all(store, dataset: "logs").count == 7)
        try await store.close()
        let reopened = try await T.open(dir)
        #expect(try await T.all(reopened, dataset: "logs").count == 7)
        try await reopened.close()
        let again = try await T.open(dir, seal: true)
        try await again.appendRecords([Record(timeNanos: Self.t0 + 7, fields: [])], org: T.org, dataset: "logs")
        try await again.close()
        let last = try await T.open(dir)
        #expect(try await T.all(last, dataset: "logs").count == 8)
        try await last.close()
    }
}
