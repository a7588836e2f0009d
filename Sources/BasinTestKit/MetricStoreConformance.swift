import BasinModel
import Foundation
import StorageAPI

/// A mismatch found by ``MetricStoreConformance``: which check, and what differed.
public struct MetricStoreConformanceFailure: Error, CustomStringConvertible {
    public var check: String
    public var message: String

    public var description: String { "\(check): \(message)" }
}

/// The storage suite every ``MetricStore`` implementation passes (embedded engine, ClickHouse).
///
/// Each check calls its factory exactly once, uses only the ``MetricStore`` protocol, and throws
/// ``MetricStoreConformanceFailure`` (or the store's own error) on the first mismatch. The
/// factory must return an empty store; the caller owns its lifetime (close it and remove its
/// files after the check returns). Run every check with a parameterized test:
///
/// ```swift
/// @Test("the store passes the conformance check", arguments: MetricStoreConformance.checkNames)
/// func conformance(check: String) async throws {
///     try await MetricStoreConformance.run(check) { try await makeStore() }
/// }
/// ```
public enum MetricStoreConformance {
    /// Creates an empty store for one check.
    public typealias Factory = @Sendable () async throws -> any MetricStore

    /// One named check.
    public struct Check: Sendable {
        public let name: String
        public let run: @Sendable (_ factory: Factory) async throws -> Void
    }

    /// Every check, in a stable order.
    public static let checks: [Check] = [
        Check(name: "append then select returns the samples in range", run: checkAppendAndSelect),
        Check(name: "equality matchers intersect", run: checkEqualMatchers),
        Check(name: "not-equal and regex matchers follow Prometheus empty-string semantics", run: checkMatcherKinds),
        Check(name: "a repeated timestamp keeps the last value", run: checkLastWriteWins),
        Check(name: "out-of-order and late samples come back sorted", run: checkOutOfOrder),
        Check(name: "organisations are isolated", run: checkOrgIsolation),
        Check(name: "series, label names and label values honour matchers and range", run: checkMetadata),
        Check(name: "metric kinds keep the first writer", run: checkMetricKinds),
        Check(name: "select limits throw limitExceeded", run: checkLimits),
        Check(name: "an empty batch is accepted and stores nothing", run: checkEmptyBatch),
        Check(name: "deleted samples are gone and later writes are kept", run: checkDeleteSeries),
        Check(name: "metric metadata merges updates per organisation and refuses oversized fields", run: checkMetricMetadata),
        Check(name: "a metric with a TTL expires from every read", run: checkMetricExpiry),
    ]

    /// The names of ``checks``, for `@Test(arguments:)`.
    public static var checkNames: [String] { checks.map(\.name) }

    /// Runs the check called `name`.
    public static func run(_ name: String, factory: @escaping Factory) async throws {
        guard let check = checks.first(where: { $0.name == name }) else {
            throw MetricStoreConformanceFailure(check: name, message: "no such check")
        }
        try await check.run(factory)
    }

    // MARK: - Checks

