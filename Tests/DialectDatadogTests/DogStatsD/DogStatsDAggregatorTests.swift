import BasinModel
import BasinTestKit
import DialectDatadog
import StorageAPI
import Testing

@Suite("DogStatsDAggregator")
struct DogStatsDAggregatorTests {
    /// Feeds `lines` received at the given times (ms) and returns the flush at `flushAt`.
    static func run(
        _ lines: [(at: Int64, line: String)], flushAt: Int64, final: Bool = false,
        options: DogStatsDAggregator.Options = DogStatsDAggregator.Options()
    ) throws -> (DogStatsDAggregator.Flush, DogStatsDAggregator) {
        var aggregator = DogStatsDAggregator(options: options)
        let parser = DogStatsDParser()
        for (at, line) in lines { aggregator.add(try parser.parse(line: line), nowMillis: at) }
        var generator = SeededGenerator(seed: 7)
        return (aggregator.flush(nowMillis: flushAt, final: final, using: &generator), aggregator)
    }

    /// Sorted `{labels} kind timestampMillis value` lines.
    static func render(_ batch: MetricBatch) -> [String] {
        (0..<batch.sampleCount).map { i in
            let slot = Int(batch.seriesSlots[i])
            return "\(BatchRendering.render(batch.labels(at: slot))) \(batch.kinds[slot].name) \(batch.timestampsMillis[i]) \(batch.values[i])"
        }.sorted()
    }

    @Test("Counts are scaled by 1/sample-rate and flushed as a rate over the interval, stamped with the bucket start")
    func countsBecomeRates() throws {
        let (flush, _) = try Self.run([(1_000, "c:1|c"), (2_000, "c:1:1|c"), (9_999, "c:2|c|@0.5")], flushAt: 10_000)
        #expect(Self.render(flush.batch) == [#"{__name__="c"} rate 0 0.7"#])
        #expect(flush.metadata["c"]?.intervalSeconds == 10)
        #expect(flush.metadata["c"]?.dialect == "datadog")
    }

    @Test("Nothing is flushed before the bucket closes; a final flush takes open buckets too")
    func bucketsCloseAtTheirEnd() throws {
        let (early, aggregator) = try Self.run([(1_000, "c:5|c")], flushAt: 9_999)
        #expect(early.batch.isEmpty)
        #expect(!aggregator.isEmpty)
        let (final, _) = try Self.run([(1_000, "c:5|c")], flushAt: 2_000, final: true)
        #expect(Self.render(final.batch) == [#"{__name__="c"} rate 0 0.5"#])
    }

    @Test("Samples in different buckets become points at each bucket start")
    func separateBuckets() throws {
        let (flush, _) = try Self.run([(5_000, "g:1|g"), (15_000, "g:2|g"), (25_000, "g:3|g")], flushAt: 20_000)
        #expect(Self.render(flush.batch) == [#"{__name__="g"} gauge 0 1.0"#, #"{__name__="g"} gauge 10000 2.0"#])
    }

    @Test("Gauges keep the last value and ignore the sample rate")
    func gaugesKeepTheLastValue() throws {
        let (flush, _) = try Self.run([(1, "g:1|g"), (2, "g:7:3|g|@0.1"), (3, "g:-2|g|#a:b")], flushAt: 10_000)
        #expect(Self.render(flush.batch) == [#"{__name__="g", a="b"} gauge 0 -2.0"#, #"{__name__="g"} gauge 0 3.0"#])
    }

