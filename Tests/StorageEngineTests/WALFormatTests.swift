import BasinModel
@testable import StorageEngine
import Testing

/// Pins the version-1 record format (Docs/wal.md): these bytes were written by the first
/// release of the format and must keep decoding to the same batch.
@Suite("WAL format version 1")
struct WALFormatTests {
    static func fixedBatch() -> MetricBatch {
        var batch = MetricBatch()
        let a = batch.beginSeries(Labels(metricName: "up", [("job", "api")]), kind: .gauge)
        let b = batch.beginSeries(Labels(metricName: "req"), kind: .counter)
        batch.append(seriesSlot: a, timestampMillis: 1_700_000_000_000, value: 1)
        batch.append(seriesSlot: b, timestampMillis: 1_700_000_000_500, value: 2.5)
        batch.append(seriesSlot: a, timestampMillis: 1_699_999_999_000, value: -0.0)
        return batch
    }

    // length 82 | crc | type 1 | "acme" | 2 series: gauge up{job="api"}, counter req{} |
    // 3 samples | slots 0 1 0 | zigzag deltas 1700000000000, +500, -1500 | 1.0, 2.5, -0.0
    static let goldenHex =
        "5200000079e02ed2010461636d65020114085f5f6e616d655f5f027570036a6f6203617069030d085f5f6e616d655f5f0372657103"
        + "00010080a0abfef962e807b717000000000000f03f00000000000004400000000000000080"

    static func hex(_ bytes: [UInt8]) -> String {
        bytes.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
    }

    static func bytes(_ hex: String) -> [UInt8] {
        var out: [UInt8] = []
        var it = hex.makeIterator()
        while let hi = it.next(), let lo = it.next() {
            out.append(UInt8(String([hi, lo]), radix: 16) ?? 0)
        }
        return out
    }

    @Test("encoding the fixed batch gives the golden bytes")
    func encodesGolden() throws {
        var out: [UInt8] = []
        try WALRecord.encodeBatch(Self.fixedBatch(), org: OrgID("acme"), into: &out)
        #expect(Self.hex(out) == Self.goldenHex)
    }

    @Test("the golden bytes decode to the fixed batch")
    func decodesGolden() throws {
        let expected = Self.fixedBatch()
        var batch = MetricBatch()
        try Self.bytes(Self.goldenHex).withUnsafeBytes { raw in
            var decoder = WALRecordDecoder(bytes: raw, startOffset: 0)
            let org = try decoder.next(into: &batch)
            #expect(org == OrgID("acme"))
            let atEnd = decoder.atEnd
            #expect(atEnd)
        }
        #expect(batch.series == expected.series)
        #expect(batch.kinds == expected.kinds)
        #expect(batch.seriesSlots == expected.seriesSlots)
        #expect(batch.timestampsMillis == expected.timestampsMillis)
        #expect(batch.values.map(\.bitPattern) == expected.values.map(\.bitPattern))
    }
}