    /// Unit, then description: both kept; another organisation sees nothing; limits enforced.
    @Sendable public static func checkMetricMetadata(_ factory: Factory) async throws {
        let check = "metadata"
        let store = try await factory()
        try await store.updateMetricMetadata(org: .default, metricName: "disk.used", MetricMetadata(unit: "byte", dialect: "datadog"))
        try await store.updateMetricMetadata(org: .default, metricName: "disk.used", MetricMetadata(description: "Bytes used", dialect: "dynatrace"))
        try await store.updateMetricMetadata(org: .default, metricName: "cpu", MetricMetadata(displayName: "CPU"))
        let all = try await store.metricMetadata(org: .default, metricName: nil)
        try expect(all == [
            "disk.used": MetricMetadata(unit: "byte", description: "Bytes used", dialect: "dynatrace"),
            "cpu": MetricMetadata(displayName: "CPU"),
        ], check, "metadata \(all)")
        try await store.updateMetricMetadata(org: .default, [
            "req.rate": MetricMetadata(dialect: "datadog", intervalSeconds: 10),
            "cpu": MetricMetadata(unit: "percent"),
        ])
        let batch = try await store.metricMetadata(org: .default, metricName: nil)
        try expect(batch["req.rate"] == MetricMetadata(dialect: "datadog", intervalSeconds: 10), check, "batched update \(batch)")
        try expect(batch["cpu"] == MetricMetadata(unit: "percent", displayName: "CPU"), check, "batched merge \(batch)")
        try await store.updateMetricMetadata(org: .default, metricName: "bf.timer", MetricMetadata(dialect: "blueflood", vendorType: "timer", ttlSeconds: 172_800))
        try await store.updateMetricMetadata(org: .default, metricName: "bf.timer", MetricMetadata(ttlSeconds: 3_600))
        let vendor = try await store.metricMetadata(org: .default, metricName: "bf.timer")
        try expect(vendor["bf.timer"] == MetricMetadata(dialect: "blueflood", vendorType: "timer", ttlSeconds: 3_600), check, "vendor type and TTL \(vendor)")
        let one = try await store.metricMetadata(org: .default, metricName: "cpu")
        try expect(one.keys.sorted() == ["cpu"], check, "one name: \(one)")
        let other = try await store.metricMetadata(org: OrgID("other"), metricName: nil)
        try expect(other.isEmpty, check, "another organisation sees \(other)")
        do {
            try await store.updateMetricMetadata(
                org: .default, metricName: "cpu", MetricMetadata(description: String(repeating: "x", count: MetricMetadata.maxFieldBytes + 1)))
            throw MetricStoreConformanceFailure(check: check, message: "an oversized description must be refused")
        } catch let error as StorageError {
            try expect(error.kind == .limitExceeded && error.message.contains("description"), check, "oversized: \(error)")
        }
    }

    /// A metric whose metadata has a TTL: samples older than the TTL are left out of `select`,
    /// `selectWindows`, series and label listings (unless the request reads past expiry); other
    /// metrics and other organisations are untouched. Times are relative to the wall clock,
    /// with hours of margin on both sides of the one-hour TTL.
    @Sendable public static func checkMetricExpiry(_ factory: Factory) async throws {
        let check = "expiry"
        let store = try await factory()
        let now = Int64((Date().timeIntervalSince1970 * 1000).rounded(.down))
        let hour: Int64 = 3_600_000
        let times = [now - 3 * hour, now - 2 * hour, now - hour / 6]
        let expiring = Labels(metricName: "bf.ttl", [("host", "a")])
        let kept = Labels(metricName: "keep", [("host", "a")])
        var batch = MetricBatch()
        for labels in [expiring, kept] {
            let slot = batch.beginSeries(labels, kind: .gauge)
            for (i, t) in times.enumerated() { batch.append(seriesSlot: slot, timestampMillis: t, value: Double(i + 1)) }
        }
        try await store.append(batch, org: .default)
        try await store.append(batch, org: OrgID("other"))
        try await store.updateMetricMetadata(org: .default, metricName: "bf.ttl", MetricMetadata(ttlSeconds: 3_600))

        let all = [try LabelMatcher(name: "host", op: .equal, value: "a")]
        let read = try await store.select(SelectRequest(org: .default, matchers: all, startMillis: now - 4 * hour, endMillis: now))
        let counts = Dictionary(uniqueKeysWithValues: read.map { ($0.labels.metricName ?? "", $0.timestampsMillis) })
        try expect(counts == ["bf.ttl": [times[2]], "keep": times], check, "select sees \(counts)")
        let past = try await store.select(SelectRequest(
            org: .default, matchers: all, startMillis: now - 4 * hour, endMillis: now, honoursExpiry: false))
        try expect(past.map(\.timestampsMillis.count) == [3, 3], check, "a read past expiry sees \(past.map(\.timestampsMillis))")
        let other = try await store.select(SelectRequest(org: OrgID("other"), matchers: all, startMillis: now - 4 * hour, endMillis: now))
        try expect(other.map(\.timestampsMillis.count) == [3, 3], check, "another organisation sees \(other.map(\.timestampsMillis))")

        let ends = (0..<4).map { now - Int64(3 - $0) * hour }
        let windows = try await store.selectWindows(WindowSelectRequest(
            select: SelectRequest(org: .default, matchers: [try LabelMatcher(name: Labels.metricNameKey, op: .equal, value: "bf.ttl")],
                                  startMillis: now - 4 * hour, endMillis: now),
            windowEndsMillis: ends, windowMillis: hour, aggregates: [.sum]))
        let windowCounts = windows.first?.count ?? []
        try expect(windows.count == 1 && windowCounts == [0, 0, 0, 1], check, "windows count \(windowCounts)")

        let early = (start: now - 4 * hour, end: now - hour)
        let listed = try await store.series(org: .default, matcherSets: [all], startMillis: early.start, endMillis: early.end)
        try expect(listed == [kept], check, "series before the horizon: \(listed)")
        let names = try await store.labelValues(
            org: .default, name: Labels.metricNameKey, matcherSets: [], startMillis: early.start, endMillis: early.end)
        try expect(names == ["keep"], check, "metric names before the horizon: \(names)")
        let recent = try await store.labelValues(
            org: .default, name: Labels.metricNameKey, matcherSets: [], startMillis: now - hour / 2, endMillis: now)
        try expect(recent == ["bf.ttl", "keep"], check, "metric names after the horizon: \(recent)")
    }