    @Test("Histograms and timers flush avg, count (as a rate), max, median and 95percentile")
    func histogramStats() throws {
        let lines = (1...10).map { (Int64($0), "h:\(11 - $0)|h") } + [(Int64(20), "t:4|ms")]
        let (flush, _) = try Self.run(lines, flushAt: 10_000)
        #expect(Self.render(flush.batch) == [
            #"{__name__="h.95percentile"} gauge 0 10.0"#, #"{__name__="h.avg"} gauge 0 5.5"#, #"{__name__="h.count"} rate 0 1.0"#,
            #"{__name__="h.max"} gauge 0 10.0"#, #"{__name__="h.median"} gauge 0 5.0"#,
            #"{__name__="t.95percentile"} gauge 0 4.0"#, #"{__name__="t.avg"} gauge 0 4.0"#, #"{__name__="t.count"} rate 0 0.1"#,
            #"{__name__="t.max"} gauge 0 4.0"#, #"{__name__="t.median"} gauge 0 4.0"#,
        ])
        #expect(flush.metadata["h.count"]?.intervalSeconds == 10)
        #expect(flush.metadata["h.avg"]?.intervalSeconds == nil)
    }

    @Test("Histogram samples are weighted by 1/sample-rate")
    func weightedHistogram() throws {
        let (flush, _) = try Self.run([(1, "h:1|h|@0.5"), (2, "h:4|h")], flushAt: 10_000)
        #expect(Self.render(flush.batch) == [
            #"{__name__="h.95percentile"} gauge 0 4.0"#, #"{__name__="h.avg"} gauge 0 2.0"#, #"{__name__="h.count"} rate 0 0.3"#,
            #"{__name__="h.max"} gauge 0 4.0"#, #"{__name__="h.median"} gauge 0 1.0"#,
        ])
    }

    @Test("Sets flush the number of distinct members")
    func setsCountDistinctMembers() throws {
        let (flush, _) = try Self.run([(1, "s:a|s"), (2, "s:b|s"), (3, "s:a|s"), (4, "s:a:b|s")], flushAt: 10_000)
        #expect(Self.render(flush.batch) == [#"{__name__="s"} gauge 0 3.0"#])
    }

    @Test("Distributions are written in the distribution_points layout, weighted by 1/sample-rate")
    func distributionsUseTheSketchLayout() throws {
        let (flush, _) = try Self.run([(1, "d:1:2|d|#env:prod"), (2, "d:2|d|#env:prod|@0.5")], flushAt: 10_000)
        var sketch = DatadogDistributionSketch()
        for v in [1.0, 2, 2, 2] { sketch.add(v) }
        var expected = [
            #"{__name__="d", dd_dist="count", env="prod"} count 0 4.0"#, #"{__name__="d", dd_dist="sum", env="prod"} count 0 7.0"#,
            #"{__name__="d", dd_dist="min", env="prod"} gauge 0 1.0"#, #"{__name__="d", dd_dist="max", env="prod"} gauge 0 2.0"#,
        ]
        for (key, n) in sketch.bins {
            expected.append("{__name__=\"d\", dd_bin=\"\(key)\", dd_dist=\"bin\", env=\"prod\"} count 0 \(Double(n))")
        }
        #expect(Self.render(flush.batch) == expected.sorted())
        #expect(flush.metadata["d"]?.vendorType == "distribution")
    }

    @Test("Counts and gauges with |T bypass aggregation and are written at their own second")
    func timestampsBypassAggregation() throws {
        let (flush, _) = try Self.run([
            (50_000, "g:5|g|T100"), (50_001, "g:6|g|T100"), (50_002, "c:2|c|@0.5|T100"), (50_003, "c:1|c|T100"), (50_004, "c:1|c|T101"),
        ], flushAt: 50_005)
        #expect(Self.render(flush.batch) == [
            #"{__name__="c"} count 100000 5.0"#, #"{__name__="c"} count 101000 1.0"#, #"{__name__="g"} gauge 100000 6.0"#,
        ])
    }

    @Test("Tags map to labels exactly as on /api/v1/series, in any order")
    func tagsBecomeLabels() throws {
        let (flush, _) = try Self.run([(1, "c:1|c|#B:X,host:h1,bare"), (2, "c:1|c|#host:h1,bare,B:X"), (3, "bad name!:1|c")], flushAt: 10_000)
        #expect(Self.render(flush.batch) == [
            #"{__name__="bad_name_"} rate 0 0.1"#, #"{__name__="c", b="x", bare="", host="h1"} rate 0 0.2"#,
        ])
    }

    @Test("Events and service checks become the records the HTTP intake writes")
    func eventsAndServiceChecks() throws {
        let (flush, _) = try Self.run([
            (1_700_000_000_500, "_e{5,4}:title|text|#a:b"), (1_700_000_000_600, "_sc|app.ok|2|h:h1|m:boom"),
        ], flushAt: 1_700_000_001_000)
        var expectedEvent = DatadogEvent(title: "title", text: "text", priority: "normal", tags: ["a:b"], alertType: "info")
        var generator = SeededGenerator(seed: 7)
        expectedEvent.id = DatadogEventID.make(timeNanos: 1_700_000_000_500_000_000, using: &generator)
        expectedEvent.dateHappenedSeconds = 1_700_000_000
        #expect(flush.events == [expectedEvent.record(nowMillis: 1_700_000_000_500)])
        #expect(flush.serviceChecks == [DatadogServiceCheck(check: "app.ok", status: 2, hostName: "h1", message: "boom").record(nowMillis: 1_700_000_000_600)])
        #expect(flush.batch.isEmpty)
    }

    @Test("Events more than 18 hours old are dropped and counted, as Datadog refuses them")
    func oldEventsAreDropped() throws {
        let now: Int64 = 1_700_000_000_000
        let (flush, aggregator) = try Self.run([(now, "_e{1,1}:t|x|d:\(now / 1000 - 18 * 3600 - 1)"), (now, "_e{1,1}:t|x|d:\(now / 1000 - 60)")], flushAt: now)
        #expect(flush.events.count == 1)
        #expect(aggregator.counts == DogStatsDAggregator.Counts(accepted: 1, dropped: 1))
    }

    @Test("New contexts beyond the bound and series over label limits are dropped and counted")
    func boundsAreCounted() throws {
        var options = DogStatsDAggregator.Options()
        options.maxContexts = 2
        options.labelLimits.maxLabelsPerSeries = 2
        let (flush, aggregator) = try Self.run([(1, "a:1|c"), (2, "b:1|c|#x,y"), (3, "c:1|c"), (4, "a:1|c")], flushAt: 10_000, options: options)
        #expect(Self.render(flush.batch) == [#"{__name__="a"} rate 0 0.2"#])
        #expect(flush.rejected == 1)
        #expect(aggregator.counts == DogStatsDAggregator.Counts(accepted: 3, dropped: 1))
    }
}
