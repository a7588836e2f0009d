import BasinModel
import StorageAPI
import Testing

@testable import DialectBlueflood

/// Pre-aggregated bundles become the series of ``BluefloodSeriesNaming`` (§5).
@Suite("BluefloodIntake aggregated bundles")
struct BluefloodIntakeAggregatedTests {
    static let fixtureNow: Int64 = 1_500_000_000_000

    @Test("the sample_payload of §5.1 decodes into the expected series and values")
    func samplePayload() throws {
        let body = try intakeFixture("sample_payload.json")
        let outcome = decodeIntake(.aggregated, body, tenant: "path", options: intakeOptions(now: Self.fixtureNow))
        let intake = try #require(outcome.intake)
        #expect(intake.errors.isEmpty)
        #expect(intake.batches.keys.sorted() == ["333333"])
        let t = "333333"
        let expected: [(String, MetricKind, Double)] = [
            ("3333333.G1s", .gauge, 397),
            ("internal.packets_received", .count, 317),
            ("internal.packets_received:rate", .rate, 21.133333333333333),
            ("internal.packets_received:sampleCount", .count, 317),
            ("3333333.T200ms", .summary, 244.35),
            ("3333333.T200ms:count", .count, 74),
            ("3333333.T200ms:rate", .rate, 4.93),
            ("3333333.T200ms:min", .summary, 1),
            ("3333333.T200ms:max", .summary, 491),
            ("3333333.T200ms:sum", .summary, 18082),
            ("3333333.T200ms:median", .summary, 244),
            ("3333333.T200ms:std", .summary, 142.1),
            ("3333333.T200ms:pct_50", .summary, 121.7),
        ]
        for (name, kind, value) in expected {
            #expect(intake.value(name, tenant: t) == value, "\(name)")
            #expect(intake.kind(name, tenant: t) == kind, "\(name)")
        }
        for animal in ["cow", "dog", "cat"] {
            let labels = BluefloodSeriesNaming.setLabels("3333333.S500ms", value: animal)
            #expect(intake.value("", tenant: t, labels: labels) == 1)
        }
        #expect(intake.sampleCount == expected.count + 3)
        #expect(intake.samples.allSatisfy { $0.timestampMillis == Self.fixtureNow })
        let metadata = try #require(intake.allMetadata()[t])
        let aggregated = { (type: BluefloodMetricType) in
            MetricMetadata(dialect: "blueflood", vendorType: type.rawValue, ttlSeconds: Blueflood.aggregatedTTLSeconds)
        }
        #expect(metadata == [
            "3333333.G1s": aggregated(.gauge), "internal.packets_received": aggregated(.counter),
            "3333333.T200ms": aggregated(.timer), "3333333.S500ms": aggregated(.set),
        ])
    }

    @Test("B22: the multi endpoint writes each bundle into its own tenant, never the path tenant")
    func multiTenants() throws {
        let body = "[" + ["x", "y"].map {
            "{\"tenantId\":\"\($0)\",\"timestamp\":\(intakeNow),\"counters\":[{\"name\":\"c\",\"value\":2,\"rate\":0.5}]}"
        }.joined(separator: ",") + "]"
        let intake = try #require(decodeIntake(.aggregatedMulti, body, tenant: "path").intake)
        #expect(intake.batches.keys.sorted() == ["x", "y"])
        // No flush interval: one sample per flush.
        #expect(intake.value("c:sampleCount", tenant: "x") == 1)
        #expect(intake.value("c", tenant: "y") == 2)
    }

    @Test("timer statistics that are missing default to 0 and sets store each distinct string once")
    func defaults() throws {
        let body = "{\"tenantId\":\"t\",\"timestamp\":\(intakeNow),\"flushInterval\":10000,"
            + "\"timers\":[{\"name\":\"tm\",\"count\":3}],\"sets\":[{\"name\":\"s\",\"values\":[\"a\",\"b\",\"a\",null,7]}],"
            + "\"counters\":[{\"name\":\"c\",\"value\":5,\"rate\":0.25}]}"
        let intake = try #require(decodeIntake(.aggregated, body).intake)
        #expect(intake.value("tm", tenant: "t") == 0)
        #expect(intake.value("tm:count", tenant: "t") == 3)
        for part in ["rate", "min", "max", "sum", "median", "std"] {
            #expect(intake.value("tm:\(part)", tenant: "t") == 0)
        }
        let setSeries = intake.samples.filter { $0.series.hasPrefix("s{") }.map(\.series)
        #expect(setSeries == ["s{set_value=\"a\"}", "s{set_value=\"b\"}", "s{set_value=\"7\"}"])
        // floor(0.25 × 10000 / 1000) = 2.
        #expect(intake.value("c:sampleCount", tenant: "t") == 2)
    }

    @Test("a single bundle with any error is refused whole; with several bundles the invalid ones are skipped")
    func partialBundles() throws {
        let good = "{\"tenantId\":\"t\",\"timestamp\":\(intakeNow),\"gauges\":[{\"name\":\"ok\",\"value\":1}]}"
        let bad = "{\"tenantId\":\"t\",\"timestamp\":\(intakeNow),\"gauges\":[{\"name\":\"ok\",\"value\":1},{\"name\":\"\",\"value\":1}]}"
        #expect(decodeIntake(.aggregated, bad).failure == .errors([entry("t", intakeNow, "", "gauges[1].name", "may not be empty")]))
        let intake = try #require(decodeIntake(.aggregatedMulti, "[\(bad),\(good)]").intake)
        #expect(intake.sampleCount == 1)
        #expect(intake.errors == [entry("t", intakeNow, "", "gauges[1].name", "may not be empty")])
    }
}
