import BasinModel
import BasinWire
import Testing

@testable import DialectAxiom

/// The spec's ingest vectors at the decoder level (`axiom.md` §11): exact `processedBytes`.
@Suite("Axiom ingest vectors A1–A11, A37, A40")
struct AxiomIngestVectorTests {
    @Test("A1: timestamp-field=time, Go layout, labels and csv-delimiter are all accepted")
    func a1() throws {
        let labels = #"{"region":"eu-west-1","instance":1}"#
        let batch = try decodeAxiom(GoIngestVectors.array) {
            $0.timestampField = "time"
            $0.timestampFormat = "2/Jan/2006:15:04:05 +0000"
            $0.csvDelimiter = UInt8(ascii: ";")
            $0.eventLabels = labels
        }
        #expect(batch.failures.isEmpty)
        #expect(batch.records.map(\.timeNanos) == [utcNanos(2015, 5, 17, 8, 5, 30), utcNanos(2015, 5, 17, 8, 5, 31)])
        #expect(batch.records[0][field: "time"] == .string("17/May/2015:08:05:30 +0000"))
        #expect(batch.records[0][field: "region"] == .string("eu-west-1"))
        #expect(batch.records[0][field: "instance"] == .int(1))
        #expect(batch.processedBytes == 543 + labels.utf8.count)
    }

    @Test("A2: 543-byte array plus the 22-byte label header is 565 processed bytes")
    func a2() throws {
        #expect(GoIngestVectors.array.utf8.count == 543)
        let batch = try decodeAxiom(GoIngestVectors.array) { $0.eventLabels = #"{"region":"eu-west-1"}"# }
        #expect(batch.records.count == 2)
        #expect(batch.failures.isEmpty)
        #expect(batch.processedBytes == 565)
        #expect(batch.records.allSatisfy { $0[field: "region"] == .string("eu-west-1") })
    }

    @Test("A3/A4: the decoder sees the decompressed body, so processedBytes is 543")
    func a3a4() throws {
        let batch = try decodeAxiom(GoIngestVectors.array)
        #expect(batch.records.count == 2)
        #expect(batch.processedBytes == 543)
    }

    @Test("A5: IngestEvents NDJSON is 448 bytes including newlines")
    func a5() throws {
        #expect(GoIngestVectors.ndjson.utf8.count == 448)
        let batch = try decodeAxiom(GoIngestVectors.ndjson, format: .ndjson)
        #expect(batch.records.count == 2)
        #expect(batch.failures.isEmpty)
        #expect(batch.processedBytes == 448)
    }

    @Test("A6: CSV with a header row and an empty X-Axiom-CSV-Fields is 325 bytes")
    func a6() throws {
        #expect(GoIngestVectors.csvWithHeader.utf8.count == 325)
        let batch = try decodeAxiom(GoIngestVectors.csvWithHeader, format: .csv) { $0.csvFields = [] }
        #expect(batch.records.count == 2)
        #expect(batch.failures.isEmpty)
        #expect(batch.processedBytes == 325)
        #expect(batch.records[0][field: "response"] == .int(304))
        #expect(batch.records[1][field: "time"] == .string("\t\t17/May/2015:08:05:31 +0000"))
    }

    @Test("A7: headerless CSV with X-Axiom-CSV-Fields is 258 bytes")
    func a7() throws {
        #expect(GoIngestVectors.csv.utf8.count == 258)
        let batch = try decodeAxiom(GoIngestVectors.csv, format: .csv) { $0.csvFields = GoIngestVectors.csvFields }
        #expect(batch.records.count == 2)
        #expect(batch.failures.isEmpty)
        #expect(batch.processedBytes == 258)
        #expect(batch.records[0][field: "remote_ip"] == .string("93.180.71.1"))
    }

    @Test("A8: events without _time get the receive time")
    func a8() throws {
        let batch = try decodeAxiom(GoIngestVectors.array)
        #expect(batch.records.allSatisfy { $0.timeNanos == testNowNanos })
    }

    @Test("A11: axiom-py ingest_events with _time an hour ago (RFC 3339 with offset and fraction)")
    func a11() throws {
        let body = "{\"_time\":\"2026-11-22T11:00:00.123456+00:00\",\"foo\":\"bar\"}\n{\"_time\":\"2026-11-22T11:00:00.5Z\",\"baz\":\"qux\"}"
        let batch = try decodeAxiom(body, format: .ndjson)
        #expect(batch.records.map(\.timeNanos) == [utcNanos(2026, 11, 22, 11, nanos: 123_456_000), utcNanos(2026, 11, 22, 11, nanos: 500_000_000)])
    }

    @Test("A37: a field named _sysTime is stored as _user_sysTime")
    func a37() throws {
        let batch = try decodeAxiom(#"{"_sysTime":"x"}"#)
        #expect(batch.records.first?.fields == [RecordField("_user_sysTime", .string("x"))])
    }

    @Test("A40: numeric _time in s, ms, µs and ns are the same instant", arguments: [
        "1700000000", "1700000000000", "1700000000000000", "1700000000000000000", "1700000000.0", "\"1700000000\"",
    ])
    func a40(time: String) throws {
        let batch = try decodeAxiom("{\"_time\":\(time)}")
        #expect(batch.records.first.map { AxiomTime.rfc3339(nanos: $0.timeNanos) } == "2023-11-14T22:13:20.000000000Z")
    }
}
