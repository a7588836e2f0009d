import BasinModel
import Foundation
import Logging
import StorageAPI
@testable import StorageEngine
import Testing

@Suite("Write-ahead log replay")
struct ReplayTests {
    static let metric = "replayed"

    /// Batch `i`: two series, `i`-dependent timestamps and values, one out of order.
    static func batch(_ i: Int) -> MetricBatch {
        var batch = MetricBatch()
        let a = batch.beginSeries(Labels(metricName: metric, [("shard", "a"), ("n", String(i % 3))]), kind: .gauge)
        let b = batch.beginSeries(Labels(metricName: metric, [("shard", "b")]), kind: .counter)
        let t = Int64(i) * 1_000
        batch.append(seriesSlot: a, timestampMillis: t + 500, value: Double(i) + 0.25)
        batch.append(seriesSlot: a, timestampMillis: t, value: Double(i))
        batch.append(seriesSlot: b, timestampMillis: t, value: -Double(i))
        return batch
    }

    /// Every sample of the metric as `(labels, t, v)` strings, sorted.
    static func dump(_ store: EmbeddedMetricStore) async throws -> [String] {
        let got = try await store.select(SelectRequest(
            org: .default, matchers: [.equal("__name__", metric)], startMillis: .min, endMillis: .max))
        var out: [String] = []
        for s in got {
            for (t, v) in zip(s.timestampsMillis, s.values) { out.append("\(s.labels) \(t) \(v)") }
        }
        return out.sorted()
    }

    static func expectedDump(batches: Int) async throws -> [String] {
        let reference = TemporaryDirectory()
        defer { reference.remove() }
        let store = try await EmbeddedMetricStore.open(directory: reference.path, logger: CapturedLogs().logger)
        for i in 0..<batches { try await store.append(batch(i), org: .default) }
        let out = try await dump(store)
        try await store.close()
        return out
    }

    @Test("a closed and reopened store keeps every series, sample, kind and org")
    func reopenKeepsEverything() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let logs = CapturedLogs()
        let store = try await EmbeddedMetricStore.open(directory: dir.path, logger: logs.logger)
        for i in 0..<20 { try await store.append(Self.batch(i), org: .default) }
        try await store.append(Self.batch(99), org: OrgID("other"))
        let before = try await Self.dump(store)
        let statsBefore = await store.stats()
        try await store.close()

