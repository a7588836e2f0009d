import BasinModel
import BasinWire
import Testing

@testable import DialectAxiom

/// `text/csv` bodies: header or `X-Axiom-CSV-Fields`, delimiter, RFC 4180 quoting, typing.
@Suite("Axiom ingest decoder: CSV")
struct AxiomIngestDecoderCSVTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var what: String
        var body: String
        var fields: [String] = []
        var delimiter: Character = ","
        var timestampField = "_time"
        var timestampFormat: String?
        var records: [String]
        var testDescription: String { what }
    }

    static let now = testNowText

    static let successes: [Case] = [
        Case(what: "header row, typed values",
             body: "s,i,f,b,neg,e\nx,12,1.5,true,-3,2e2\n",
             records: ["\(now) s=\"x\" i=12 f=1.5 b=true neg=-3 e=200.0"]),
        Case(what: "values that only look like numbers stay strings",
             body: "a,b,c,d,e,f\n007,1.,.5,+1,NaN,TRUE\n",
             records: ["\(now) a=\"007\" b=\"1.\" c=\".5\" d=\"+1\" e=\"NaN\" f=\"TRUE\""]),
        Case(what: "an empty value leaves the field out",
             body: "a,b,c\n1,,3\n", records: ["\(now) a=1 c=3"]),
        Case(what: "RFC 4180 quoting: delimiter, doubled quote, newline inside quotes",
             body: "a,b\n\"x,y\",\"say \"\"hi\"\"\"\n\"multi\nline\",2\n",
             records: ["\(now) a=\"x,y\" b=\"say \"hi\"\"", "\(now) a=\"multi\nline\" b=2"]),
        Case(what: "a quoted number is typed like an unquoted one (Go's encoding/csv loses quoting)",
             body: "a\n\"42\"\n", records: ["\(now) a=42"]),
        Case(what: "CRLF line endings, blank lines skipped, no final newline",
             body: "a,b\r\n1,2\r\n\r\n3,4", records: ["\(now) a=1 b=2", "\(now) a=3 b=4"]),
        Case(what: "X-Axiom-CSV-Fields names the columns of a headerless body",
             body: "1,2\n3,4\n", fields: ["a", "b"], records: ["\(now) a=1 b=2", "\(now) a=3 b=4"]),
        Case(what: "csv-delimiter ;",
             body: "a;b\n1;x,y\n", delimiter: ";", records: ["\(now) a=1 b=\"x,y\""]),
        Case(what: "tab delimiter",
             body: "a\tb\n1\t2\n", delimiter: "\t", records: ["\(now) a=1 b=2"]),
        Case(what: "_time column is the time and is not kept",
             body: "_time,a\n2026-11-22T12:35:43Z,1\n1700000000000,2\n",
             records: ["2026-11-22T12:35:43.000000000Z a=1", "2023-11-14T22:13:20.000000000Z a=2"]),
        Case(what: "axiom-py fixture 005: timestamp-field, timestamp-format and csv-delimiter",
             body: "when;service;latency_ms\n2026-11-22 12:36:03;api;12\n2026-11-22 12:36:04;db;3\n",
             delimiter: ";", timestampField: "when", timestampFormat: "2006-01-02 15:04:05",
             records: [
                "2026-11-22T12:36:03.000000000Z when=\"2026-11-22 12:36:03\" service=\"api\" latency_ms=12",
                "2026-11-22T12:36:04.000000000Z when=\"2026-11-22 12:36:04\" service=\"db\" latency_ms=3",
             ]),
        Case(what: "reserved header names are renamed",
             body: "_sysTime,_rowID\n1,2\n", records: ["\(now) _user_sysTime=1 _user_rowID=2"]),
        Case(what: "a UTF-8 byte order mark is skipped", body: "\u{FEFF}a,b\n1,2\n", records: ["\(now) a=1 b=2"]),
        Case(what: "header only", body: "a,b\n", records: []),
        Case(what: "empty body", body: "", records: []),
    ]

    @Test("decodes CSV rows", arguments: successes)
    func decodes(_ c: Case) throws {
        let batch = try decodeAxiom(c.body, format: .csv) {
            $0.csvFields = c.fields
            $0.csvDelimiter = c.delimiter.asciiValue!
            $0.timestampField = c.timestampField
            $0.timestampFormat = c.timestampFormat
        }
        #expect(renderRecords(batch) == c.records)
        #expect(batch.failures.isEmpty)
        #expect(batch.processedBytes == c.body.utf8.count)
    }

    @Test("a row with the wrong number of values fails alone")
    func wrongFieldCount() throws {
        let batch = try decodeAxiom("a,b\n1,2\n1\n1,2,3\n5,6\n", format: .csv)
        #expect(renderRecords(batch) == ["\(Self.now) a=1 b=2", "\(Self.now) a=5 b=6"])
        #expect(batch.failures == [
            AxiomIngestFailure(timestamp: Self.now, error: "CSV record on line 3 has 1 fields, expected 2"),
            AxiomIngestFailure(timestamp: Self.now, error: "CSV record on line 4 has 3 fields, expected 2"),
        ])
    }

    @Test("an unparseable time in a CSV row fails that row")
    func badTime() throws {
        let batch = try decodeAxiom("_time,a\nsoon,1\n2026-11-22T00:00:00Z,2\n", format: .csv)
        #expect(batch.records.count == 1)
        #expect(batch.failures == [AxiomIngestFailure(timestamp: Self.now, error: "cannot parse timestamp \"soon\"")])
    }
}
