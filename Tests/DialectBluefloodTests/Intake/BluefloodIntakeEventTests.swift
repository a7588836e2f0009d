import BasinModel
import Foundation
import NIOCore
import Testing

@testable import DialectBlueflood

/// `POST /events` decoding, the stored record, `GET /events/getEvents` parameters and rendering,
/// and the error body (§1.4, §6, §7; B32–B38).
@Suite("BluefloodIntake events")
struct BluefloodIntakeEventTests {
    static func text(_ buffer: ByteBuffer) -> String {
        String(buffer: buffer)
    }

    @Test("B35: an annotation decodes with defaults and round-trips through its record")
    func decodeAndRecord() throws {
        let body = "{\"what\":\"deployment 0\",\"when\":\(intakeNow),\"data\":\"deploying prod 0\",\"tags\":\"deployment 0\"}"
        guard case .event(let event) = decodeIntake(.events, body, tenant: "t1") else {
            Issue.record("not decoded")
            return
        }
        #expect(event == BluefloodEvent(what: "deployment 0", when: intakeNow, tags: "deployment 0", data: "deploying prod 0", tenantId: "t1"))
        let record = event.record
        #expect(record.timeNanos == intakeNow * 1_000_000)
        #expect(record[field: "dialect"] == .string("blueflood"))
        #expect(BluefloodEvent(record: record, tenantId: "t1") == event)
        guard case .event(let bare) = decodeIntake(.events, " {\"when\":\"\(intakeNow)\",\"what\":7} \n") else {
            Issue.record("not decoded")
            return
        }
        #expect(bare == BluefloodEvent(what: "7", when: intakeNow, tenantId: "acTEST"))
        #expect(BluefloodEvent(record: Record(timeNanos: -1, fields: []), tenantId: "t") == nil)
        #expect(BluefloodEvent(record: Record(timeNanos: -1, fields: [RecordField("what", .string("w"))]), tenantId: "t")?.when == -1)
    }

    @Test("B34 and Jackson strictness: malformed bodies are `Invalid Data: …`", arguments: [
        "{\"when\":, what]}", "", "[]", "{\"what\":\"a\",\"when\":\(intakeNow),\"tag\":\"x\"}", "{\"what\":{}}",
        "{\"what\":\"a\",\"when\":\(intakeNow)} x", "{\"what\":\"a\",\"when\":true}",
    ])
    func malformed(_ body: String) throws {
        let failure = try #require(decodeIntake(.events, body).failure)
        guard case .errors(let entries) = failure, entries.count == 1 else {
            Issue.record("unexpected \(failure)")
            return
        }
        #expect(entries[0].message.hasPrefix("Invalid Data: "))
        #expect(entries[0].source == nil && entries[0].timestamp == nil && entries[0].tenantId == "acTEST")
    }

    @Test("B36: getEvents without any parameter is refused")
    func noParameters() {
        #expect(BluefloodEventsQuery.parse([]).failure?.message == "Error: Query should contain at least one query parameter")
        #expect(BluefloodEventsQuery.parse([("foo", "bar")]).success != nil)
    }

    @Test("from and until are epoch milliseconds; other forms are refused")
    func times() throws {
        let query = try #require(BluefloodEventsQuery.parse([("from", "100"), ("until", "200"), ("from", "5"), ("tags", "x")]).success)
        #expect(query.fromMillis == 100 && query.untilMillis == 200 && query.tags == "x")
        #expect(query.contains(when: 100) && query.contains(when: 200) && !query.contains(when: 99) && !query.contains(when: 201))
        for bad in ["-1d", "now", "", "1.5", "99999999999999999999"] {
            #expect(BluefloodEventsQuery.parse([("until", bad)]).failure?.message.hasPrefix("Error: parameter 'until'") == true, "\(bad)")
        }
    }

    @Test("B37: tags match the whole string or one word, ignoring case; lists and wildcards never match", arguments: [
        ("deployment 0", "deployment 0", true), ("DEPLOYMENT", "deployment 0", true), ("1", "[540123] Event tags sample 1", true),
        ("NoSuchTag", "deployment 0", false), ("0,1", "0,1", false), ("[0,1]", "0 1", false), ("{0,1}", "0", false),
        ("sample*", "sample 1", false), ("deploy", "deployment 0", false),
    ])
    func tags(_ term: String, _ eventTags: String, _ expected: Bool) {
        #expect(BluefloodEventsQuery(tags: term).matches(tags: eventTags) == expected)
    }

    @Test("B35/B38: results are sorted by when and rendered with all five members")
    func render() {
        let events = [
            BluefloodEvent(what: "b", when: 20, tags: "t", data: "d\"", tenantId: "x"),
            BluefloodEvent(what: "a", when: 10, tenantId: "x"),
        ]
        #expect(Self.text(BluefloodEventsQuery.render(events))
            == "[{\"what\":\"a\",\"when\":10,\"data\":\"\",\"tags\":\"\",\"tenantId\":\"x\"},{\"what\":\"b\",\"when\":20,\"data\":\"d\\\"\",\"tags\":\"t\",\"tenantId\":\"x\"}]")
        #expect(Self.text(BluefloodEventsQuery.render([])) == "[]")
        let stale = BluefloodEventsQuery(fromMillis: 0, untilMillis: 5)
        #expect(events.filter(stale.matches).isEmpty)
        let many = (0..<(Blueflood.maxDiscoveryResults + 5)).map { BluefloodEvent(what: "w", when: Int64($0), tenantId: "x") }
        #expect(Self.text(BluefloodEventsQuery.render(many)).components(separatedBy: "\"what\"").count - 1 == Blueflood.maxDiscoveryResults)
    }

    @Test("§1.4: the error body writes nulls and the five members in order")
    func errorBody() {
        let body = BluefloodErrorBody.render([
            .generic(tenantId: "t", "No valid metrics"),
            entry("t", 12, "a.b", "gauges[0].value", "may not be null"),
        ])
        #expect(Self.text(body) == "{\"errors\":[{\"tenantId\":\"t\",\"timestamp\":null,\"metricName\":\"\",\"source\":null,\"message\":\"No valid metrics\"},"
            + "{\"tenantId\":\"t\",\"timestamp\":12,\"metricName\":\"a.b\",\"source\":\"gauges[0].value\",\"message\":\"may not be null\"}]}")
        #expect(Self.text(BluefloodErrorBody.render([])) == "{\"errors\":[]}")
    }
}

extension Result {
    var success: Success? {
        if case .success(let value) = self { return value }
        return nil
    }

    var failure: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }
}
