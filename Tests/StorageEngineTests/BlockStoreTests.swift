import BasinModel
import BasinTestKit
import Foundation
import Logging
import StorageAPI
@testable import StorageEngine
import Synchronization
import Testing

@Suite("Blocks: cutting, compaction, retention, recovery")
struct BlockStoreTests {
    static let hour: Int64 = 3_600_000

    /// Options with a huge retention (test data is from 1970) and no background ticks.
    static func options(blockRange: Int64 = 2 * hour, now: Int64 = 0) -> EmbeddedStoreOptions {
        var o = EmbeddedStoreOptions(blockRangeMillis: blockRange, retentionMillis: .max / 4, compactionIntervalMillis: 3_600_000)
        o.nowMillis = { now }
        return o
    }

    static func batch(_ series: [(Labels, [(Int64, Double)])], kind: MetricKind = .gauge) -> MetricBatch {
        var b = MetricBatch()
        for (labels, samples) in series {
            let slot = b.beginSeries(labels, kind: kind)
            for (t, v) in samples { b.append(seriesSlot: slot, timestampMillis: t, value: v) }
        }
        return b
    }

    static func read(_ store: EmbeddedMetricStore, _ name: String, org: OrgID = .default) async throws -> [String: [(Int64, Double)]] {
        let got = try await store.select(SelectRequest(org: org, matchers: [.equal("__name__", name)], startMillis: .min, endMillis: .max))
        var out: [String: [(Int64, Double)]] = [:]
        for s in got { out[s.labels["host"] ?? ""] = Array(zip(s.timestampsMillis, s.values)) }
        return out
    }