        let reopened = try await EmbeddedMetricStore.open(directory: dir.path, logger: logs.logger)
        #expect(try await Self.dump(reopened) == before)
        let statsAfter = await reopened.stats()
        #expect(statsAfter.headSeries == statsBefore.headSeries)
        #expect(statsAfter.headSamples == statsBefore.headSamples)
        #expect(try await reopened.metricKinds(org: .default, metricName: nil) == [Self.metric: .gauge])
        let other = try await reopened.series(org: OrgID("other"), matcherSets: [], startMillis: .min, endMillis: .max)
        #expect(other.count == 2)
        #expect(logs.contains(level: .info, "write-ahead log replayed"))
        try await reopened.close()
    }

    @Test("a crash copy of an open store keeps every acknowledged sample")
    func crashKeepsAcknowledged() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let store = try await EmbeddedMetricStore.open(directory: dir.path, logger: CapturedLogs().logger)
        for i in 0..<30 { try await store.append(Self.batch(i), org: .default) }
        let acknowledged = try await Self.dump(store)
        let crashed = try dir.copy()
        defer { crashed.remove() }
        let recovered = try await EmbeddedMetricStore.open(directory: crashed.path, logger: CapturedLogs().logger)
        #expect(try await Self.dump(recovered) == acknowledged)
        try await recovered.close()
        try await store.close()
    }

    @Test("a segment cut inside its last record replays the records before it and accepts appends")
    func tornTail() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let count = 5
        let store = try await EmbeddedMetricStore.open(directory: dir.path, logger: CapturedLogs().logger)
        for i in 0..<(count - 1) { try await store.append(Self.batch(i), org: .default) }
        let segment = try #require(try dir.segments().last)
        let goodEnd = try SegmentFile.size(segment)
        try await store.append(Self.batch(count - 1), org: .default)
        try await store.close()
        let fullEnd = try SegmentFile.size(segment)
        let expected = try await Self.expectedDump(batches: count - 1)

        for cut in goodEnd..<fullEnd {
            let copy = try dir.copy()
            defer { copy.remove() }
            try SegmentFile.truncate(copy.walPath + "/" + (segment as NSString).lastPathComponent, to: cut)
            let logs = CapturedLogs()
            let recovered = try await EmbeddedMetricStore.open(directory: copy.path, logger: logs.logger)
            #expect(try await Self.dump(recovered) == expected, "cut at \(cut)")
            if cut > goodEnd {
                #expect(logs.contains(level: .warning, "torn or corrupt"), "cut at \(cut)")
            }
            var extra = MetricBatch()
            extra.append(Labels(metricName: "after"), kind: .gauge, timestampMillis: 1, value: 7)
            try await recovered.append(extra, org: .default)
            try await recovered.close()
            let again = try await EmbeddedMetricStore.open(directory: copy.path, logger: CapturedLogs().logger)
            #expect(try await Self.dump(again) == expected, "second replay after cut at \(cut)")
            #expect(try await again.series(org: .default, matcherSets: [[.equal("__name__", "after")]], startMillis: 0, endMillis: 2).count == 1)
            try await again.close()
        }
    }

    @Test("a flipped byte in the last record fails its CRC and the record is dropped", arguments: [0, 4, 8, 20, -1])
    func flippedByteInTail(position: Int) async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let count = 4
        let store = try await EmbeddedMetricStore.open(directory: dir.path, logger: CapturedLogs().logger)
        for i in 0..<(count - 1) { try await store.append(Self.batch(i), org: .default) }
        let segment = try #require(try dir.segments().last)
        let goodEnd = try SegmentFile.size(segment)
        try await store.append(Self.batch(count - 1), org: .default)
        try await store.close()
        let fullEnd = try SegmentFile.size(segment)
        // Header length (0), header CRC (4), payload bytes (8, 20) and the last byte (-1).
        try SegmentFile.flipByte(segment, at: position >= 0 ? goodEnd + position : fullEnd - 1)
        let logs = CapturedLogs()
        let recovered = try await EmbeddedMetricStore.open(directory: dir.path, logger: logs.logger)
        #expect(try await Self.dump(recovered) == (try await Self.expectedDump(batches: count - 1)))
        #expect(logs.contains(level: .warning, "torn or corrupt"))
        #expect(try SegmentFile.size(segment) == goodEnd)
        try await recovered.close()
    }

    @Test("corruption in an earlier segment stops replay there and quarantines the rest")
    func corruptEarlierSegment() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        var options = EmbeddedStoreOptions()
        options.walSegmentSizeBytes = 300
        let store = try await EmbeddedMetricStore.open(directory: dir.path, options: options, logger: CapturedLogs().logger)
        for i in 0..<12 { try await store.append(Self.batch(i), org: .default) }
        try await store.close()
        let segments = try dir.segments()
        #expect(segments.count >= 3)
        // Corrupt the second record of the first segment (records of batch(i) have equal-ish size).
        let firstRecordLength = try WALRecordLength.of(segment: segments[0], at: WALSegment.headerSize)
        let secondRecord = WALSegment.headerSize + firstRecordLength
        try SegmentFile.flipByte(segments[0], at: secondRecord + 12)

        let logs = CapturedLogs()
        let recovered = try await EmbeddedMetricStore.open(directory: dir.path, options: options, logger: logs.logger)
        let expected = try await Self.expectedDump(batches: 1)
        #expect(try await Self.dump(recovered) == expected)
        #expect(logs.contains(level: .error, "corrupt"))
        let quarantined = try FileManager.default.contentsOfDirectory(atPath: dir.walPath).filter { $0.hasPrefix("quarantine-") }
        #expect(quarantined.count == 1)
        var extra = MetricBatch()
        extra.append(Labels(metricName: Self.metric, [("shard", "new")]), kind: .gauge, timestampMillis: 5, value: 5)
        try await recovered.append(extra, org: .default)
        try await recovered.close()

        let again = try await EmbeddedMetricStore.open(directory: dir.path, options: options, logger: CapturedLogs().logger)
        let replayed = try await Self.dump(again)
        #expect(replayed.count == expected.count + 1)
        try await again.close()
    }
}