    /// Deletes part of one series and all of another; writes after the deletion survive it.
    @Sendable public static func checkDeleteSeries(_ factory: Factory) async throws {
        let check = "delete"
        let store = try await factory()
        let a = Labels(metricName: "m", [("host", "a")])
        let b = Labels(metricName: "m", [("host", "b")])
        let c = Labels(metricName: "m", [("host", "c")])
        var batch = MetricBatch()
        for labels in [a, b, c] {
            let slot = batch.beginSeries(labels, kind: .gauge)
            for t in stride(from: Int64(1_000), through: 5_000, by: 1_000) {
                batch.append(seriesSlot: slot, timestampMillis: t, value: Double(t))
            }
        }
        try await store.append(batch, org: .default)
        try await store.append(batch, org: OrgID("other"))
        try await store.deleteSeries(org: .default, matchers: [.equal("host", "a")], startMillis: 2_000, endMillis: 4_000)
        try await store.deleteSeries(org: .default, matchers: [.equal("host", "c")], startMillis: .min, endMillis: .max)
        var later = MetricBatch()
        later.append(a, kind: .gauge, timestampMillis: 3_000, value: -3)
        try await store.append(later, org: .default)
        let got = try await store.select(SelectRequest(org: .default, matchers: [.equal("__name__", "m")], startMillis: 0, endMillis: 10_000))
        try expect(got.map(\.labels) == [a, b], check, "series after deletion: \(got.map(\.labels))")
        try expect(got[0].timestampsMillis == [1_000, 3_000, 5_000], check, "a's timestamps \(got[0].timestampsMillis)")
        try expect(got[0].values == [1_000, -3, 5_000], check, "a's values \(got[0].values)")
        try expect(got[1].timestampsMillis.count == 5, check, "b untouched, got \(got[1].timestampsMillis)")
        let listed = try await store.series(org: .default, matcherSets: [], startMillis: 0, endMillis: 10_000)
        try expect(listed == [a, b], check, "a series without samples is not listed: \(listed)")
        let hosts = try await store.labelValues(org: .default, name: "host", matcherSets: [], startMillis: 0, endMillis: 10_000)
        try expect(hosts == ["a", "b"], check, "label values \(hosts)")
        let other = try await store.select(SelectRequest(org: OrgID("other"), matchers: [.equal("__name__", "m")], startMillis: 0, endMillis: 10_000))
        try expect(other.count == 3 && other.allSatisfy { $0.timestampsMillis.count == 5 }, check, "another organisation is untouched")
        do {
            try await store.deleteSeries(org: .default, matchers: [], startMillis: 0, endMillis: 1)
            throw MetricStoreConformanceFailure(check: check, message: "an empty matcher list must be refused")
        } catch let error as StorageError {
            try expect(error.kind == .badRequest, check, "empty matcher list: \(error)")
        }
    }

