import BasinModel
import BasinTestKit
import Foundation
import NIOCore
import StorageAPI
import Testing

@testable import DialectBlueflood

/// Rendered views compared with golden files (`Fixtures/Query/<name>.json`;
/// `BASIN_UPDATE_GOLDEN=1` rewrites them and fails the run, so updating is never silently green).
@Suite("Blueflood query golden views")
struct BluefloodQueryGoldenTests {
    typealias F = BluefloodQueryFixture

    static func golden(_ name: String) -> String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/Query/\(name).json").path
    }

    static func check(_ name: String, _ buffer: ByteBuffer) throws {
        let text = String(buffer: buffer) + "\n"
        let path = golden(name)
        if ProcessInfo.processInfo.environment["BASIN_UPDATE_GOLDEN"] == "1" {
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            Issue.record("golden file rewritten: \(path); run again without BASIN_UPDATE_GOLDEN")
            return
        }
        let expected = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text == expected)
    }

    static func store() async throws -> InMemoryMetricStore {
        let store = InMemoryMetricStore()
        try await F.append(store, "3333333.G1s", kind: .gauge, [(F.day + 1_000, 397), (F.day + 16_000, 398.5)])
        try await F.metadata(store, "3333333.G1s", MetricMetadata(dialect: Blueflood.dialect, vendorType: "gauge", ttlSeconds: 172_800))
        try await F.append(store, "3333333.G10s", kind: .gauge, [(F.day + 1_000, 56)])
        try await F.metadata(store, "3333333.G10s", MetricMetadata(dialect: Blueflood.dialect, vendorType: "gauge", ttlSeconds: 172_800))
        // Basic samples: integers in the first 5 minutes, a fraction in the second, one in the fourth.
        try await F.append(store, "example.metric.one", [
            (F.day + 10_000, 2), (F.day + 70_000, 4), (F.day + 130_000, 4),
            (F.day + 310_000, 1.5), (F.day + 320_000, 2),
            (F.day + 960_000, 66),
        ])
        try await F.metadata(store, "example.metric.one", MetricMetadata(unit: "ms", dialect: Blueflood.dialect, vendorType: "basic", ttlSeconds: 172_800))
        return store
    }

    @Test("a gauge at FULL")
    func gaugeFull() async throws {
        let view = try await F.reader(try await Self.store()).view(
            org: F.org, metricName: "3333333.G1s", request: F.request(F.day, F.day + 60_000, .full), nowMillis: F.day + 60_000)
        try Self.check("gauge-full", BluefloodViewRenderer.single(view))
    }

    @Test("a basic metric rolled up to MIN5")
    func basicRollup() async throws {
        let view = try await F.reader(try await Self.store()).view(
            org: F.org, metricName: "example.metric.one", request: F.request(F.day + 1, F.day + 3_600_000, .min5), nowMillis: F.day + 3_600_000)
        try Self.check("basic-min5", BluefloodViewRenderer.single(view))
    }

    @Test("a batch of two gauges and an unknown name")
    func batch() async throws {
        let views = try await F.reader(try await Self.store()).views(
            org: F.org, metricNames: ["3333333.G1s", "3333333.G10s", "unknown.name"],
            request: F.request(F.day, F.day + 60_000, .full), nowMillis: F.day + 60_000)
        try Self.check("batch-gauges-full", BluefloodViewRenderer.batch(views))
    }
}