/// Reads a record's total framed length from a segment file (test helper).
enum WALRecordLength {
    static func of(segment: String, at offset: Int) throws -> Int {
        let data = try Data(contentsOf: URL(fileURLWithPath: segment))
        let length = Int(data[offset]) | Int(data[offset + 1]) << 8 | Int(data[offset + 2]) << 16 | Int(data[offset + 3]) << 24
        return WALRecord.headerSize + length
    }
}

@Suite("Write-ahead log segments")
struct SegmentRotationTests {
    @Test("small segments rotate and a reopen replays all of them in order")
    func rotationReplaysAll() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        var options = EmbeddedStoreOptions()
        options.walSegmentSizeBytes = 256
        let store = try await EmbeddedMetricStore.open(directory: dir.path, options: options, logger: CapturedLogs().logger)
        // The same (series, timestamp) rewritten across segments: replay must keep the last.
        for i in 0..<40 {
            var batch = ReplayTests.batch(i)
            batch.append(Labels(metricName: ReplayTests.metric, [("shard", "lww")]), kind: .gauge, timestampMillis: 7, value: Double(i))
            try await store.append(batch, org: .default)
        }
        let before = try await ReplayTests.dump(store)
        let walBytes = await store.stats().walBytes
        try await store.close()
        #expect(try dir.segments().count > 5)
        let onDisk = try dir.segments().reduce(0) { $0 + (try SegmentFile.size($1)) }
        #expect(walBytes == onDisk)
        let reopened = try await EmbeddedMetricStore.open(directory: dir.path, options: options, logger: CapturedLogs().logger)
        #expect(try await ReplayTests.dump(reopened) == before)
        #expect(before.contains { $0.hasSuffix(" 7 39.0") })
        try await reopened.close()
    }
}

@Suite("Write-ahead log start-up")
struct EmptySegmentTests {
    @Test("Restarts without writes leave at most two empty segments, the highest kept, and data written before them still replays")
    func emptySegmentsAreDeleted() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let store = try await EmbeddedMetricStore.open(directory: dir.path, logger: CapturedLogs().logger)
        try await store.append(ReplayTests.batch(0), org: .default)
        let before = try await ReplayTests.dump(store)
        try await store.close()
        var names: [String] = []
        for _ in 0..<4 {
            let idle = try await EmbeddedMetricStore.open(directory: dir.path, logger: CapturedLogs().logger)
            try await idle.close()
            names = try dir.segments().map { ($0 as NSString).lastPathComponent }
        }
        // The segment with the record, the highest empty one before the last start (kept so
        // the numbering never goes back), and the last start's own.
        #expect(names == ["00000001", "00000004", "00000005"])
        let segments = try dir.segments()
        #expect(try SegmentFile.size(segments[1]) == WALSegment.headerSize)
        let reopened = try await EmbeddedMetricStore.open(directory: dir.path, logger: CapturedLogs().logger)
        #expect(try await ReplayTests.dump(reopened) == before)
        let walBytes = await reopened.stats().walBytes
        try await reopened.close()
        #expect(walBytes == (try dir.segments().reduce(0) { $0 + (try SegmentFile.size($1)) }))
    }
}
