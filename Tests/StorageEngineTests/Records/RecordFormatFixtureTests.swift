import BasinModel
import Foundation
import StorageAPI
@testable import StorageEngine
import Testing

/// A records store written by format version 1 (catalog, seal marker, partitions, and records
/// only in the log), committed so later versions keep reading it. `BASIN_UPDATE_FIXTURES=1`
/// rewrites it and fails the run, so an update is never silently green.
@Suite("Records on-disk format fixture")
struct RecordFormatFixtureTests {
    static let name = "records-v1"
    static let org = OrgID("acme")
    static let now: Int64 = 1_700_000_000_000

    static var path: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/" + name).path
    }

    /// Sealed: two hours of access-log-like events; in the log only: two later ones, one with
    /// a repeated name (a partition would keep it whole) and deep nesting.
    static var sealed: [Record] {
        (0..<120).map(sealedRecord)
    }

    static func sealedRecord(_ i: Int) -> Record {
        let time: Int64 = (now - 7_200_000) * 1_000_000 + Int64(i) * 60_000_000_000
        let status: Int64 = [200, 404, 500][i % 3]
        let city: String = i % 2 == 0 ? "Paris" : "Lyon"
        let geo: FieldValue = .object([RecordField("city", .string(city)), RecordField("n", .null)])
        let tags: FieldValue = .array([.string("t\(i % 4)"), .int(Int64(i))])
        var fields: [RecordField] = []
        fields.append(RecordField("status", .int(status)))
        fields.append(RecordField("path", .string("/p\(i % 7)")))
        fields.append(RecordField("duration_ms", .float(Double(i) / 8)))
        fields.append(RecordField("ok", .bool(i % 3 == 0)))
        fields.append(RecordField("geo", geo))
        fields.append(RecordField("tags", tags))
        fields.append(RecordField("at", .timestamp(Int64(i) * 1_000)))
        return Record(timeNanos: time, fields: fields)
    }

    static let logged: [Record] = [
        Record(timeNanos: now * 1_000_000, fields: [RecordField("a", .int(1)), RecordField("a", .string("again"))]),
        Record(timeNanos: now * 1_000_000 + 1, fields: [
            RecordField("deep", .object([RecordField("x", .array([.object([RecordField("y", .float(-0.0))])]))])),
        ]),
    ]

    static func write(into directory: String) async throws {
        var options = EmbeddedStoreOptions(retentionMillis: .max / 4)
        options.nowMillis = { now }
        let store = try await EmbeddedRecordStore.open(directory: directory, options: options, logger: CapturedLogs().logger)
        _ = try await store.createDataset(org: org, DatasetSpec(name: "web", description: "fixture", retentionDays: 0))
        try await store.appendRecords(sealed, org: org, dataset: "web")
        try await store.runMaintenance(forceSeal: true)
        try await store.appendRecords(logged, org: org, dataset: "web")
        try await store.close()
    }

    @Test func theCommittedRecordsStoreReadsBackExactly() async throws {
        if ProcessInfo.processInfo.environment["BASIN_UPDATE_FIXTURES"] == "1" {
            try? FileManager.default.removeItem(atPath: Self.path)
            try await Self.write(into: Self.path)
            Issue.record("fixture rewritten at \(Self.path); run again without BASIN_UPDATE_FIXTURES")
            return
        }
        let dir = TemporaryDirectory()
        try? FileManager.default.removeItem(atPath: dir.path)
        try FileManager.default.copyItem(atPath: Self.path, toPath: dir.path)
        defer { dir.remove() }
        var options = EmbeddedStoreOptions(retentionMillis: .max / 4)
        options.nowMillis = { Self.now }
        let store = try await EmbeddedRecordStore.open(directory: dir.path, options: options, logger: CapturedLogs().logger)
        #expect(await store.recordStats().partitions == 3)
        #expect(try await store.dataset(org: Self.org, name: "web")?.description == "fixture")
        let result = try await store.scan(RecordQuery(
            org: Self.org, dataset: "web", startNanos: .min, endNanos: .max, stages: [], defaultLimit: 10_000))
        guard case .records(let records) = result.output else {
            Issue.record("not records")
            return
        }
        #expect(Array(records.reversed()) == Self.sealed + Self.logged)
        try await store.close()
    }
}
