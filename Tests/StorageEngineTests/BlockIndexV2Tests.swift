import BasinModel
import Foundation
import StorageAPI
@testable import StorageEngine
import Testing

/// Block format version 2: symbol ids in series and postings, `u32` offsets, delta-encoded chunk
/// lists (`Docs/blocks.md`).
@Suite("Block format version 2")
struct BlockIndexV2Tests {
    struct Series {
        var org: OrgID
        var labels: Labels
        var kind: MetricKind
        var samples: [(Int64, Double)]
    }

    /// Three organisations sharing some strings (an org name is also a label value), one series
    /// long enough for several chunks with irregular steps, one starting before time zero.
    static let series: [Series] = {
        let long = (0..<1_000).map { (i: Int) -> (Int64, Double) in (Int64(i * i) * 7 - 3_000, Double(i) / 3) }
        var all = [
            Series(org: OrgID("acme"), labels: Labels(metricName: "cpu", [("host", "a"), ("team", "zeta")]), kind: .gauge, samples: long),
            Series(org: OrgID("acme"), labels: Labels(metricName: "cpu", [("host", "b")]), kind: .gauge, samples: [(5, 1), (6, 2)]),
            Series(org: OrgID("acme"), labels: Labels(metricName: "mem", [("host", "a")]), kind: .counter, samples: [(-10, 7)]),
            Series(org: OrgID("zeta"), labels: Labels(metricName: "cpu", [("host", "acme")]), kind: .rate, samples: [(100, 4)]),
            Series(org: OrgID("b"), labels: Labels(metricName: "cpu", []), kind: .unspecified, samples: [(0, .nan)]),
        ]
        all.sort { a, b in
            a.org.name != b.org.name ? Array(a.org.name.utf8).lexicographicallyPrecedes(Array(b.org.name.utf8))
                : LabelsOrder.precedes(a.labels, b.labels)
        }
        return all
    }()

    static func write(_ dir: TemporaryDirectory) throws -> Block {
        var writer = try BlockWriter(directory: dir.path, seq: 3)
        for s in series {
            let ts = s.samples.map(\.0)
            let vs = s.samples.map(\.1)
            try ts.withUnsafeBufferPointer { tp in
                try vs.withUnsafeBufferPointer { vp in
                    try writer.add(org: s.org, labels: s.labels, kind: s.kind, timestampsMillis: tp, values: vp)
                }
            }
        }
        _ = try writer.finish(windowStartMillis: -7_200_000, windowEndMillis: 7_200_000, sources: [1, 2])
        return try Block(path: dir.path + "/" + BlockFormat.fileName(seq: 3))
    }

    @Test("every series reads back with its organisation, labels, kind, chunks and samples")
    func roundTrip() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let block = try Self.write(dir)
        #expect(block.version == 2)
        #expect(block.seriesCount == Self.series.count)
        for (id, want) in Self.series.enumerated() {
            let entry = try block.entry(id)
            #expect(entry.org == want.org)
            #expect(entry.labels == want.labels)
            #expect(entry.kind == want.kind)
            #expect(entry.chunks.count == (want.samples.count + 239) / 240)
            #expect(entry.minTimeMillis == want.samples.first?.0)
            #expect(entry.maxTimeMillis == want.samples.last?.0)
            #expect(entry.chunks.map(\.count).reduce(0, +) == want.samples.count)
            for (a, b) in zip(entry.chunks, entry.chunks.dropFirst()) {
                #expect(b.offset == a.offset + 4 + a.length, "chunks of a series are consecutive")
                #expect(b.minTimeMillis > a.maxTimeMillis)
            }
            var ts: [Int64] = []
            var vs: [Double] = []
            try block.readSamples(entry, startMillis: .min, endMillis: .max, timestamps: &ts, values: &vs)
            #expect(ts == want.samples.map(\.0))
            #expect(vs.map(\.bitPattern) == want.samples.map(\.1.bitPattern))
        }
    }

    @Test("organisation ranges, postings and matchers find the written series")
    func lookups() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let block = try Self.write(dir)
        for org in ["acme", "b", "zeta"] {
            let want = Self.series.indices.filter { Self.series[$0].org.name == org }
            #expect(Array(block.seriesRange(org: OrgID(org))) == want)
        }
        let acme = OrgID("acme")
        let hostA = Self.series.indices.filter { Self.series[$0].org == acme && Self.series[$0].labels["host"] == "a" }.map { SeriesRef($0) }
        #expect(block.ids(org: acme, name: "host", value: "a") == hostA)
        var values: [String] = []
        block.forEachValue(org: acme, name: "host") { value, _ in values.append(value) }
        #expect(values == ["a", "b"])
        let cpuNotB = block.matchingIDs(org: acme, matchers: [.equal("__name__", "cpu"), try LabelMatcher(name: "host", op: .notEqual, value: "b")])
        #expect(cpuNotB.map { Self.series[Int($0)].labels } == [Labels(metricName: "cpu", [("host", "a"), ("team", "zeta")])])
        #expect(block.ids(org: OrgID("zeta"), name: "host", value: "acme").count == 1)
    }

    @Test("strings the block does not hold match nothing")
    func absentStrings() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let block = try Self.write(dir)
        #expect(block.seriesRange(org: OrgID("nobody")).isEmpty)
        #expect(block.seriesRange(org: OrgID("")).isEmpty)
        #expect(block.ids(org: OrgID("acme"), name: "host", value: "c").isEmpty)
        #expect(block.ids(org: OrgID("acme"), name: "zone", value: "a").isEmpty)
        // "zeta" is a symbol (an org and a value) but not a label name.
        var called = false
        block.forEachValue(org: OrgID("acme"), name: "zeta") { _, _ in called = true }
        #expect(!called)
        let all = block.matchingIDs(org: OrgID("acme"), matchers: [try LabelMatcher(name: "zone", op: .notEqual, value: "x")])
        #expect(all.map { Int($0) } == Array(block.seriesRange(org: OrgID("acme"))))
    }

    @Test("a damaged symbol table keeps the block from opening")
    func damagedSymbols() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let block = try Self.write(dir)
        let path = block.path
        let symbolsStart = block.symbols.lowerBound
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        bytes[symbolsStart + 1] ^= 0x20
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        #expect { _ = try Block(path: path) } throws: { error in
            "\(error)".contains("section symbols checksum mismatch")
        }
    }
}
