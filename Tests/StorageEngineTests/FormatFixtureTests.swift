import BasinModel
import BasinTestKit
import Foundation
import StorageAPI
@testable import StorageEngine
import Testing

/// Data written by each block format version (with the metric-kinds table and the log of its
/// time), committed so that later versions keep reading it: `store-v1` by block format 1,
/// `store-v2` by block format 2. `BASIN_UPDATE_FIXTURES=1` rewrites the fixture of the version
/// the engine writes now (never an older one) and fails the run, so an update is never
/// silently green.
@Suite("On-disk format fixtures")
struct FormatFixtureTests {
    /// Fixture directory name and the block format version its blocks were written in.
    static let fixtures: [(name: String, blockVersion: UInt8)] = [("store-v1", 1), ("store-v2", 2)]

    static func fixture(_ name: String) -> String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/" + name).path
    }

    static let cpu = Labels(metricName: "system.cpu.user", [("host", "web-1"), ("env", "prod")])
    static let mem = Labels(metricName: "system.mem.used", [("host", "web-1")])

    /// In blocks: cpu at 10 s steps over two 2-hour windows (values with 2 decimals), mem as integers.
    static let start: Int64 = 1_700_000_000_000
    static let blockCPU: [(Int64, Double)] = (0..<800).map { (i: Int) -> (Int64, Double) in
        let t: Int64 = start + Int64(i) * 10_000
        let v: Double = Double(1_000 + i % 97) / 100
        return (t, v)
    }
    static let blockMem: [(Int64, Double)] = (0..<50).map { (i: Int) -> (Int64, Double) in
        let t: Int64 = start + Int64(i) * 60_000
        let v: Double = Double(4_096 * (1_000 + i))
        return (t, v)
    }
    /// Only in the log: later cpu samples, one of which overwrites a sample in a block.
    static let walCPU: [(Int64, Double)] = [(1_700_000_000_000, 0.30000000000000004), (1_700_009_000_000, -1.5)]

    static func write(into directory: String) async throws {
        var options = EmbeddedStoreOptions(retentionMillis: .max / 4, compactionIntervalMillis: 3_600_000)
        options.nowMillis = { 1_700_000_000_000 }
        let store = try await EmbeddedMetricStore.open(directory: directory, options: options, logger: CapturedLogs().logger)
        var first = MetricBatch()
        let c = first.beginSeries(cpu, kind: .gauge)
        let m = first.beginSeries(mem, kind: .counter)
        for (t, v) in blockCPU { first.append(seriesSlot: c, timestampMillis: t, value: v) }
        for (t, v) in blockMem { first.append(seriesSlot: m, timestampMillis: t, value: v) }
        try await store.append(first, org: .default)
        try await store.runMaintenance(forceFlush: true, compact: false)
        var second = MetricBatch()
        let c2 = second.beginSeries(cpu, kind: .gauge)
        for (t, v) in walCPU { second.append(seriesSlot: c2, timestampMillis: t, value: v) }
        try await store.append(second, org: OrgID("other"))
        try await store.append(second, org: .default)
        try await store.close()
    }

    static func copyFixture(_ name: String) throws -> TemporaryDirectory {
        let dir = TemporaryDirectory()
        try? FileManager.default.removeItem(atPath: dir.path)
        try FileManager.default.copyItem(atPath: fixture(name), toPath: dir.path)
        return dir
    }

    @Test("each committed store reads back exactly", arguments: fixtures.map(\.name))
    func readsFixture(_ name: String) async throws {
        let blockVersion = Self.fixtures.first { $0.name == name }?.blockVersion ?? 0
        if ProcessInfo.processInfo.environment["BASIN_UPDATE_FIXTURES"] == "1", blockVersion == BlockFormat.version {
            let path = Self.fixture(name)
            try? FileManager.default.removeItem(atPath: path)
            try await Self.write(into: path)
            Issue.record("fixture rewritten at \(path); run again without BASIN_UPDATE_FIXTURES")
            return
        }
        let dir = try Self.copyFixture(name)
        defer { dir.remove() }
        let blocks = try FileManager.default.contentsOfDirectory(atPath: dir.path + "/blocks").filter { $0.hasSuffix(".block") }
        #expect(blocks.count == 2, "cpu spans two 2-hour windows")
        for block in blocks {
            let bytes = try Data(contentsOf: URL(fileURLWithPath: dir.path + "/blocks/" + block))
            #expect(bytes.count > 4 && bytes[4] == blockVersion, "\(name)/\(block) is in block format \(blockVersion)")
        }
        var options = EmbeddedStoreOptions(retentionMillis: .max / 4, compactionIntervalMillis: 3_600_000)
        options.nowMillis = { 1_700_000_000_000 }
        let store = try await EmbeddedMetricStore.open(directory: dir.path, options: options, logger: CapturedLogs().logger)
        let got = try await store.select(SelectRequest(org: .default, matchers: [.equal("host", "web-1")], startMillis: .min, endMillis: .max))
        #expect(got.map(\.labels) == [Self.cpu, Self.mem])
        var wantCPU = Self.blockCPU
        wantCPU[0].1 = Self.walCPU[0].1
        wantCPU.append(Self.walCPU[1])
        wantCPU.sort { $0.0 < $1.0 }
        #expect(got[0].timestampsMillis == wantCPU.map(\.0))
        #expect(got[0].values.map(\.bitPattern) == wantCPU.map(\.1.bitPattern))
        #expect(got[1].timestampsMillis == Self.blockMem.map(\.0))
        #expect(got[1].values == Self.blockMem.map(\.1))
        #expect(got[1].kind == .counter)
        #expect(try await store.metricKinds(org: .default, metricName: nil) == ["system.cpu.user": .gauge, "system.mem.used": .counter])
        let other = try await store.select(SelectRequest(org: OrgID("other"), matchers: [.equal("host", "web-1")], startMillis: .min, endMillis: .max))
        #expect(other.first?.values.map(\.bitPattern) == Self.walCPU.map(\.1.bitPattern))
        // Compacting the old blocks rewrites them in the current version without changing a sample.
        var later = options
        later.nowMillis = { 1_800_000_000_000 }
        try await store.close()
        let reopened = try await EmbeddedMetricStore.open(directory: dir.path, options: later, logger: CapturedLogs().logger)
        try await reopened.runMaintenance(forceFlush: true, compact: true)
        // The two 2-hour windows fall into two different days (the day boundary is at
        // 1_700_006_400_000), each with a block of the fixture and one of the log's two samples.
        // Blocks of an older format merge with their window; a small block beside a large one
        // of the current format waits for more data (`mergeRun`).
        #expect(await reopened.stats().blocks == (blockVersion < BlockFormat.version ? 2 : 4))
        let again = try await reopened.select(SelectRequest(org: .default, matchers: [.equal("host", "web-1")], startMillis: .min, endMillis: .max))
        #expect(again.map(\.values).map { $0.map(\.bitPattern) } == got.map(\.values).map { $0.map(\.bitPattern) })
        try await reopened.close()
    }
}