    /// Appends two series and reads back exact samples, bounds inclusive, empty series omitted.
    @Sendable public static func checkAppendAndSelect(_ factory: Factory) async throws {
        let check = "append+select"
        let store = try await factory()
        let cpu = Labels(metricName: "cpu", [("host", "a")])
        let mem = Labels(metricName: "mem", [("host", "a")])
        var batch = MetricBatch()
        let c = batch.beginSeries(cpu, kind: .gauge)
        let m = batch.beginSeries(mem, kind: .gauge)
        for t in stride(from: Int64(1_000), through: 5_000, by: 1_000) {
            batch.append(seriesSlot: c, timestampMillis: t, value: Double(t) / 10)
        }
        batch.append(seriesSlot: m, timestampMillis: 9_000, value: 1)
        try await store.append(batch, org: .default)
        let got = try await store.select(SelectRequest(
            org: .default, matchers: [.equal("host", "a")], startMillis: 2_000, endMillis: 4_000))
        try expect(got.count == 1, check, "expected only cpu in [2000,4000], got \(got.map(\.labels))")
        try expect(got[0].labels == cpu, check, "labels \(got[0].labels)")
        try expect(got[0].timestampsMillis == [2_000, 3_000, 4_000], check, "timestamps \(got[0].timestampsMillis)")
        try expect(got[0].values == [200, 300, 400], check, "values \(got[0].values)")
        try expect(got[0].kind == .gauge, check, "kind \(got[0].kind)")
        let none = try await store.select(SelectRequest(org: .default, matchers: [], startMillis: 0, endMillis: 10_000))
        try expect(none.isEmpty, check, "an empty matcher list must match nothing, got \(none.count) series")
        let stats = await store.stats()
        try expect(stats.headSamples == 0 || stats.headSamples == 6, check, "headSamples \(stats.headSamples)")
    }

    /// Equality matchers on several labels select the intersection; an unknown value selects nothing.
    @Sendable public static func checkEqualMatchers(_ factory: Factory) async throws {
        let check = "equal matchers"
        let store = try await factory()
        try await appendFixture(store)
        try await expectSelected(store, [.equal("__name__", "up"), .equal("job", "api")], ["api/a", "api/b"], check)
        try await expectSelected(store, [.equal("job", "api"), .equal("instance", "b")], ["api/b"], check)
        try await expectSelected(store, [.equal("job", "nope")], [], check)
        try await expectSelected(store, [.equal("__name__", "up"), .equal("job", "db"), .equal("instance", "b")], [], check)
    }

    /// `!=`, `=~`, `!~` and empty-string matchers, including series that lack the label.
    @Sendable public static func checkMatcherKinds(_ factory: Factory) async throws {
        let check = "matcher kinds"
        let store = try await factory()
        try await appendFixture(store)
        let up = LabelMatcher.equal("__name__", "up")
        try await expectSelected(store, [up, try LabelMatcher(name: "job", op: .notEqual, value: "api")], ["db/a", "-/c"], check)
        try await expectSelected(store, [up, try LabelMatcher(name: "job", op: .regexMatch, value: "a.*")], ["api/a", "api/b"], check)
        try await expectSelected(store, [up, try LabelMatcher(name: "job", op: .regexMatch, value: "db|")], ["db/a", "-/c"], check)
        try await expectSelected(store, [up, try LabelMatcher(name: "job", op: .regexNoMatch, value: "api|db")], ["-/c"], check)
        try await expectSelected(store, [up, try LabelMatcher(name: "job", op: .regexMatch, value: ".+")], ["api/a", "api/b", "db/a"], check)
        try await expectSelected(store, [up, .equal("job", "")], ["-/c"], check)
        try await expectSelected(store, [up, try LabelMatcher(name: "job", op: .notEqual, value: "")], ["api/a", "api/b", "db/a"], check)
        try await expectSelected(store, [up, try LabelMatcher(name: "absent", op: .regexMatch, value: ".*")], ["api/a", "api/b", "db/a", "-/c"], check)
        try await expectSelected(store, [up, try LabelMatcher(name: "job", op: .regexMatch, value: "ap")], [], check)
        // Only matchers that accept the empty string: every series of the org is the base set.
        try await expectSelected(store, [try LabelMatcher(name: "instance", op: .notEqual, value: "a")], ["api/b", "-/c"], check)
    }

