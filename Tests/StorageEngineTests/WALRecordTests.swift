import BasinTestKit
import BasinModel
@testable import StorageEngine
import Testing

@Suite("WAL record encoding")
struct WALRecordTests {
    static func randomBatch(_ rng: inout SeededGenerator) -> MetricBatch {
        var batch = MetricBatch()
        let seriesCount = Int.random(in: 1...20, using: &rng)
        for s in 0..<seriesCount {
            let labels = Labels(metricName: "m\(Int.random(in: 0...5, using: &rng))", [
                ("s", String(s)), ("host", String(repeating: "h", count: Int.random(in: 0...40, using: &rng))),
            ])
            _ = batch.beginSeries(labels, kind: MetricKind.allCases.randomElement(using: &rng) ?? .gauge)
        }
        for _ in 0..<Int.random(in: 0...300, using: &rng) {
            let t = Int64.random(in: -5_000_000_000_000...5_000_000_000_000, using: &rng)
            let v: Double = [Double.nan, .infinity, -0.0, Double.random(in: -1e300...1e300, using: &rng)].randomElement(using: &rng) ?? 0
            batch.append(seriesSlot: UInt32.random(in: 0..<UInt32(seriesCount), using: &rng), timestampMillis: t, value: v)
        }
        return batch
    }

    @Test("random batches survive an encode/decode round trip bit for bit")
    func roundTrip() throws {
        let seed = UInt64.random(in: 0...UInt64.max)
        print("WALRecordTests.roundTrip seed: \(seed)")
        var rng = SeededGenerator(state: seed)
        var bytes: [UInt8] = []
        var batches: [MetricBatch] = []
        for _ in 0..<50 {
            let b = Self.randomBatch(&rng)
            batches.append(b)
            try WALRecord.encodeBatch(b, org: OrgID("org-\(batches.count % 3)"), into: &bytes)
        }
        var decoded = MetricBatch()
        try bytes.withUnsafeBytes { raw in
            var decoder = WALRecordDecoder(bytes: raw, startOffset: 0)
            for (i, expected) in batches.enumerated() {
                let org = try #require(try decoder.next(into: &decoded), "seed \(seed) record \(i)")
                #expect(org == OrgID("org-\((i + 1) % 3)"))
                #expect(decoded.series == expected.series, "seed \(seed) record \(i)")
                #expect(decoded.kinds == expected.kinds, "seed \(seed) record \(i)")
                #expect(decoded.seriesSlots == expected.seriesSlots, "seed \(seed) record \(i)")
                #expect(decoded.timestampsMillis == expected.timestampsMillis, "seed \(seed) record \(i)")
                #expect(decoded.values.map(\.bitPattern) == expected.values.map(\.bitPattern), "seed \(seed) record \(i)")
            }
            #expect(try decoder.next(into: &decoded) == nil)
        }
    }

