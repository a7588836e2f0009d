import BasinModel
import StorageAPI
import Testing

@testable import DialectBlueflood

/// How `/ingest` reads member keys (matched in place, or scanned when escaped or reordered)
/// and names (slices of the body, or copies when escaped): every spelling of the same element
/// decodes alike.
@Suite("BluefloodIntake keys and names")
struct BluefloodIntakeKeyAndNameTests {
    /// The same element, written in several ways Jackson reads alike.
    static let spellings: [String] = [
        #"{"collectionTime":1700000000000,"ttlInSeconds":60,"metricValue":2.5,"metricName":"a.b.c","unit":"ms"}"#,
        #"{"metricName":"a.b.c","unit":"ms","metricValue":2.5,"ttlInSeconds":60,"collectionTime":1700000000000}"#,
        #"{ "collectionTime" : 1700000000000 , "ttlInSeconds" : 60 , "metricValue" : 2.5 , "metricName" : "a.b.c" , "unit" : "ms" }"#,
        #"{"collection\u0054ime":1700000000000,"ttlInSeconds":60,"metricValue":2.5,"metric\u004eame":"a.b.c","unit":"ms"}"#,
        #"{"collectionTime":1700000000000,"ttlInSeconds":60,"metricValue":2.5,"metricName":"a\u002eb.c","unit":"m\u0073"}"#,
        #"{"collectionTime":1700000000000.0,"ttlInSeconds":"60","metricValue":2.5,"metricName":"a.b.c","unit":"ms"}"#,
        #"{"collectionTime":1.7e12,"ttlInSeconds":60.9,"metricValue":2.5,"metricName":"a.b.c","unit":"ms"}"#,
        #"{"metricName":"x","collectionTime":1700000000000,"ttlInSeconds":60,"metricValue":2.5,"metricName":"a.b.c","unit":"ms"}"#,
    ]

    @Test("every spelling of one element gives the same sample and metadata", arguments: spellings)
    func spellingsAgree(_ element: String) throws {
        let intake = try #require(decodeIntake(.ingest, "[\(element)]").intake)
        #expect(intake.samples == [DecodedSample(tenant: "acTEST", series: Labels(metricName: "a.b.c").description, kind: .gauge, timestampMillis: intakeNow, value: 2.5)])
        #expect(intake.allMetadata() == ["acTEST": ["a.b.c": MetricMetadata(unit: "ms", dialect: "blueflood", vendorType: "basic", ttlSeconds: 60)]])
    }

    @Test("an escaped name read before a string value keeps its own bytes")
    func escapedNameThenStringValue() {
        // The string value is read into the scanner's scratch buffer after the escaped name.
        let body = #"[{"collectionTime":1700000000000,"ttlInSeconds":60,"metricName":"n\u0061me","metricValue":"not a number"}]"#
        #expect(decodeIntake(.ingest, body).failure == .errors([entry("acTEST", intakeNow, "name", "metricValue", "metric value must be numeric")]))
    }

    @Test("names of every length up to the limit and past it", arguments: [1, 7, 8, 9, 15, 16, 17, 63, 64, 65, 511, 512, 513])
    func nameLengths(_ length: Int) throws {
        let name = String(repeating: "n", count: length)
        let outcome = decodeIntake(.ingest, "[\(metricJSON(name))]")
        if length <= 512 {
            let intake = try #require(outcome.intake)
            #expect(intake.batches["acTEST"]?.series == [Labels(metricName: name)])
            #expect(intake.allMetadata()["acTEST"]?.keys.sorted() == [name])
        } else {
            #expect(outcome.failure == .errors([entry(
                "acTEST", intakeNow, String(repeating: "n", count: 512), "metricName", "metricName is \(length) bytes, over the limit of 512")]))
        }
    }

    @Test("units are kept per name: the last given wins, a missing or null unit keeps it")
    func unitsPerName() throws {
        let body = "[" + [
            metricJSON("a", extra: ",\"unit\":\"ms\""), metricJSON("b", extra: ",\"unit\":\"bytes\""), metricJSON("a"),
            metricJSON("c"), metricJSON("b", extra: ",\"unit\":\"ms\""), metricJSON("c", extra: ",\"unit\":null"),
        ].joined(separator: ",") + "]"
        let intake = try #require(decodeIntake(.ingest, body).intake)
        let basic = { (unit: String?) in MetricMetadata(unit: unit, dialect: "blueflood", vendorType: "basic", ttlSeconds: 172_800) }
        #expect(intake.allMetadata() == ["acTEST": ["a": basic("ms"), "b": basic("ms"), "c": basic(nil)]])
        #expect(intake.batches["acTEST"]?.series == [Labels(metricName: "a"), Labels(metricName: "b"), Labels(metricName: "c")])
    }

    @Test("many new names in one body: each its own series, in first-seen order")
    func manyNames() throws {
        let names = (0..<3_000).map { "host-\($0 % 1_000).metric.\($0)" }
        let body = "[" + names.map { metricJSON($0) }.joined(separator: ",") + "," + metricJSON(names[5]) + "]"
        let intake = try #require(decodeIntake(.ingest, body).intake)
        let batch = try #require(intake.batches["acTEST"])
        #expect(batch.series == names.map { Labels(metricName: $0) })
        #expect(batch.seriesSlots.last == 5)
        #expect(intake.allMetadata()["acTEST"]?.count == names.count)
    }

    @Test("an unknown member fails the request whichever way its key is written", arguments: [
        #"{"metricName":"a","metricValue":1,"collectionTime":1700000000000,"ttlInSeconds":1,"tenantId":"t"}"#,
        #"{"metricName":"a","metricValue":1,"collectionTime":1700000000000,"ttlInSeconds":1,"metricNames":1}"#,
        #"{"metricName":"a","metricValue":1,"collectionTime":1700000000000,"ttlInSeconds":1,"metricNam":1}"#,
        #"{"metricName":"a","metricValue":1,"collectionTime":1700000000000,"ttlInSeconds":1,"uni\u0074s":1}"#,
    ])
    func unknownMember(_ element: String) {
        #expect(decodeIntake(.ingest, "[\(element)]").failure == .errors([.generic(tenantId: "acTEST", "Cannot parse content")]))
    }
}