    /// A repeated (series, timestamp) keeps the last value, within a batch and across batches.
    @Sendable public static func checkLastWriteWins(_ factory: Factory) async throws {
        let check = "last write wins"
        let store = try await factory()
        let labels = Labels(metricName: "m")
        var first = MetricBatch()
        first.append(labels, kind: .gauge, timestampMillis: 10, value: 1)
        first.append(labels, kind: .gauge, timestampMillis: 10, value: 2)
        first.append(labels, kind: .gauge, timestampMillis: 20, value: 5)
        try await store.append(first, org: .default)
        var second = MetricBatch()
        second.append(labels, kind: .gauge, timestampMillis: 10, value: 3)
        try await store.append(second, org: .default)
        let got = try await store.select(SelectRequest(org: .default, matchers: [.equal("__name__", "m")], startMillis: 0, endMillis: 100))
        try expect(got.count == 1, check, "series count \(got.count)")
        try expect(got[0].timestampsMillis == [10, 20], check, "timestamps \(got[0].timestampsMillis)")
        try expect(got[0].values == [3, 5], check, "values \(got[0].values)")
    }

    /// Samples appended out of order, and late after newer ones, read back sorted and unique.
    @Sendable public static func checkOutOfOrder(_ factory: Factory) async throws {
        let check = "out of order"
        let store = try await factory()
        let labels = Labels(metricName: "m", [("k", "v")])
        var batch = MetricBatch()
        let slot = batch.beginSeries(labels, kind: .count)
        for t: Int64 in [30_000, 10_000, 20_000, 50_000] {
            batch.append(seriesSlot: slot, timestampMillis: t, value: Double(t))
        }
        try await store.append(batch, org: .default)
        var late = MetricBatch()
        late.append(labels, kind: .count, timestampMillis: 5_000, value: 5_000)
        late.append(labels, kind: .count, timestampMillis: 40_000, value: 40_000)
        try await store.append(late, org: .default)
        let got = try await store.select(SelectRequest(org: .default, matchers: [.equal("k", "v")], startMillis: 0, endMillis: 60_000))
        try expect(got.count == 1, check, "series count \(got.count)")
        let expected: [Int64] = [5_000, 10_000, 20_000, 30_000, 40_000, 50_000]
        try expect(got[0].timestampsMillis == expected, check, "timestamps \(got[0].timestampsMillis)")
        try expect(got[0].values == expected.map(Double.init), check, "values \(got[0].values)")
    }

    /// Two organisations with identical series never see each other's data or metadata.
    @Sendable public static func checkOrgIsolation(_ factory: Factory) async throws {
        let check = "org isolation"
        let store = try await factory()
        let a = OrgID("alpha"), b = OrgID("beta")
        let labels = Labels(metricName: "shared", [("only", "x")])
        var batchA = MetricBatch()
        batchA.append(labels, kind: .gauge, timestampMillis: 1_000, value: 1)
        try await store.append(batchA, org: a)
        var batchB = MetricBatch()
        batchB.append(labels, kind: .counter, timestampMillis: 1_000, value: 2)
        batchB.append(Labels(metricName: "private_b"), kind: .gauge, timestampMillis: 1_000, value: 3)
        try await store.append(batchB, org: b)
        let selA = try await store.select(SelectRequest(org: a, matchers: [.equal("__name__", "shared")], startMillis: 0, endMillis: 2_000))
        try expect(selA.count == 1 && selA[0].values == [1] && selA[0].kind == .gauge, check, "org alpha read \(selA.map(\.values))")
        let selB = try await store.select(SelectRequest(org: b, matchers: [.equal("__name__", "shared")], startMillis: 0, endMillis: 2_000))
        try expect(selB.count == 1 && selB[0].values == [2] && selB[0].kind == .counter, check, "org beta read \(selB.map(\.values))")
        let namesA = try await store.labelValues(org: a, name: "__name__", matcherSets: [], startMillis: 0, endMillis: 2_000)
        try expect(namesA == ["shared"], check, "org alpha metric names \(namesA)")
        let other = try await store.series(org: OrgID("gamma"), matcherSets: [], startMillis: 0, endMillis: 2_000)
        try expect(other.isEmpty, check, "an unknown org sees \(other.count) series")
        let kindsA = try await store.metricKinds(org: a, metricName: nil)
        try expect(kindsA == ["shared": .gauge], check, "org alpha kinds \(kindsA)")
    }

