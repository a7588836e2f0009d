import BasinModel
import Foundation
import StorageAPI
@testable import StorageEngine
import Synchronization
import Testing

@Suite("Records: a full disk fails writes with a retryable error and damages nothing")
struct RecordDiskFullTests {
    typealias T = RecordStoreTesting

    static func record(_ i: Int) -> Record {
        Record(timeNanos: 1_799_000_000_000_000_000 + Int64(i), fields: [RecordField("i", .int(Int64(i)))])
    }

    /// Whether the injected disk is full.
    final class Full: Sendable {
        let value = Atomic<Bool>(false)
        var isFull: Bool { value.load(ordering: .relaxed) }
        func set(_ v: Bool) { value.store(v, ordering: .relaxed) }
    }

    static func options(_ full: Full, sync: Bool) -> EmbeddedStoreOptions {
        var options = EmbeddedStoreOptions()
        options.retentionMillis = 3650 * 86_400_000
        options.nowMillis = { 1_800_000_000_000 }
        if sync {
            options.beforeSync = { full.isFull }
            options.beforeSyncErrno = ENOSPC
        } else {
            options.beforeWALWrite = { _ in full.isFull ? ENOSPC : nil }
        }
        return options
    }

    @Test("a write or sync failing with ENOSPC rejects only its batch; later batches and a restart keep every acknowledged record", arguments: [false, true])
    func diskFull(sync: Bool) async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let full = Full()
        let options = Self.options(full, sync: sync)
        let store = try await EmbeddedRecordStore.open(directory: dir.path, options: options, logger: CapturedLogs().logger)
        _ = try await store.createDataset(org: T.org, DatasetSpec(name: "logs"))
        try await store.appendRecords([Self.record(1)], org: T.org, dataset: "logs")
        full.set(true)
        do {
            try await store.appendRecords([Self.record(2)], org: T.org, dataset: "logs")
            Issue.record("a full disk acknowledged a write")
        } catch let error as StorageError {
            #expect(error.kind == .unavailable)
            #expect(error.retryAfterSeconds == 5)
            #expect(error.message.hasPrefix("disk full: "), "\(error.message)")
        }
        full.set(false)
        try await store.appendRecords([Self.record(3)], org: T.org, dataset: "logs")
        #expect(try await T.all(store, dataset: "logs") == [Self.record(1), Self.record(3)])
        try await store.runMaintenance(forceSeal: true)
        try await store.appendRecords([Self.record(4)], org: T.org, dataset: "logs")
        try await store.close()
        let reopened = try await EmbeddedRecordStore.open(directory: dir.path, options: options, logger: CapturedLogs().logger)
        let after = try await T.all(reopened, dataset: "logs")
        // A record whose sync failed may survive on disk (never acknowledged, never shown before).
        #expect(after.filter { $0 != Self.record(2) } == [Self.record(1), Self.record(3), Self.record(4)])
        try await reopened.close()
    }
}