    @Test("the decoder reports defects and never traps on random or mutated bytes")
    func randomBytesNeverTrap() throws {
        let seed = UInt64.random(in: 0...UInt64.max)
        print("WALRecordTests.randomBytesNeverTrap seed: \(seed)")
        var rng = SeededGenerator(state: seed)
        var valid: [UInt8] = []
        try WALRecord.encodeBatch(Self.randomBatch(&rng), org: .default, into: &valid)
        var batch = MetricBatch()
        for round in 0..<2_000 {
            var bytes: [UInt8]
            if round % 2 == 0 {
                bytes = (0..<Int.random(in: 0...64, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            } else {
                bytes = valid
                for _ in 0..<Int.random(in: 1...4, using: &rng) {
                    bytes[Int.random(in: 0..<bytes.count, using: &rng)] = UInt8.random(in: 0...255, using: &rng)
                }
            }
            bytes.withUnsafeBytes { raw in
                var decoder = WALRecordDecoder(bytes: raw, startOffset: 0)
                while true {
                    do throws(WALRecordDefect) {
                        guard try decoder.next(into: &batch) != nil else { break }
                    } catch {
                        break
                    }
                }
            }
        }
    }

    @Test("a payload with a correct CRC but a slot past the series count is malformed")
    func slotOutOfRange() throws {
        // type 1, org "", 1 series (gauge, empty labels), 1 sample: slot 5, t 0, value 0.
        let payload: [UInt8] = [1, 0, 1, 1, 0, 1, 5, 0] + [UInt8](repeating: 0, count: 8)
        var bytes: [UInt8] = []
        withUnsafeBytes(of: UInt32(payload.count).littleEndian) { bytes.append(contentsOf: $0) }
        withUnsafeBytes(of: CRC32C.checksum(payload).littleEndian) { bytes.append(contentsOf: $0) }
        bytes += payload
        var batch = MetricBatch()
        let defect: WALRecordDefect? = bytes.withUnsafeBytes { raw in
            var decoder = WALRecordDecoder(bytes: raw, startOffset: 0)
            do throws(WALRecordDefect) {
                _ = try decoder.next(into: &batch)
                return nil
            } catch {
                return error
            }
        }
        guard case .malformed = defect else {
            Issue.record("expected malformed, got \(String(describing: defect))")
            return
        }
    }
}

@Suite("WAL records with series references (format version 2)")
struct WALReferenceRecordTests {
    @Test("random batches round-trip through one segment's series table; repeats become references")
    func roundTrip() throws {
        var rng = SeededGenerator(seed: SeededGenerator.seed("WALReferenceRecordTests.roundTrip"))
        var table = WALRecord.SeriesTable()
        var bytes: [UInt8] = []
        var batches: [(MetricBatch, OrgID)] = []
        var inlineBytes = 0
        var pool: [MetricBatch] = []
        for i in 0..<50 {
            // Half the records resend an earlier batch's series, as agents do every interval.
            if pool.isEmpty || Bool.random(using: &rng) { pool.append(WALRecordTests.randomBatch(&rng)) }
            let b = pool.randomElement(using: &rng) ?? pool[0]
            let org = OrgID("org-\(pool.count % 2)")
            batches.append((b, org))
            try WALRecord.encodeBatch(b, org: org, table: &table, into: &bytes)
            var inline: [UInt8] = []
            try WALRecord.encodeBatch(b, org: org, into: &inline)
            inlineBytes += inline.count
        }
        #expect(bytes.count < inlineBytes, "references make the segment smaller than inline label sets")
        var decoded = MetricBatch()
        try bytes.withUnsafeBytes { raw in
            var decoder = WALRecordDecoder(bytes: raw, startOffset: 0)
            for (i, (expected, org)) in batches.enumerated() {
                let got = try decoder.next(into: &decoded)
                #expect(got == org)
                #expect(decoded.series == expected.series, "record \(i)")
                #expect(decoded.kinds == expected.kinds, "record \(i)")
                #expect(decoded.seriesSlots == expected.seriesSlots, "record \(i)")
                #expect(decoded.timestampsMillis == expected.timestampsMillis, "record \(i)")
                #expect(decoded.values.map(\.bitPattern) == expected.values.map(\.bitPattern), "record \(i)")
            }
            let end = try decoder.next(into: &decoded)
            #expect(end == nil)
        }
    }

    @Test("one label set in two slots of a record is defined once and referenced once")
    func repeatedInOneRecord() throws {
        var batch = MetricBatch()
        let labels = Labels(metricName: "m", [("host", "a")])
        batch.append(labels, kind: .gauge, timestampMillis: 1, value: 1)
        _ = batch.beginSeries(labels, kind: .gauge)
        batch.append(seriesSlot: 1, timestampMillis: 2, value: 2)
        var table = WALRecord.SeriesTable()
        var bytes: [UInt8] = []
        try WALRecord.encodeBatch(batch, org: .default, table: &table, into: &bytes)
        #expect(table.count == 1)
        var decoded = MetricBatch()
        try bytes.withUnsafeBytes { raw in
            var decoder = WALRecordDecoder(bytes: raw, startOffset: 0)
            _ = try decoder.next(into: &decoded)
        }
        #expect(decoded.series == [labels, labels])
        #expect(decoded.timestampsMillis == [1, 2])
    }

    @Test("definitions taken back after a failed write are forgotten, and their numbers reused")
    func rollback() throws {
        func batch(_ names: [String]) -> MetricBatch {
            var b = MetricBatch()
            for name in names { b.append(Labels(metricName: name), kind: .gauge, timestampMillis: 1, value: 1) }
            return b
        }
        var table = WALRecord.SeriesTable()
        var bytes: [UInt8] = []
        try WALRecord.encodeBatch(batch(["a"]), org: .default, table: &table, into: &bytes)
        let before = table.count
        var lost: [UInt8] = []
        try WALRecord.encodeBatch(batch(["b", "c"]), org: .default, table: &table, into: &lost)
        #expect(table.count == 3)
        table.removeLast(from: before)
        #expect(table.count == 1)
        // "c" is defined again (as number 1), and "a" is still a reference.
        try WALRecord.encodeBatch(batch(["c", "a"]), org: .default, table: &table, into: &bytes)
        #expect(table.count == 2)
        var decoded = MetricBatch()
        try bytes.withUnsafeBytes { raw in
            var decoder = WALRecordDecoder(bytes: raw, startOffset: 0)
            _ = try decoder.next(into: &decoded)
            _ = try decoder.next(into: &decoded)
        }
        #expect(decoded.series == [Labels(metricName: "c"), Labels(metricName: "a")])
        // The same label set in another organisation is another series.
        var other: [UInt8] = []
        try WALRecord.encodeBatch(batch(["a"]), org: OrgID("other"), table: &table, into: &other)
        #expect(table.count == 3)
    }

    @Test("a reference to a series the segment never defined is a malformed record")
    func undefinedReference() throws {
        var batch = MetricBatch()
        batch.append(Labels(metricName: "m"), kind: .gauge, timestampMillis: 1, value: 1)
        var table = WALRecord.SeriesTable()
        var first: [UInt8] = []
        try WALRecord.encodeBatch(batch, org: .default, table: &table, into: &first)
        var second: [UInt8] = []
        try WALRecord.encodeBatch(batch, org: .default, table: &table, into: &second)
        // The second record alone (as if the first were lost) refers to series 0.
        var decoded = MetricBatch()
        second.withUnsafeBytes { raw in
            var decoder = WALRecordDecoder(bytes: raw, startOffset: 0)
            do throws(WALRecordDefect) {
                _ = try decoder.next(into: &decoded)
                Issue.record("expected a defect")
            } catch {
                #expect("\(error)".contains("undefined series"))
            }
        }
    }
}
