import BasinModel
import BasinTestKit
import StorageAPI
@testable import StorageEngine
import Testing

/// Window reads over enough series to be split between parallel readers equal the reference store.
@Suite("Window reads split between readers")
struct WindowSelectReadersTests {
    /// `m{host, region}` over `hosts` hosts, 5 s samples over 0...60 s with random gaps and values.
    static func batch(_ rng: inout SeededGenerator, hosts: Range<Int>, times: ClosedRange<Int64>) -> MetricBatch {
        var batch = MetricBatch()
        for host in hosts {
            let labels = Labels(metricName: "m", [("host", "h\(host)"), ("region", ["eu", "us", "ap"][host % 3])])
            let slot = batch.beginSeries(labels, kind: .gauge)
            for t in times where Int.random(in: 0..<4, using: &rng) > 0 {
                let v = Int.random(in: 0..<50, using: &rng) == 0 ? .nan : Double.random(in: -1e6...1e6, using: &rng)
                batch.append(seriesSlot: slot, timestampMillis: t * 5_000, value: v)
            }
        }
        return batch
    }

    @Test("Many series in blocks and the head read as the reference store reads them")
    func manySeriesMatchReference() async throws {
        let seed = SeededGenerator.seed("WindowSelectReadersTests")
        var rng = SeededGenerator(seed: seed)
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        var options = EmbeddedStoreOptions(blockRangeMillis: 30_000, retentionMillis: .max / 4, compactionIntervalMillis: 3_600_000)
        options.nowMillis = { 10_000_000 }
        let engine = try await EmbeddedMetricStore.open(directory: dir.path, options: options, logger: CapturedLogs().logger)
        let reference = InMemoryMetricStore()
        // Older samples of most series cut into blocks; newer ones, overlapping and rewriting
        // some timestamps, of other series left in the head. Over 2,048 series in the first
        // block, so its entries are decoded by parallel tasks too.
        for batch in [Self.batch(&rng, hosts: 0..<2_300, times: 0...8), Self.batch(&rng, hosts: 1_000..<2_500, times: 6...12)] {
            try await engine.append(batch, org: .default)
            try await reference.append(batch, org: .default)
            if Bool.random(using: &rng) || batch.seriesCount == 2_300 {
                try await engine.runMaintenance(forceFlush: true, compact: Bool.random(using: &rng))
            }
        }
        let all: WindowAggregates = [.sum, .min, .max, .first, .last, .mean, .variance, .integral]
        for matchers in [[LabelMatcher.equal("__name__", "m")], [.equal("region", "eu")]] {
            for (ends, width) in [(Array(stride(from: Int64(0), through: 60_000, by: 10_000)), Int64(10_000)),
                                  (Array(stride(from: Int64(2_000), through: 58_000, by: 4_000)), Int64(15_000))] {
                let request = WindowSelectRequest(
                    select: SelectRequest(org: .default, matchers: matchers, startMillis: 0, endMillis: 0),
                    windowEndsMillis: ends, windowMillis: width, aggregates: all)
                let got = DifferentialTests.render(try await engine.selectWindows(request))
                let want = DifferentialTests.render(try await reference.selectWindows(request))
                #expect(got.count > 300)
                #expect(got == want, "seed \(seed) \(matchers) \(width)")
            }
        }
        // A sample limit fails the split read as it fails the reference.
        let limited = WindowSelectRequest(
            select: SelectRequest(org: .default, matchers: [.equal("__name__", "m")], startMillis: 0, endMillis: 0, maxSamples: 5_000),
            windowEndsMillis: [60_000], windowMillis: 60_000, aggregates: .sum)
        await #expect(throws: StorageError.self) { _ = try await engine.selectWindows(limited) }
        try await engine.close()
    }
}