    static func blockFiles(_ dir: TemporaryDirectory) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: dir.path + "/blocks")) ?? []).filter { $0.hasSuffix(".block") }.sorted()
    }

    @Test("a cut head is served from blocks after a restart and its log segments are gone")
    func cutAndReopen() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let store = try await EmbeddedMetricStore.open(directory: dir.path, options: Self.options(), logger: CapturedLogs().logger)
        // Samples in three 2-hour windows.
        let samples: [(Int64, Double)] = (0..<600).map { (Int64($0) * 30_000, Double($0) * 1.5) }
        try await store.append(Self.batch([(Labels(metricName: "cpu", [("host", "a")]), samples)]), org: .default)
        try await store.runMaintenance(forceFlush: true, compact: false)
        let stats = await store.stats()
        #expect(stats.headSamples == 0)
        #expect(stats.blocks == 3)
        #expect(stats.blockSamples == 600)
        try await store.close()
        let walFiles = try FileManager.default.contentsOfDirectory(atPath: dir.path + "/wal").filter { !$0.hasPrefix("quarantine") }
        #expect(walFiles.count == 1, "only the segment started at the cut remains: \(walFiles)")

        let reopened = try await EmbeddedMetricStore.open(directory: dir.path, options: Self.options(), logger: CapturedLogs().logger)
        let got = try await Self.read(reopened, "cpu")
        #expect(got["a"]?.map(\.0) == samples.map(\.0))
        #expect(got["a"]?.map(\.1) == samples.map(\.1))
        try await reopened.close()
    }

    @Test("the last value written wins across blocks, compaction and the head")
    func lastWriteWinsAcrossSources() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let store = try await EmbeddedMetricStore.open(directory: dir.path, options: Self.options(now: 40 * Self.hour), logger: CapturedLogs().logger)
        let a = Labels(metricName: "m", [("host", "a")])
        try await store.append(Self.batch([(a, [(1_000, 1), (2_000, 1), (3_000, 1)])]), org: .default)
        try await store.runMaintenance(forceFlush: true, compact: false)
        try await store.append(Self.batch([(a, [(2_000, 2)])]), org: .default)
        try await store.runMaintenance(forceFlush: true, compact: false)
        try await store.append(Self.batch([(a, [(3_000, 3)])]), org: .default)
        #expect(try await Self.read(store, "m")["a"]?.map(\.1) == [1, 2, 3])
        try await store.runMaintenance(forceFlush: true, compact: true)
        let stats = await store.stats()
        #expect(stats.blocks == 1, "three blocks of one sealed window merge into one")
        #expect(try await Self.read(store, "m")["a"]?.map(\.1) == [1, 2, 3])
        try await store.close()
        let reopened = try await EmbeddedMetricStore.open(directory: dir.path, options: Self.options(now: 40 * Self.hour), logger: CapturedLogs().logger)
        #expect(try await Self.read(reopened, "m")["a"]?.map(\.1) == [1, 2, 3])
        #expect(try await reopened.metricKinds(org: .default, metricName: "m") == ["m": .gauge])
        try await reopened.close()
    }

    @Test("late samples cut into an ended window do not rewrite its large block each time, and still win")
    func lateCutsMergeGeometrically() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let store = try await EmbeddedMetricStore.open(directory: dir.path, options: Self.options(now: 40 * Self.hour), logger: CapturedLogs().logger)
        let a = Labels(metricName: "m", [("host", "a")])
        var expected = (0..<100).map { (Int64($0) * 60_000, Double($0)) }
        try await store.append(Self.batch([(a, expected)]), org: .default)
        try await store.runMaintenance(forceFlush: true, compact: true)
        #expect(await store.stats().blocks == 1)

        // One late sample overwrites a value: a block of 1 beside the block of 100 stays apart.
        try await store.append(Self.batch([(a, [(5 * 60_000, -5)])]), org: .default)
        expected[5].1 = -5
        try await store.runMaintenance(forceFlush: true, compact: true)
        #expect(await store.stats().blocks == 2)
        #expect(try await Self.read(store, "m")["a"]?.map(\.1) == expected.map(\.1))

        // A second one: the two small blocks merge with each other, not with the large one.
        try await store.append(Self.batch([(a, [(6 * 60_000, -6)])]), org: .default)
        expected[6].1 = -6
        try await store.runMaintenance(forceFlush: true, compact: true)
        var stats = await store.stats()
        #expect(stats.blocks == 2)
        #expect(stats.blockSamples == 102, "100 + the two late samples, merged into one small block")
        #expect(try await Self.read(store, "m")["a"]?.map(\.1) == expected.map(\.1))

        // Enough new data beside the large block: everything becomes one block again.
        let more = (0..<60).map { (Int64(100 + $0) * 60_000, Double(100 + $0)) }
        try await store.append(Self.batch([(a, more)]), org: .default)
        expected += more
        try await store.runMaintenance(forceFlush: true, compact: true)
        stats = await store.stats()
        #expect(stats.blocks == 1)
        #expect(stats.blockSamples == 160)
        let got = try await Self.read(store, "m")["a"]
        #expect(got?.map(\.0) == expected.map(\.0))
        #expect(got?.map(\.1) == expected.map(\.1))
        try await store.close()
    }

    @Test("a window with a small block beside a large one merges whole once no cut has written to it for two flush intervals")
    func settledWindowMergesWhole() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let clock = ManualClock(millis: 40 * Self.hour)
        var options = Self.options()
        options.nowMillis = { clock.millis.load(ordering: .relaxed) }
        let store = try await EmbeddedMetricStore.open(directory: dir.path, options: options, logger: CapturedLogs().logger)
        let a = Labels(metricName: "m", [("host", "a")])
        var expected = (0..<100).map { (Int64($0) * 60_000, Double($0)) }
        try await store.append(Self.batch([(a, expected)]), org: .default)
        try await store.runMaintenance(forceFlush: true, compact: true)
        try await store.append(Self.batch([(a, [(5 * 60_000, -5)])]), org: .default)
        expected[5].1 = -5
        try await store.runMaintenance(forceFlush: true, compact: true)
        #expect(await store.stats().blocks == 2, "the late block waits while cuts may still come")
        // Just short of two flush intervals: still apart.
        clock.millis.add(2 * options.headFlushIntervalMillis - 1, ordering: .relaxed)
        try await store.runMaintenance(forceFlush: false, compact: true)
        #expect(await store.stats().blocks == 2)
        clock.millis.add(1, ordering: .relaxed)
        try await store.runMaintenance(forceFlush: false, compact: true)
        let stats = await store.stats()
        #expect(stats.blocks == 1)
        #expect(stats.blockSamples == 100)
        #expect(try await Self.read(store, "m")["a"]?.map(\.1) == expected.map(\.1))
        try await store.close()
    }

    @Test("a small window of an ended day never merges without the day's newer blocks that overlap it")
    func smallWindowMergeKeepsNewerDayBlocks() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let store = try await EmbeddedMetricStore.open(directory: dir.path, options: Self.options(now: 40 * Self.hour), logger: CapturedLogs().logger)
        let a = Labels(metricName: "m", [("host", "a")])
        let minute: Int64 = 60_000
        // A large block in the day's third two-hour window, then one in the first.
        try await store.append(Self.batch([(a, (0..<1_000).map { (4 * Self.hour + Int64($0) * 7_000, 1) })]), org: .default)
        try await store.runMaintenance(forceFlush: true, compact: true)
        var expected = (0..<100).map { (Int64($0) * minute, Double($0)) }
        try await store.append(Self.batch([(a, expected)]), org: .default)
        try await store.runMaintenance(forceFlush: true, compact: true)
        // Two late overwrites in the first window: they merge into a block of the whole day.
        for (t, v) in [(5 * minute, -5.0), (6 * minute, -6.0)] {
            try await store.append(Self.batch([(a, [(t, v)])]), org: .default)
            try await store.runMaintenance(forceFlush: true, compact: true)
        }
        expected[5].1 = -5
        expected[6].1 = -6
        // 100 new samples in the first window and, cut after them, one in the third: the day's
        // newest block is small, so the day waits; the first window's two blocks of 100 must not
        // merge on their own, or the old values of minutes 5 and 6 would come back.
        let more = (0..<100).map { (Int64($0) * minute + 30_000, Double(1_000 + $0)) }
        try await store.append(Self.batch([(a, more + [(5 * Self.hour, 2)])]), org: .default)
        try await store.runMaintenance(forceFlush: true, compact: true)
        let got = try await Self.read(store, "m")["a"] ?? []
        let firstWindow = got.filter { $0.0 < 2 * Self.hour }
        let want = (expected + more).sorted { $0.0 < $1.0 }
        #expect(firstWindow.map(\.0) == want.map(\.0))
        #expect(firstWindow.map(\.1) == want.map(\.1))
        try await store.close()
    }

    @Test("blocks whose newest sample is past the retention are deleted")
    func retention() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        var options = Self.options(now: 100 * Self.hour)
        options.retentionMillis = 10 * Self.hour
        let store = try await EmbeddedMetricStore.open(directory: dir.path, options: options, logger: CapturedLogs().logger)
        let old = Labels(metricName: "m", [("host", "old")])
        let new = Labels(metricName: "m", [("host", "new")])
        try await store.append(Self.batch([(old, [(5 * Self.hour, 1)]), (new, [(95 * Self.hour, 2)])]), org: .default)
        try await store.runMaintenance(forceFlush: true, compact: false)
        #expect(await store.stats().blocks == 2)
        try await store.runMaintenance(forceFlush: false, compact: true)
        #expect(await store.stats().blocks == 1)
        let got = try await Self.read(store, "m")
        #expect(got["old"] == nil)
        #expect(got["new"]?.map(\.1) == [2])
        try await store.close()
    }

    @Test("a damaged block is quarantined and the store still starts")
    func damagedBlockIsQuarantined() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let logs = CapturedLogs()
        let store = try await EmbeddedMetricStore.open(directory: dir.path, options: Self.options(), logger: logs.logger)
        try await store.append(Self.batch([(Labels(metricName: "m", [("host", "a")]), [(1_000, 1)])]), org: .default)
        try await store.append(Self.batch([(Labels(metricName: "m", [("host", "b")]), [(3 * Self.hour, 2)])]), org: .default)
        try await store.runMaintenance(forceFlush: true, compact: false)
        try await store.close()
        let files = Self.blockFiles(dir)
        #expect(files.count == 2)
        // Flip one byte in the index sections of the first block (just before the footer).
        let path = dir.path + "/blocks/" + files[0]
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        bytes[bytes.count - 120] ^= 0xFF
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let reopened = try await EmbeddedMetricStore.open(directory: dir.path, options: Self.options(), logger: logs.logger)
        #expect(logs.contains(level: .error, "quarantined"))
        #expect(FileManager.default.fileExists(atPath: dir.path + "/blocks/quarantine/" + files[0]))
        let got = try await Self.read(reopened, "m")
        #expect(got["a"] == nil)
        #expect(got["b"]?.map(\.1) == [2])
        try await reopened.close()
    }

    @Test("a damaged chunk fails the query with an error naming the block")
    func damagedChunk() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let store = try await EmbeddedMetricStore.open(directory: dir.path, options: Self.options(), logger: CapturedLogs().logger)
        try await store.append(Self.batch([(Labels(metricName: "m", [("host", "a")]), (0..<100).map { (Int64($0) * 1_000, Double($0)) })]), org: .default)
        try await store.runMaintenance(forceFlush: true, compact: false)
        try await store.close()
        let path = dir.path + "/blocks/" + Self.blockFiles(dir)[0]
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        bytes[BlockFormat.headerSize + 10] ^= 0x01  // inside the first chunk
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let reopened = try await EmbeddedMetricStore.open(directory: dir.path, options: Self.options(), logger: CapturedLogs().logger)
        await #expect(throws: StorageError.self) { _ = try await Self.read(reopened, "m") }
        do {
            _ = try await Self.read(reopened, "m")
        } catch let error as StorageError {
            #expect(error.kind == .internalError)
            #expect(error.message.contains("checksum mismatch"))
        }
        try await reopened.close()
    }

    @Test("start-up removes unfinished blocks and blocks a compacted block replaced")
    func crashLeftovers() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let store = try await EmbeddedMetricStore.open(directory: dir.path, options: Self.options(now: 40 * Self.hour), logger: CapturedLogs().logger)
        // The background task's first compaction is due at once (none has run yet); run it now,
        // on the empty store, so that it cannot merge the two blocks below on a slow machine
        // (the test clock stands still, so no later compaction falls due).
        try await store.runMaintenance(forceFlush: false, compact: true)
        let a = Labels(metricName: "m", [("host", "a")])
        try await store.append(Self.batch([(a, [(1_000, 1)])]), org: .default)
        try await store.runMaintenance(forceFlush: true, compact: false)
        try await store.append(Self.batch([(a, [(2_000, 2)])]), org: .default)
        try await store.runMaintenance(forceFlush: true, compact: false)
        try await store.close()
        let before = Self.blockFiles(dir)
        #expect(before.count == 2)
        // Keep copies of the inputs, compact, then put the inputs back: as if the process died
        // after publishing the compacted block and before deleting its sources.
        let saved = try before.map { try Data(contentsOf: URL(fileURLWithPath: dir.path + "/blocks/" + $0)) }
        let again = try await EmbeddedMetricStore.open(directory: dir.path, options: Self.options(now: 40 * Self.hour), logger: CapturedLogs().logger)
        try await again.runMaintenance(forceFlush: false, compact: true)
        try await again.close()
        #expect(Self.blockFiles(dir).count == 1)
        for (name, data) in zip(before, saved) { try data.write(to: URL(fileURLWithPath: dir.path + "/blocks/" + name)) }
        try Data([1, 2, 3]).write(to: URL(fileURLWithPath: dir.path + "/blocks/00000000000000ff.tmp"))
        let reopened = try await EmbeddedMetricStore.open(directory: dir.path, options: Self.options(now: 40 * Self.hour), logger: CapturedLogs().logger)
        #expect(Self.blockFiles(dir).count == 1)
        #expect(!FileManager.default.fileExists(atPath: dir.path + "/blocks/00000000000000ff.tmp"))
        #expect(try await Self.read(reopened, "m")["a"]?.map(\.1) == [1, 2])
        try await reopened.close()
    }
}

/// A wall clock a test moves by hand.
final class ManualClock: Sendable {
    let millis: Atomic<Int64>
    init(millis: Int64) { self.millis = Atomic(millis) }
}
