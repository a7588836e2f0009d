import BasinModel
import Foundation
import Logging
import StorageAPI
@testable import StorageEngine
import Testing

@Suite("Write-ahead log replay with interned label sets")
struct ReplayInterningTests {
    static func labels(_ i: Int) -> Labels {
        Labels(metricName: "m\(i % 7)", [("host", "h\(i)"), ("env", i % 2 == 0 ? "prod" : "dev")])
    }

    @Test("interning the same bytes twice gives the same id and buffer; other bytes get new ids")
    func internerReusesLabelSets() {
        var interner = LabelsInterner()
        var ids: [Int32] = []
        // Past the first growth of the table (1024 slots, half full).
        for i in 0..<3_000 {
            let (labels, id) = Self.labels(i).bytes.withUnsafeBytes { interner.intern($0) }
            #expect(labels == Self.labels(i))
            ids.append(id)
        }
        #expect(ids == (0..<3_000).map { Int32($0) })
        for i in stride(from: 0, to: 3_000, by: 97) {
            let first = Self.labels(i).bytes.withUnsafeBytes { interner.intern($0) }
            let second = Self.labels(i).bytes.withUnsafeBytes { interner.intern($0) }
            #expect(first.id == Int32(i))
            #expect(second.id == Int32(i))
            let shared = first.labels.bytes.withUnsafeBufferPointer { a in
                second.labels.bytes.withUnsafeBufferPointer { b in a.baseAddress == b.baseAddress }
            }
            #expect(shared)
        }
        #expect(interner.count == 3_000)
        let empty = [UInt8]().withUnsafeBytes { interner.intern($0) }
        #expect(empty.labels == Labels.empty)
        #expect(empty.id == 3_000)
    }

    @Test("the decoder gives a repeated label set the same id in every record")
    func decoderIDsRepeat() throws {
        var bytes: [UInt8] = []
        for r in 0..<3 {
            var batch = MetricBatch()
            for s in [2, 0, 1, 0] { _ = batch.beginSeries(Self.labels(s), kind: .gauge) }
            batch.append(seriesSlot: 3, timestampMillis: Int64(r), value: Double(r))
            try WALRecord.encodeBatch(batch, org: .default, into: &bytes)
        }
        var batch = MetricBatch()
        try bytes.withUnsafeBytes { raw in
            var decoder = WALRecordDecoder(bytes: raw, startOffset: 0)
            for _ in 0..<3 {
                _ = try #require(try decoder.next(into: &batch))
                #expect(decoder.seriesIDs == [0, 1, 2, 1])
                #expect(batch.series == [2, 0, 1, 0].map(Self.labels))
            }
        }
    }

    /// Every series of a head as sorted text: org, labels, kind, samples.
    static func render(_ head: Head) -> [String] {
        head.exportSeries().map { s in
            "\(s.org) \(s.labels) \(s.kind) " + zip(s.samples.timestampsMillis, s.samples.values).map { "\($0)=\($1)" }.joined(separator: ",")
        }.sorted()
    }

    @Test("replaying into a head builds the same head as applying every record")
    func replayIntoHeadMatchesApply() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let options = EmbeddedStoreOptions(walSegmentSizeBytes: 4_096)
        let store = try await EmbeddedMetricStore.open(directory: dir.path, options: options, logger: CapturedLogs().logger)
        // Two orgs sharing label sets, repeated and out-of-order timestamps, a slot registered twice.
        for r in 0..<40 {
            var batch = MetricBatch()
            for s in 0..<12 {
                let slot = batch.beginSeries(Self.labels((s + r) % 15), kind: s % 3 == 0 ? .counter : .gauge)
                batch.append(seriesSlot: slot, timestampMillis: Int64(r % 9) * 1_000, value: Double(r * 100 + s))
            }
            let again = batch.beginSeries(Self.labels(r % 15), kind: .gauge)
            batch.append(seriesSlot: again, timestampMillis: Int64(r % 9) * 1_000, value: -Double(r))
            try await store.append(batch, org: r % 3 == 0 ? OrgID("other") : .default)
        }
        try await store.close()
        #expect(try dir.segments().count > 1)

        let applied = Head()
        let a = try WALReplay.run(directory: dir.walPath, logger: CapturedLogs().logger, progressEveryRecords: 1_000) { batch, org in
            applied.apply(batch, org: org)
        }
        let replayed = Head()
        let b = try WALReplay.run(directory: dir.walPath, logger: CapturedLogs().logger, progressEveryRecords: 1_000, into: replayed)
        #expect(a.records == 40)
        #expect(b.records == a.records)
        #expect(b.samples == a.samples)
        #expect(Self.render(replayed) == Self.render(applied))
        #expect(replayed.seriesCount == applied.seriesCount)
        #expect(replayed.sampleCount == applied.sampleCount)
        #expect(replayed.allMetricKinds() == applied.allMetricKinds())
        let refs = replayed.postings(for: OrgID("other")).map { replayed.matchingRefs([.equal("host", "h3")], in: $0) } ?? []
        #expect(refs.count == 1)
    }
}
