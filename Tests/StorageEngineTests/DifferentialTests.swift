import BasinModel
import BasinTestKit
import StorageAPI
@testable import StorageEngine
import Testing

@Suite("Embedded store against the reference store")
struct DifferentialTests {
    static func render(_ got: [SeriesWindows]) -> [String] {
        got.map { w in
            "\(w.labels) \(w.kind.name) \(w.count) " + [w.sum, w.min, w.max, w.first, w.last, w.mean, w.variance, w.integral]
                .map { "\($0.map(\.bitPattern))" }.joined(separator: " ")
        }
    }

    static func render(_ got: [SeriesSamples]) -> [String] {
        got.map { s in "\(s.labels) \(s.kind.name) \(s.timestampsMillis) \(s.values.map(\.bitPattern))" }.sorted()
    }

    static func randomBatch(_ rng: inout SeededGenerator) -> MetricBatch {
        randomBatch(&rng, kindPerName: false)
    }

    /// Random batches; with `kindPerName` every series of a metric name keeps one kind, as real
    /// clients do (a series whose kind changes over time reads with the kind of whichever block
    /// or head holds it, while the metric name's kind stays the first written).
    static func randomBatch(_ rng: inout SeededGenerator, kindPerName: Bool) -> MetricBatch {
        var batch = MetricBatch()
        for _ in 0..<Int.random(in: 1...6, using: &rng) {
            var pairs: [(name: String, value: String)] = [("n", String(Int.random(in: 0...3, using: &rng)))]
            if Bool.random(using: &rng) { pairs.append(("job", ["api", "db", "web"].randomElement(using: &rng) ?? "api")) }
            let name = Int.random(in: 0...2, using: &rng)
            let labels = Labels(metricName: "m\(name)", pairs)
            let randomKind = MetricKind.allCases.randomElement(using: &rng) ?? .gauge
            let slot = batch.beginSeries(labels, kind: kindPerName ? MetricKind.allCases[name] : randomKind)
            for _ in 0..<Int.random(in: 1...8, using: &rng) {
                batch.append(seriesSlot: slot, timestampMillis: Int64.random(in: 0...40, using: &rng) * 1_000,
                             value: Double(Int.random(in: -100...100, using: &rng)))
            }
        }
        return batch
    }

    static let matcherSets: [[LabelMatcher]] = {
        var sets: [[LabelMatcher]] = [[.equal("__name__", "m0")], [.equal("job", "")], [.equal("n", "1"), .equal("job", "api")]]
        if let a = try? LabelMatcher(name: "job", op: .notEqual, value: "db"),
           let b = try? LabelMatcher(name: "__name__", op: .regexMatch, value: "m[12]"),
           let c = try? LabelMatcher(name: "job", op: .regexNoMatch, value: "a.*|"),
           let d = try? LabelMatcher(name: "n", op: .regexMatch, value: ".*") {
            sets += [[a], [b, a], [c], [d, .equal("__name__", "m2")]]
        }
        return sets
    }()

    @Test("random appends, orgs and matchers read the same as the in-memory store, also after reopen")
    func sameAsReference() async throws {
        let seed = UInt64.random(in: 0...UInt64.max)
        print("DifferentialTests.sameAsReference seed: \(seed)")
        var rng = SeededGenerator(state: seed)
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let engine = try await EmbeddedMetricStore.open(directory: dir.path, logger: CapturedLogs().logger)
        let reference = InMemoryMetricStore()
        let orgs = [OrgID("a"), OrgID("b")]
        for _ in 0..<60 {
            let batch = Self.randomBatch(&rng)
            let org = orgs.randomElement(using: &rng) ?? orgs[0]
            try await engine.append(batch, org: org)
            try await reference.append(batch, org: org)
        }
        try await compare(engine, reference, orgs: orgs, seed: seed)
        try await engine.close()
        let reopened = try await EmbeddedMetricStore.open(directory: dir.path, logger: CapturedLogs().logger)
        try await compare(reopened, reference, orgs: orgs, seed: seed)
        try await reopened.close()
    }

