import BasinModel
import BasinTestKit
import StorageAPI
@testable import StorageEngine
import Testing

/// The variance and integrality window aggregates, and the metadata file versions that carry
/// the vendor fields Blueflood needs.
@Suite("Window variance and integrality; metadata file versions")
struct WindowShapeAggregatesTests {
    static func fold(
        _ ts: [Int64], _ vs: [Double], ends: [Int64], width: Int64,
        aggregates: WindowAggregates = [.variance, .integral, .mean]
    ) -> SeriesWindows {
        let request = WindowSelectRequest(
            select: SelectRequest(org: .default, matchers: [], startMillis: 0, endMillis: 0),
            windowEndsMillis: ends, windowMillis: width, aggregates: aggregates)
        var w = SeriesWindows(labels: Labels(metricName: "m"), kind: .gauge, windows: ends.count, aggregates: request.aggregates)
        ts.withUnsafeBufferPointer { tp in vs.withUnsafeBufferPointer { vp in w.fold(timestampsMillis: tp, values: vp, request: request) } }
        return w
    }

    @Test("population variance and integrality per window; empty windows stay NaN")
    func varianceAndIntegral() {
        // Windows (0, 10], (10, 20], (20, 30]: {2, 4, 4}, {1.5, 2.5}, nothing.
        let w = Self.fold([1, 5, 10, 11, 20], [2, 4, 4, 1.5, 2.5], ends: [10, 20, 30], width: 10)
        #expect(w.count == [3, 2, 0])
        #expect(abs(w.variance[0] - 8.0 / 9.0) < 1e-12)
        #expect(w.variance[1] == 0.25)
        #expect(w.variance[2].isNaN)
        #expect(w.integral[0] == 1)
        #expect(w.integral[1] == 0)
        #expect(w.integral[2].isNaN)
    }

    @Test("variance does not cancel for large values with a small spread")
    func varianceIsStable() {
        let base = 1e9
        let w = Self.fold([1, 2, 3, 4], [base + 1, base + 2, base + 3, base + 4], ends: [10], width: 10)
        #expect(abs(w.variance[0] - 1.25) < 1e-6)
    }

    @Test("a version 1 metadata file (before vendor type and TTL) still reads")
    func metadataVersion1Reads() throws {
        var bytes = MetricMetadataFile.magic + [1]
        WALRecord.appendUVarint(1, to: &bytes)
        BlockBytes.appendBytes(Array("default".utf8), to: &bytes)
        BlockBytes.appendBytes(Array("disk.used".utf8), to: &bytes)
        bytes.append(0b1)
        BlockBytes.appendBytes(Array("byte".utf8), to: &bytes)
        BlockBytes.appendU32(bytes.withUnsafeBytes { CRC32C.checksum($0) }, to: &bytes)
        let table = try #require(MetricMetadataFile.decode(bytes))
        #expect(table[.default]?["disk.used"] == MetricMetadata(unit: "byte"))
    }

    @Test("version 2 round-trips vendor type and TTL")
    func metadataVersion2RoundTrips() throws {
        let table: [OrgID: [String: MetricMetadata]] = [
            OrgID("t1"): ["a": MetricMetadata(unit: "ms", dialect: "blueflood", vendorType: "basic", ttlSeconds: 86_400)],
            .default: ["b": MetricMetadata(intervalSeconds: 10, vendorType: "timer")],
        ]
        let bytes = MetricMetadataFile.encode(table)
        #expect(bytes[4] == 2)
        #expect(MetricMetadataFile.decode(bytes) == table)
    }
}
