import BasinModel
import Foundation
import Logging
import StorageAPI
import StorageEngine
import Testing

@testable import DialectBlueflood

/// The roll-up vectors over the embedded engine, whose `selectWindows` streams instead of
/// using the protocol's default.
@Suite("Blueflood query over the embedded engine")
struct BluefloodQueryEmbeddedTests {
    typealias F = BluefloodQueryFixture

    @Test("B44 counts and the B54 integer average hold over the embedded engine")
    func rollups() async throws {
        let directory = NSTemporaryDirectory() + "basin-blueflood-query-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try await EmbeddedMetricStore.open(directory: directory, logger: Logger(label: "test"))
        let start = F.day + 64 * F.minute + 17_000
        var batch = MetricBatch()
        let slot = batch.beginSeries(Labels(metricName: "a.b.c"), kind: .gauge)
        for i in 0..<1440 { batch.append(seriesSlot: slot, timestampMillis: start + Int64(i) * F.minute, value: Double(i % 3 == 0 ? 2 : 4)) }
        try await store.append(batch, org: F.org)
        try await store.updateMetricMetadata(org: F.org, metricName: "a.b.c", MetricMetadata(vendorType: "basic", ttlSeconds: 172_800))
        let reader = BluefloodViewReader(store: store, maxSeries: 100, maxSamples: 1_000_000)
        let end = start + 86_400_000
        var counts: [Int] = []
        for g in BluefloodGranularity.allCases {
            let view = try await reader.view(org: F.org, metricName: "a.b.c", request: F.request(start, end, g), nowMillis: end)
            counts.append(view.points.count)
        }
        #expect(counts == [1440, 289, 73, 25, 7, 2])
        // The first MIN20 bucket holds minutes 4..19 of the hour: values 2,4,4,2,4,4,… → integer average.
        let view = try await reader.view(org: F.org, metricName: "a.b.c", request: F.request(start, end, .min20, select: [.average, .numPoints]), nowMillis: end)
        let first = try #require(view.points.first)
        let n = first["numPoints"].map { Int($0.doubleValue) } ?? 0
        let values = (0..<n).map { $0 % 3 == 0 ? 2 : 4 }
        #expect(first["average"] == .integer(Int64(values.reduce(0, +) / n)))
        try await store.close()
    }
}