    /// `series`, `labelNames` and `labelValues` with and without matcher sets, and range filtering.
    @Sendable public static func checkMetadata(_ factory: Factory) async throws {
        let check = "metadata"
        let store = try await factory()
        try await appendFixture(store)
        var old = MetricBatch()
        old.append(Labels(metricName: "old", [("era", "past")]), kind: .gauge, timestampMillis: 1, value: 0)
        try await store.append(old, org: .default)
        let range = (start: Int64(1_000), end: Int64(10_000))
        let all = try await store.series(org: .default, matcherSets: [], startMillis: range.start, endMillis: range.end)
        try expect(all.count == 4, check, "all series in range: \(all)")
        let dbOrC = try await store.series(
            org: .default, matcherSets: [[.equal("job", "db")], [.equal("instance", "c")]],
            startMillis: range.start, endMillis: range.end)
        try expect(Set(dbOrC.compactMap { $0["instance"] }) == ["a", "c"] && dbOrC.count == 2, check, "union of matcher sets: \(dbOrC)")
        let names = try await store.labelNames(org: .default, matcherSets: [], startMillis: range.start, endMillis: range.end)
        try expect(names == ["__name__", "instance", "job"], check, "label names \(names)")
        let namesWithOld = try await store.labelNames(org: .default, matcherSets: [], startMillis: 0, endMillis: range.end)
        try expect(namesWithOld == ["__name__", "era", "instance", "job"], check, "label names incl. old \(namesWithOld)")
        let jobs = try await store.labelValues(org: .default, name: "job", matcherSets: [], startMillis: range.start, endMillis: range.end)
        try expect(jobs == ["api", "db"], check, "job values \(jobs)")
        let instances = try await store.labelValues(
            org: .default, name: "instance", matcherSets: [[.equal("job", "api")]], startMillis: range.start, endMillis: range.end)
        try expect(instances == ["a", "b"], check, "instance values for job=api \(instances)")
        let missing = try await store.labelValues(org: .default, name: "nope", matcherSets: [], startMillis: 0, endMillis: range.end)
        try expect(missing.isEmpty, check, "values of an unknown label \(missing)")
    }

    /// The first kind written for a metric name is kept; lookup by one name works.
    @Sendable public static func checkMetricKinds(_ factory: Factory) async throws {
        let check = "metric kinds"
        let store = try await factory()
        var first = MetricBatch()
        first.append(Labels(metricName: "req", [("a", "1")]), kind: .count, timestampMillis: 1_000, value: 1)
        first.append(Labels(metricName: "temp"), kind: .gauge, timestampMillis: 1_000, value: 1)
        try await store.append(first, org: .default)
        var second = MetricBatch()
        second.append(Labels(metricName: "req", [("a", "2")]), kind: .rate, timestampMillis: 2_000, value: 1)
        try await store.append(second, org: .default)
        let kinds = try await store.metricKinds(org: .default, metricName: nil)
        try expect(kinds == ["req": .count, "temp": .gauge], check, "kinds \(kinds)")
        let one = try await store.metricKinds(org: .default, metricName: "temp")
        try expect(one == ["temp": .gauge], check, "kinds for temp \(one)")
        let unknown = try await store.metricKinds(org: .default, metricName: "nope")
        try expect(unknown.isEmpty, check, "kinds for an unknown name \(unknown)")
    }

