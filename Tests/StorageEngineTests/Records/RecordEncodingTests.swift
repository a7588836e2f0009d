import BasinModel
import BasinTestKit
import Testing
@testable import StorageEngine

@Suite struct RecordEncodingTests {
    @Test("records round-trip through the binary encoding", arguments: 0..<20)
    func recordsRoundTrip(seed: Int) {
        var gen = RandomRecords(seed: UInt64(seed) &+ 1000)
        for _ in 0..<50 {
            let r = gen.record(time: Int64.random(in: .min ... .max, using: &gen.rng))
            var bytes: [UInt8] = []
            RecordEncoding.encode(r, into: &bytes)
            let back = bytes.withUnsafeBytes { raw -> Record? in
                var c = PayloadCursor(bytes: raw)
                let r = RecordEncoding.decodeRecord(&c)
                return c.remaining == 0 ? r : nil
            }
            #expect(back == r)
            for f in r.fields {
                let one = bytes.withUnsafeBytes { raw -> FieldValue? in
                    var c = PayloadCursor(bytes: raw)
                    return RecordEncoding.field(Array(f.name.utf8), inRecord: &c)
                }
                #expect(one == r[field: f.name])
            }
        }
    }

    @Test("columns round-trip with their statistics", arguments: 0..<10)
    func columnsRoundTrip(seed: Int) {
        var gen = RandomRecords(seed: UInt64(seed) &+ 2000)
        var values: [FieldValue?] = []
        for _ in 0..<500 {
            // Long runs of one type, as real columns have, and some variety.
            values.append(Int.random(in: 0..<4, using: &gen.rng) == 0 ? nil : (seed % 2 == 0 ? .string("v\(Int.random(in: 0..<5, using: &gen.rng))") : gen.value()))
        }
        var encoder = RecordColumnEncoder(absentRows: 3)
        for v in values {
            if let v { encoder.append(v) } else { encoder.appendAbsent() }
        }
        let bytes = encoder.finish()
        let decoded = bytes.withUnsafeBytes { RecordColumnDecoder.decode($0, rows: values.count + 3) }
        #expect(decoded.map { Array($0.dropFirst(3)) } == values)
        #expect(decoded?.prefix(3).allSatisfy { $0 == nil } == true)
        let stats = encoder.stats
        #expect(stats.absent == values.filter { $0 == nil }.count + 3)
        for case .string(let s)? in values {
            #expect(stats.bloom?.mayContain(s) == true)
        }
    }

    @Test("decoders never crash on random bytes", arguments: 0..<8)
    func randomBytesNeverCrash(seed: Int) {
        var rng = SeededGenerator(seed: UInt64(seed) &+ 3000)
        for _ in 0..<2000 {
            let bytes = (0..<Int.random(in: 0..<96, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            bytes.withUnsafeBytes { raw in
                var c = PayloadCursor(bytes: raw)
                _ = RecordEncoding.decodeRecord(&c)
                var v = PayloadCursor(bytes: raw)
                _ = RecordEncoding.decodeValue(&v)
                var s = PayloadCursor(bytes: raw)
                _ = RecordEncoding.skipValue(&s)
                _ = RecordColumnDecoder.decode(raw, rows: Int.random(in: 0..<20, using: &rng))
                _ = PartitionIndex.decode(raw)
                _ = RecordLogReplay.decode(raw)
            }
            _ = DatasetCatalog.decode(bytes)
        }
    }

    @Test func aPartitionWrittenAndReadBackHoldsEveryRowInTimeOrder() throws {
        var gen = RandomRecords(seed: 4242)
        let records = (0..<700).map { _ in gen.record(time: Int64.random(in: 0..<1_000_000, using: &gen.rng)) }
        let key = DatasetKey(org: OrgID("o"), dataset: "d", incarnation: 3)
        let bytes = RecordPartitionWriter.encode(key: key, sealBoundary: 1, times: records.map(\.timeNanos)) { records[$0] }
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let p = try EmbeddedRecordStore.writePartition(bytes, directory: dir.path, sequence: 1)
        #expect(p.index.key == key && p.index.rows == 700)
        let sorted = records.enumerated().sorted { ($0.element.timeNanos, $0.offset) < ($1.element.timeNanos, $1.offset) }.map(\.element)
        #expect(try p.times() == sorted.map(\.timeNanos))
        for name in ["status", "geo", "x"] {
            let column = try p.column(name)
            #expect((0..<column.count).map { column[$0] } == sorted.map { $0[field: name] })
        }
        let shapes = try p.shapes()
        let raw = Dictionary(try p.rawRows(), uniquingKeysWith: { a, _ in a })
        for (row, r) in sorted.enumerated() {
            if let shape = shapes[row] {
                #expect(shape.map { p.index.columns[$0].name } == r.fields.map(\.name))
            } else {
                #expect(raw[row] == r)
            }
        }
    }
}

@Suite struct QuickselectTests {
    @Test("quickselect finds the k-th smallest like a sort", arguments: 0..<30)
    func selectMatchesSort(seed: Int) {
        var rng = SeededGenerator(seed: UInt64(seed) &+ 77)
        let n = Int.random(in: 1...500, using: &rng)
        // Few distinct values too (many ties), sorted and reversed runs.
        var values: [Double] = (0..<n).map { _ in seed % 3 == 0 ? Double(Int.random(in: 0..<4, using: &rng)) : Double.random(in: -1e3...1e3, using: &rng) }
        if seed % 5 == 1 { values.sort() }
        if seed % 5 == 2 { values.sort(by: >) }
        let sorted = values.sorted()
        for k in [0, n / 2, n - 1, Int.random(in: 0..<n, using: &rng)] {
            var copy = values
            #expect(RecordAggregateCell.select(&copy, k) == sorted[k])
        }
    }
}
