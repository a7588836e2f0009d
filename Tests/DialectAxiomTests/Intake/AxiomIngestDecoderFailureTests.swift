import BasinModel
import BasinWire
import Testing

@testable import DialectAxiom

/// Events that fail inside a 200 answer, and bodies that fail the whole request.
@Suite("Axiom ingest decoder: failures")
struct AxiomIngestDecoderFailureTests {
    struct EventCase: Sendable, CustomTestStringConvertible {
        var what: String
        var body: String
        var format: AxiomIngestFormat = .json
        var timestampFormat: String?
        var accepted: Int
        var failures: [AxiomIngestFailure]
        var testDescription: String { what }
    }

    static let now = testNowText

    static let eventFailures: [EventCase] = [
        EventCase(what: "unparseable _time fails that event only, stamped with the receive time",
                  body: #"[{"_time":"yesterday","a":1},{"a":2}]"#, accepted: 1,
                  failures: [.init(timestamp: now, error: "cannot parse timestamp \"yesterday\"")]),
        EventCase(what: "_time of the wrong type",
                  body: #"{"_time":true}"#, accepted: 0,
                  failures: [.init(timestamp: now, error: "timestamp must be a string or a number, found bool")]),
        EventCase(what: "_time that does not match timestamp-format",
                  body: #"{"_time":"2026-11-22T12:00:00Z"}"#, timestampFormat: "2/Jan/2006:15:04:05 -0700", accepted: 0,
                  failures: [.init(timestamp: now, error: "cannot parse timestamp \"2026-11-22T12:00:00Z\" with layout: expected \"/\"")]),
        EventCase(what: "epoch seconds out of the nanosecond range",
                  body: #"{"_time":99999999999}"#, accepted: 0,
                  failures: [.init(timestamp: now, error: "timestamp 99999999999 is out of range")]),
        EventCase(what: "array element that is not an object",
                  body: #"[{"a":1},"text",3,[1],null]"#, accepted: 1,
                  failures: [
                    .init(timestamp: now, error: "event must be a JSON object, found a string"),
                    .init(timestamp: now, error: "event must be a JSON object, found a number"),
                    .init(timestamp: now, error: "event must be a JSON object, found an array"),
                    .init(timestamp: now, error: "event must be a JSON object, found null"),
                  ]),
        EventCase(what: "malformed NDJSON line fails alone; the others are kept",
                  body: "{\"a\":1}\n{\"a\":\n{\"a\":3}\n", format: .ndjson, accepted: 2,
                  failures: [.init(timestamp: now, error: "invalid JSON on line 2: unexpected end of input, expected '}' at byte 22")]),
        EventCase(what: "garbage line in NDJSON",
                  body: "{\"a\":1}\nnot json\n{\"a\":3}", format: .ndjson, accepted: 2,
                  failures: [.init(timestamp: now, error: "invalid JSON on line 2: invalid literal, expected null at byte 8")]),
        EventCase(what: "field name over 200 bytes fails the event, stamped with its own time",
                  body: "{\"_time\":1700000000,\"" + String(repeating: "k", count: 201) + "\":1}", accepted: 0,
                  failures: [.init(timestamp: "2023-11-14T22:13:20.000000000Z",
                                   error: "field name longer than 200 bytes: \"" + String(repeating: "k", count: 64) + "…\"")]),
        EventCase(what: "nested dotted path over 200 bytes",
                  body: "{\"" + String(repeating: "a", count: 100) + "\":{\"" + String(repeating: "b", count: 100) + "\":1}}", accepted: 0,
                  failures: [.init(timestamp: now,
                                   error: "field name longer than 200 bytes: \"" + String(repeating: "a", count: 64) + "…\"")]),
    ]

    @Test("reports failed events and keeps the rest", arguments: eventFailures)
    func eventFailure(_ c: EventCase) throws {
        let batch = try decodeAxiom(c.body, format: c.format) { $0.timestampFormat = c.timestampFormat }
        #expect(batch.records.count == c.accepted)
        #expect(batch.failures == c.failures)
        #expect(batch.processedBytes == c.body.utf8.count)
    }

    struct RequestCase: Sendable, CustomTestStringConvertible {
        var what: String
        var body: String
        var format: AxiomIngestFormat = .json
        var labels: String?
        var kind: ErrorKind
        var message: String
        var testDescription: String { what }
    }

    static let requestFailures: [RequestCase] = [
        RequestCase(what: "malformed JSON array", body: #"[{"a":1},{"a":]"#, kind: .badRequest,
                    message: "event 1: expected a value, found ']' at byte 14"),
        RequestCase(what: "unterminated array", body: #"[{"a":1}"#, kind: .badRequest,
                    message: "unexpected end of input, expected ']' at byte 8"),
        RequestCase(what: "data after the array", body: #"[{"a":1}] x"#, kind: .badRequest,
                    message: "unexpected data after the JSON value at byte 10"),
        RequestCase(what: "labels header that is not an object", body: #"{"a":1}"#, labels: "[1]", kind: .badRequest,
                    message: "invalid X-Axiom-Event-Labels header (expected a JSON object): expected an object, found an array at byte 0"),
        RequestCase(what: "labels header with bad JSON", body: #"{"a":1}"#, labels: #"{"a":}"#, kind: .badRequest,
                    message: "invalid X-Axiom-Event-Labels header (expected a JSON object): expected a value, found '}' at byte 5"),
        RequestCase(what: "unterminated CSV quote", body: "a,b\n\"x,1\n", format: .csv, kind: .badRequest,
                    message: "CSV quoted field starting on line 2 is not closed at byte 4"),
    ]

    @Test("rejects bodies that cannot be read as a whole", arguments: requestFailures)
    func requestFailure(_ c: RequestCase) {
        #expect(throws: WireError.self) { try decodeAxiom(c.body, format: c.format) { $0.eventLabels = c.labels } }
        do {
            _ = try decodeAxiom(c.body, format: c.format) { $0.eventLabels = c.labels }
        } catch {
            #expect(error.kind == c.kind)
            #expect(error.message == c.message)
        }
    }

    @Test("more than maxEventsPerRequest events is 413", arguments: [AxiomIngestFormat.json, .ndjson, .csv])
    func tooManyEvents(format: AxiomIngestFormat) {
        let body: String
        switch format {
        case .json: body = "[" + Array(repeating: "{}", count: 4).joined(separator: ",") + "]"
        case .ndjson: body = Array(repeating: "{}", count: 4).joined(separator: "\n")
        case .csv: body = "a\n" + Array(repeating: "1", count: 4).joined(separator: "\n")
        }
        do {
            _ = try decodeAxiom(body, format: format) { $0.limits.maxEventsPerRequest = 3 }
            Issue.record("expected a limit error")
        } catch {
            #expect(error.kind == .payloadTooLarge)
            #expect(error.message == "request has more than 3 events; split it into smaller batches")
        }
        #expect((try? decodeAxiom(body, format: format) { $0.limits.maxEventsPerRequest = 4 })?.records.count == 4)
    }

    @Test("10,000 events are accepted by default, 10,001 are not (A39)")
    func defaultEventLimit() throws {
        let ok = Array(repeating: "{}", count: 10_000).joined(separator: "\n")
        #expect(try decodeAxiom(ok).records.count == 10_000)
        #expect(throws: WireError.self) { try decodeAxiom(ok + "\n{}") }
    }
}