    /// `maxSeries` and `maxSamples` are enforced with `limitExceeded`, and exact limits pass.
    @Sendable public static func checkLimits(_ factory: Factory) async throws {
        let check = "limits"
        let store = try await factory()
        try await appendFixture(store)
        let all = [LabelMatcher.equal("__name__", "up")]
        let ok = try await store.select(SelectRequest(org: .default, matchers: all, startMillis: 0, endMillis: 10_000, maxSeries: 4, maxSamples: 8))
        try expect(ok.count == 4, check, "exact limits should pass, got \(ok.count) series")
        try await expectLimit(store, SelectRequest(org: .default, matchers: all, startMillis: 0, endMillis: 10_000, maxSeries: 3), "maxSeries", check)
        try await expectLimit(store, SelectRequest(org: .default, matchers: all, startMillis: 0, endMillis: 10_000, maxSamples: 7), "maxSamples", check)
    }

    /// An empty batch returns at once and adds nothing.
    @Sendable public static func checkEmptyBatch(_ factory: Factory) async throws {
        let check = "empty batch"
        let store = try await factory()
        try await store.append(MetricBatch(), org: .default)
        let all = try await store.series(org: .default, matcherSets: [], startMillis: .min, endMillis: .max)
        try expect(all.isEmpty, check, "series after an empty batch: \(all)")
        let stats = await store.stats()
        try expect(stats.headSeries == 0 && stats.headSamples == 0, check, "stats \(stats)")
    }

    // MARK: - Helpers

    /// `up{job="api",instance="a"}`, `up{job="api",instance="b"}`, `up{job="db",instance="a"}`,
    /// `up{instance="c"}` (no job), two samples each at 2000 and 3000.
    static func appendFixture(_ store: any MetricStore) async throws {
        var batch = MetricBatch()
        let sets: [[(name: String, value: String)]] = [
            [("job", "api"), ("instance", "a")], [("job", "api"), ("instance", "b")],
            [("job", "db"), ("instance", "a")], [("instance", "c")],
        ]
        for (i, pairs) in sets.enumerated() {
            let slot = batch.beginSeries(Labels(metricName: "up", pairs), kind: .gauge)
            batch.append(seriesSlot: slot, timestampMillis: 2_000, value: Double(i))
            batch.append(seriesSlot: slot, timestampMillis: 3_000, value: Double(i) + 0.5)
        }
        try await store.append(batch, org: .default)
    }

    /// Selects and compares `job/instance` keys (`-` for a missing job), order-insensitively.
    static func expectSelected(_ store: any MetricStore, _ matchers: [LabelMatcher], _ expected: Set<String>, _ check: String) async throws {
        let got = try await store.select(SelectRequest(org: .default, matchers: matchers, startMillis: 0, endMillis: 10_000))
        let keys = got.map { "\($0.labels["job"] ?? "-")/\($0.labels["instance"] ?? "-")" }
        try expect(Set(keys) == expected && keys.count == expected.count, check, "\(matchers) selected \(keys.sorted()), expected \(expected.sorted())")
    }

    /// Expects `limitExceeded` with a non-empty message (its wording is the implementation's:
    /// the embedded engine names the limit, the reference store uses Prometheus' text).
    static func expectLimit(_ store: any MetricStore, _ request: SelectRequest, _ limitName: String, _ check: String) async throws {
        do {
            let got = try await store.select(request)
            throw MetricStoreConformanceFailure(check: check, message: "\(limitName) not enforced: read \(got.count) series")
        } catch let error as StorageError {
            try expect(error.kind == .limitExceeded, check, "kind \(error.kind) for \(limitName)")
            try expect(!error.message.isEmpty, check, "empty message for \(limitName)")
        }
    }

    static func expect(_ condition: Bool, _ check: String, _ message: @autoclosure () -> String) throws {
        if !condition { throw MetricStoreConformanceFailure(check: check, message: message()) }
    }
}
