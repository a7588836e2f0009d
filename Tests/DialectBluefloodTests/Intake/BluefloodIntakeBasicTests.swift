import BasinModel
import StorageAPI
import Testing

@testable import DialectBlueflood

/// Basic metrics (`/ingest`, `/ingest/multi`): series, metadata and coercions (§3, §4).
@Suite("BluefloodIntake basic metrics")
struct BluefloodIntakeBasicTests {
    @Test("metadata: the last unit given and the last ttl of a name win, per tenant")
    func metadata() throws {
        let body = "[" + [
            metricJSON("a", ttl: 10, extra: ",\"unit\":\"ms\""),
            metricJSON("a", ttl: 20),
            metricJSON("b", ttl: 5, extra: ",\"unit\":null"),
            metricJSON("a", ttl: 30, extra: ",\"unit\":\"s\""),
            metricJSON("a", ttl: 40),
        ].joined(separator: ",") + "]"
        let intake = try #require(decodeIntake(.ingest, body).intake)
        let basic = { (unit: String?, ttl: Int64) in
            MetricMetadata(unit: unit, dialect: "blueflood", vendorType: "basic", ttlSeconds: ttl)
        }
        #expect(intake.allMetadata() == ["acTEST": ["a": basic("s", 40), "b": basic(nil, 5)]])
        let batch = try #require(intake.batches["acTEST"])
        #expect(batch.series == [Labels(metricName: "a"), Labels(metricName: "b")])
        #expect(batch.kinds == [.gauge, .gauge])
        #expect(batch.seriesSlots == [0, 0, 1, 0, 0])
    }

    @Test("Jackson coercions: fractions truncate integers, null integers are 0, scalars become names")
    func coercions() throws {
        let body = "[{\"metricName\":true,\"metricValue\":1,\"collectionTime\":\(intakeNow).9,\"ttlInSeconds\":7.99,\"unit\":5}]"
        let intake = try #require(decodeIntake(.ingest, body).intake)
        #expect(intake.samples == [DecodedSample(tenant: "acTEST", series: "true{}", kind: .gauge, timestampMillis: intakeNow, value: 1)])
        #expect(intake.allMetadata()["acTEST"]?["true"]?.ttlSeconds == 7)
        #expect(intake.allMetadata()["acTEST"]?["true"]?.unit == "5")
        let nullTime = "[{\"metricName\":\"a\",\"metricValue\":1,\"collectionTime\":null,\"ttlInSeconds\":1}]"
        #expect(decodeIntake(.ingest, nullTime).failure == .errors([entry("acTEST", 0, "a", "collectionTime", outOfBounds)]))
    }

    @Test("the window is inclusive at both ends", arguments: [
        (intakeNow - 259_200_000, true), (intakeNow + 600_000, true), (intakeNow - 259_200_001, false), (intakeNow + 600_001, false),
    ])
    func window(_ time: Int64, _ accepted: Bool) {
        #expect((decodeIntake(.ingest, "[\(metricJSON("a", time: time))]").intake != nil) == accepted)
    }

    @Test("B56 wins over other errors of the request, but not over a syntax error")
    func ttlFailureOrder() {
        let ttlMessage = "Invalid data TTL supplied for metric is invalid. Required: 0 < ttl < 2147483647, provided: 2147483647"
        let body = "[\(metricJSON("bad", ttl: 0)),\(metricJSON("a", ttl: 2_147_483_647)),\(metricJSON("b"))]"
        #expect(decodeIntake(.ingest, body).failure == .errors([.generic(tenantId: "acTEST", ttlMessage)]))
        // A null value is dropped before the TTL is looked at.
        #expect(decodeIntake(.ingest, "[\(metricJSON("a", value: "null", ttl: 2_147_483_647)),\(metricJSON("b"))]").intake?.sampleCount == 1)
        #expect(decodeIntake(.ingest, "[\(metricJSON("a", ttl: 2_147_483_647)),{]").failure
            == .errors([.generic(tenantId: "acTEST", "Cannot parse content")]))
    }
}
