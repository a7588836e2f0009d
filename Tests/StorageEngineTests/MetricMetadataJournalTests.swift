import BasinModel
import Foundation
import Logging
import StorageAPI
@testable import StorageEngine
import Testing

/// `blocks/metric-metadata.journal`: updates are appended, survive a reopen, a torn append is
/// cut off, and a journal grown past the snapshot is folded into a new one.
@Suite("Metric metadata journal")
struct MetricMetadataJournalTests {
    static func open(_ dir: TemporaryDirectory, logs: CapturedLogs = CapturedLogs()) async throws -> EmbeddedMetricStore {
        try await EmbeddedMetricStore.open(directory: dir.path, logger: logs.logger)
    }

    static func journalPath(_ dir: TemporaryDirectory) -> String { dir.path + "/blocks/" + MetricMetadataFile.journalName }
    static func snapshotPath(_ dir: TemporaryDirectory) -> String { dir.path + "/blocks/" + MetricMetadataFile.name }

    @Test("a new name appends one frame; no snapshot is written; everything reads back after a reopen")
    func appendsAndReopens() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let store = try await Self.open(dir)
        try await store.updateMetricMetadata(org: .default, metricName: "a", MetricMetadata(unit: "ms", ttlSeconds: 60))
        let first = try SegmentFile.size(Self.journalPath(dir))
        try await store.updateMetricMetadata(org: OrgID("t1"), ["b": MetricMetadata(vendorType: "timer"), "c": MetricMetadata(unit: "byte")])
        try await store.updateMetricMetadata(org: .default, metricName: "a", MetricMetadata(description: "latency"))
        // An update that changes nothing writes nothing.
        let before = try SegmentFile.size(Self.journalPath(dir))
        try await store.updateMetricMetadata(org: .default, metricName: "a", MetricMetadata(unit: "ms"))
        #expect(try SegmentFile.size(Self.journalPath(dir)) == before)
        #expect(first > 0 && before > first)
        #expect(!FileManager.default.fileExists(atPath: Self.snapshotPath(dir)))
        try await store.close()

        let reopened = try await Self.open(dir)
        #expect(try await reopened.metricMetadata(org: .default, metricName: nil) == [
            "a": MetricMetadata(unit: "ms", description: "latency", ttlSeconds: 60),
        ])
        #expect(try await reopened.metricMetadata(org: OrgID("t1"), metricName: nil) == [
            "b": MetricMetadata(vendorType: "timer"), "c": MetricMetadata(unit: "byte"),
        ])
        try await reopened.close()
    }

    @Test("a torn last append is cut off at start-up; the frames before it and later updates are kept", arguments: [1, 7, 9])
    func tornAppend(cut: Int) async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let store = try await Self.open(dir)
        try await store.updateMetricMetadata(org: .default, metricName: "kept", MetricMetadata(unit: "ms"))
        let good = try SegmentFile.size(Self.journalPath(dir))
        try await store.updateMetricMetadata(org: .default, metricName: "torn", MetricMetadata(unit: "s"))
        try await store.close()
        // The second frame as a crash mid-append leaves it: only its first `cut` bytes.
        try SegmentFile.truncate(Self.journalPath(dir), to: good + cut)

        let logs = CapturedLogs()
        let reopened = try await Self.open(dir, logs: logs)
        #expect(try await reopened.metricMetadata(org: .default, metricName: nil) == ["kept": MetricMetadata(unit: "ms")])
        #expect(try SegmentFile.size(Self.journalPath(dir)) == good)
        #expect(logs.contains(level: .warning, "torn or damaged"))
        try await reopened.updateMetricMetadata(org: .default, metricName: "later", MetricMetadata(unit: "h"))
        try await reopened.close()

        let third = try await Self.open(dir)
        #expect(try await third.metricMetadata(org: .default, metricName: nil) == [
            "kept": MetricMetadata(unit: "ms"), "later": MetricMetadata(unit: "h"),
        ])
        try await third.close()
    }

    @Test("a damaged frame ends the journal: frames after it are not applied")
    func damagedFrame() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let store = try await Self.open(dir)
        try await store.updateMetricMetadata(org: .default, metricName: "one", MetricMetadata(unit: "ms"))
        let good = try SegmentFile.size(Self.journalPath(dir))
        try await store.updateMetricMetadata(org: .default, metricName: "two", MetricMetadata(unit: "s"))
        try await store.updateMetricMetadata(org: .default, metricName: "three", MetricMetadata(unit: "h"))
        try await store.close()
        try SegmentFile.flipByte(Self.journalPath(dir), at: good + 10)
        let reopened = try await Self.open(dir)
        #expect(try await reopened.metricMetadata(org: .default, metricName: nil) == ["one": MetricMetadata(unit: "ms")])
        try await reopened.close()
    }

    @Test("a journal grown past the snapshot and 64 KiB is folded into a new snapshot")
    func foldsIntoSnapshot() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let store = try await Self.open(dir)
        let description = String(repeating: "d", count: 1_000)
        for i in 0..<100 {
            try await store.updateMetricMetadata(org: .default, metricName: "m\(i)", MetricMetadata(description: description))
        }
        #expect(FileManager.default.fileExists(atPath: Self.snapshotPath(dir)))
        let journal = FileManager.default.fileExists(atPath: Self.journalPath(dir)) ? try SegmentFile.size(Self.journalPath(dir)) : 0
        #expect(journal < MetricMetadataFile.journalCompactionBytes)
        try await store.close()
        let reopened = try await Self.open(dir)
        let all = try await reopened.metricMetadata(org: .default, metricName: nil)
        #expect(all.count == 100)
        #expect(all["m99"] == MetricMetadata(description: description))
        try await reopened.close()
    }
}
