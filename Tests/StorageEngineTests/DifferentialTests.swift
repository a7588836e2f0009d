import BasinModel
import BasinTestKit
import StorageAPI
import StorageEngine
import Testing

@Suite("Embedded store against the reference store")
struct DifferentialTests {
    static func render(_ got: [SeriesSamples]) -> [String] {
        got.map { s in "\(s.labels) \(s.kind.name) \(s.timestampsMillis) \(s.values.map(\.bitPattern))" }.sorted()
    }

    static func randomBatch(_ rng: inout SeededGenerator) -> MetricBatch {
        var batch = MetricBatch()
        for _ in 0..<Int.random(in: 1...6, using: &rng) {
            var pairs: [(name: String, value: String)] = [("n", String(Int.random(in: 0...3, using: &rng)))]
            if Bool.random(using: &rng) { pairs.append(("job", ["api", "db", "web"].randomElement(using: &rng) ?? "api")) }
            let labels = Labels(metricName: "m\(Int.random(in: 0...2, using: &rng))", pairs)
            let slot = batch.beginSeries(labels, kind: MetricKind.allCases.randomElement(using: &rng) ?? .gauge)
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
            let names = try await engine.labelValues(org: org, name: "__name__", matcherSets: [], startMillis: 0, endMillis: 40_000)
            let wantNames = try await reference.labelValues(org: org, name: "__name__", matcherSets: [], startMillis: 0, endMillis: 40_000)
            #expect(names == wantNames, "seed \(seed)")
            let kinds = try await engine.metricKinds(org: org, metricName: nil)
            let wantKinds = try await reference.metricKinds(org: org, metricName: nil)
            #expect(kinds == wantKinds, "seed \(seed)")
        }
    }
}