    @Test("random appends read the same as the in-memory store while the head is cut into blocks and compacted")
    func sameAsReferenceWithBlocks() async throws {
        let seed = SeededGenerator.seed("DifferentialTests.sameAsReferenceWithBlocks")
        var rng = SeededGenerator(seed: seed)
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        // 10 s windows over 0...40 s of data, so samples spread over several blocks; the
        // clock says every large window has ended, so compaction merges them too.
        var options = EmbeddedStoreOptions(blockRangeMillis: 10_000, retentionMillis: .max / 4, compactionIntervalMillis: 3_600_000)
        options.nowMillis = { 10_000_000 }
        var engine = try await EmbeddedMetricStore.open(directory: dir.path, options: options, logger: CapturedLogs().logger)
        let reference = InMemoryMetricStore()
        let orgs = [OrgID("a"), OrgID("b")]
        for step in 0..<80 {
            let batch = Self.randomBatch(&rng, kindPerName: true)
            let org = orgs.randomElement(using: &rng) ?? orgs[0]
            try await engine.append(batch, org: org)
            try await reference.append(batch, org: org)
            switch Int.random(in: 0..<10, using: &rng) {
            case 0, 1: try await engine.runMaintenance(forceFlush: true, compact: false)
            case 2: try await engine.runMaintenance(forceFlush: Bool.random(using: &rng), compact: true)
            case 4 where step % 3 == 0:
                let matchers = Self.matcherSets.randomElement(using: &rng) ?? [.equal("n", "1")]
                let from = Int64.random(in: 0...40, using: &rng) * 1_000
                let to = from + Int64.random(in: 0...20, using: &rng) * 1_000
                try await engine.deleteSeries(org: org, matchers: matchers, startMillis: from, endMillis: to)
                try await reference.deleteSeries(org: org, matchers: matchers, startMillis: from, endMillis: to)
            case 3 where step % 4 == 0:
                try await engine.close()
                engine = try await EmbeddedMetricStore.open(directory: dir.path, options: options, logger: CapturedLogs().logger)
            default: break
            }
        }
        try await compare(engine, reference, orgs: orgs, seed: seed)
        try await engine.runMaintenance(forceFlush: true, compact: true)
        try await compare(engine, reference, orgs: orgs, seed: seed)
        try await engine.close()
    }

    func compare(_ engine: any MetricStore, _ reference: any MetricStore, orgs: [OrgID], seed: UInt64) async throws {
        for org in orgs {
            for matchers in Self.matcherSets {
                for (start, end) in [(Int64(0), Int64(40_000)), (5_000, 17_000)] {
                    let request = SelectRequest(org: org, matchers: matchers, startMillis: start, endMillis: end)
                    let got = Self.render(try await engine.select(request))
                    let want = Self.render(try await reference.select(request))
                    #expect(got == want, "seed \(seed) org \(org) \(matchers) [\(start), \(end)]")
                }
            }
            for (ends, width) in [([Int64](stride(from: 0, through: 40_000, by: 5_000)), Int64(5_000)),
                                  ([Int64](stride(from: 3_000, through: 20_000, by: 1_000)), Int64(7_000)),
                                  ([Int64](repeating: 17_000, count: 3), Int64(300_000))] {
                let all: WindowAggregates = [.sum, .min, .max, .first, .last, .mean, .variance, .integral]
                for matchers in Self.matcherSets.prefix(4) {
                    let request = WindowSelectRequest(
                        select: SelectRequest(org: org, matchers: matchers, startMillis: 0, endMillis: 0),
                        windowEndsMillis: ends, windowMillis: width, aggregates: all)
                    let got = Self.render(try await engine.selectWindows(request))
                    let want = Self.render(try await reference.selectWindows(request))
                    #expect(got == want, "seed \(seed) org \(org) windows \(matchers) \(width)")
                }
            }
            let names = try await engine.labelValues(org: org, name: "__name__", matcherSets: [], startMillis: 0, endMillis: 40_000)
            let wantNames = try await reference.labelValues(org: org, name: "__name__", matcherSets: [], startMillis: 0, endMillis: 40_000)
            #expect(names == wantNames, "seed \(seed)")
            let kinds = try await engine.metricKinds(org: org, metricName: nil)
            let wantKinds = try await reference.metricKinds(org: org, metricName: nil)
            #expect(kinds == wantKinds, "seed \(seed)")
        }
    }
}
