import BasinModel
import BasinWire
import Testing

@testable import DialectAxiom

/// JSON arrays, single objects and NDJSON: what is stored, as canonical text.
@Suite("Axiom ingest decoder: JSON and NDJSON")
struct AxiomIngestDecoderJSONTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var what: String
        var body: String
        var format: AxiomIngestFormat = .json
        var timestampField = "_time"
        var labels: String?
        var records: [String]
        var testDescription: String { what }
    }

    static let now = testNowText

    static let successes: [Case] = [
        Case(what: "array of two objects, _time taken out of the fields",
             body: #"[{"_time":"2026-11-22T12:35:43+00:00","a":1},{"_time":"2026-11-22T12:35:53Z","b":"x"}]"#,
             records: ["2026-11-22T12:35:43.000000000Z a=1", "2026-11-22T12:35:53.000000000Z b=\"x\""]),
        Case(what: "single object under application/json",
             body: #"{"k":"v"}"#, records: ["\(now) k=\"v\""]),
        Case(what: "NDJSON under application/json is detected",
             body: "{\"a\":1}\n{\"a\":2}\n", records: ["\(now) a=1", "\(now) a=2"]),
        Case(what: "NDJSON with blank lines and CRLF",
             body: "\r\n{\"a\":1}\r\n\r\n{\"a\":2}", format: .ndjson, records: ["\(now) a=1", "\(now) a=2"]),
        Case(what: "an array under x-ndjson is still an array",
             body: #"[{"a":1}]"#, format: .ndjson, records: ["\(now) a=1"]),
        Case(what: "pretty-printed object",
             body: "{\n  \"a\": 1,\n  \"b\": [1, 2]\n}\n", records: ["\(now) a=1 b=[1,2]"]),
        Case(what: "nested objects are kept as sent, member order kept",
             body: #"{"user":{"id":7,"plan":"pro","geo":{"city":"Berlin"}},"z":null}"#,
             records: ["\(now) user={id:7,plan:\"pro\",geo:{city:\"Berlin\"}} z=null"]),
        Case(what: "types: int, float, big int as float, exponent as float, bool, null, escapes",
             body: #"{"i":-42,"f":40.0,"big":18446744073709551616,"e":1e3,"t":true,"n":null,"s":"a\"b\u00e9"}"#,
             records: ["\(now) i=-42 f=40.0 big=1.8446744073709552e+19 e=1000.0 t=true n=null s=\"a\"bé\""]),
        Case(what: "NaN, Infinity, -Infinity and overflowing numbers are null",
             body: #"{"a":NaN,"b":Infinity,"c":-Infinity,"d":1e999}"#,
             records: ["\(now) a=null b=null c=null d=null"]),
        Case(what: "reserved names are renamed _user_…",
             body: #"{"_sysTime":1,"_rowID":2,"_cursor":3,"_source":4,"_blockInfo":5,"_other":6}"#,
             records: ["\(now) _user_sysTime=1 _user_rowID=2 _user_cursor=3 _user_source=4 _user_blockInfo=5 _other=6"]),
        Case(what: "null _time gets the receive time",
             body: #"{"_time":null,"a":1}"#, records: ["\(now) a=1"]),
        Case(what: "timestamp-field names another field, which stays",
             body: #"{"ts":"2026-11-22T12:36:13+00:00","n":0}"#, timestampField: "ts",
             records: ["2026-11-22T12:36:13.000000000Z ts=\"2026-11-22T12:36:13+00:00\" n=0"]),
        Case(what: "timestamp-field absent: _time is used",
             body: #"{"_time":1700000000,"n":0}"#, timestampField: "ts",
             records: ["2023-11-14T22:13:20.000000000Z n=0"]),
        Case(what: "labels are added after the event's fields; the event's own field wins",
             body: #"{"region":"us","a":1}"#, labels: #"{"region":"eu-west-1","instance":1}"#,
             records: ["\(now) region=\"us\" a=1 instance=1"]),
        Case(what: "empty body", body: "", records: []),
        Case(what: "whitespace body", body: " \n\t ", records: []),
        Case(what: "empty array", body: "[]", records: []),
        Case(what: "empty object is an event", body: "{}", records: [now]),
        Case(what: "axiom-py fixture 003 (JSON array, Content-Encoding: 1)",
             body: #"[{"_time": "2026-11-22T12:35:43+00:00", "service": "api", "region": "eu", "latency_ms": 12.5, "status": 200, "user": {"id": 7, "plan": "pro"}}, {"_time": "2026-11-22T12:35:53+00:00", "service": "api", "region": "us", "latency_ms": 40.0, "status": 500, "tags": ["a", "b"]}, {"service": "db", "region": "eu", "latency_ms": 3.25, "status": 200}]"#,
             records: [
                "2026-11-22T12:35:43.000000000Z service=\"api\" region=\"eu\" latency_ms=12.5 status=200 user={id:7,plan:\"pro\"}",
                "2026-11-22T12:35:53.000000000Z service=\"api\" region=\"us\" latency_ms=40.0 status=500 tags=[\"a\",\"b\"]",
                "\(now) service=\"db\" region=\"eu\" latency_ms=3.25 status=200",
             ]),
        Case(what: "axiom-py fixture 002 (ingest_events NDJSON, datetimes with fractions)",
             body: "{\"_time\":\"2026-11-22T12:35:43+00:00\",\"service\":\"api\"}\n{\"service\":\"db\"}\n{\"_time\":\"2026-11-22T12:36:08.000000Z\",\"service\":\"web\",\"latency_ms\":8}",
             format: .ndjson,
             records: [
                "2026-11-22T12:35:43.000000000Z service=\"api\"", "\(now) service=\"db\"",
                "2026-11-22T12:36:08.000000000Z service=\"web\" latency_ms=8",
             ]),
    ]

    @Test("decodes accepted events", arguments: successes)
    func decodes(_ c: Case) throws {
        let batch = try decodeAxiom(c.body, format: c.format) {
            $0.timestampField = c.timestampField
            $0.eventLabels = c.labels
        }
        #expect(renderRecords(batch) == c.records)
        #expect(batch.failures.isEmpty)
        #expect(batch.processedBytes == c.body.utf8.count + (c.labels?.utf8.count ?? 0))
    }

    @Test("_sysTime is the receive time, first among the fields")
    func sysTime() throws {
        let batch = try decodeAxiom(#"{"_sysTime":"mine","a":1}"#, sysTime: true)
        #expect(renderRecords(batch) == ["\(Self.now) _sysTime=ts(\(Self.now)) _user_sysTime=\"mine\" a=1"])
    }
}
