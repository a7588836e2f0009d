import BasinModel
import Testing

@testable import DialectAxiom

/// `_time` parsing: heuristics without a format, Go layouts with one, epoch numbers.
@Suite("Axiom timestamps")
struct AxiomTimestampTests {
    static let heuristic: [(text: String, expected: String)] = [
        ("2020-11-19T11:06:31.569475746Z", "2020-11-19T11:06:31.569475746Z"),
        ("2020-11-19T11:06:31Z", "2020-11-19T11:06:31.000000000Z"),
        ("2020-11-19t11:06:31z", "2020-11-19T11:06:31.000000000Z"),
        ("2020-11-19T11:06:31+01:00", "2020-11-19T10:06:31.000000000Z"),
        ("2020-11-19T11:06:31-0230", "2020-11-19T13:36:31.000000000Z"),
        ("2020-11-19T11:06:31+05", "2020-11-19T06:06:31.000000000Z"),
        ("2020-11-19T11:06:31.5", "2020-11-19T11:06:31.500000000Z"),
        ("2020-11-19T11:06:31,25Z", "2020-11-19T11:06:31.250000000Z"),
        ("2020-11-19T11:06:31.1234567891234Z", "2020-11-19T11:06:31.123456789Z"),
        ("2020-11-19 11:06:31", "2020-11-19T11:06:31.000000000Z"),
        ("2020-11-19T11:06", "2020-11-19T11:06:00.000000000Z"),
        ("2020-11-19", "2020-11-19T00:00:00.000000000Z"),
        ("2024-02-29T00:00:00Z", "2024-02-29T00:00:00.000000000Z"),
        ("1969-12-31T23:59:59.999999999Z", "1969-12-31T23:59:59.999999999Z"),
        ("Thu, 19 Nov 2020 11:06:31 +0100", "2020-11-19T10:06:31.000000000Z"),
        ("Thu, 19 Nov 2020 11:06:31 GMT", "2020-11-19T11:06:31.000000000Z"),
        ("Thu Nov 19 11:06:31 2020", "2020-11-19T11:06:31.000000000Z"),
        ("Thu Nov  9 11:06:31 UTC 2020", "2020-11-09T11:06:31.000000000Z"),
        ("19/Nov/2020:11:06:31 +0000", "2020-11-19T11:06:31.000000000Z"),
        ("2020-11-19 11:06:31.5 +0000 UTC", "2020-11-19T11:06:31.500000000Z"),
        ("20201119T110631Z", "2020-11-19T11:06:31.000000000Z"),
        ("1605783991", "2020-11-19T11:06:31.000000000Z"),
        ("1605783991569", "2020-11-19T11:06:31.569000000Z"),
    ]

    @Test("parses RFC 3339, ISO 8601 variants and common forms without a format", arguments: heuristic)
    func heuristics(text: String, expected: String) throws {
        let nanos = try AxiomTimestampParser(format: nil).nanos(of: text)
        #expect(AxiomTime.rfc3339(nanos: nanos) == expected)
    }

    @Test("rejects text that is no time", arguments: [
        "", "yesterday", "2020-13-01", "2020-02-30", "2023-02-29T00:00:00Z", "2020-11-19T25:00:00Z", "2020-11-19T11:06:31Zjunk",
        "2020-11-19T11:06:31.Z", "11:06:31",
    ])
    func rejects(text: String) {
        #expect(throws: AxiomTimeError.self) { try AxiomTimestampParser(format: nil).nanos(of: text) }
    }

    static let layouts: [(layout: String, text: String, expected: String)] = [
        ("2/Jan/2006:15:04:05 +0000", "17/May/2015:08:05:30 +0000", "2015-05-17T08:05:30.000000000Z"),
        ("2/Jan/2006:15:04:05 -0700", "17/May/2015:08:05:30 +0200", "2015-05-17T06:05:30.000000000Z"),
        ("02/Jan/2006:15:04:05 -07:00", "07/May/2015:08:05:30 -01:30", "2015-05-07T09:35:30.000000000Z"),
        ("2006-01-02 15:04:05", "2026-11-22 12:36:03", "2026-11-22T12:36:03.000000000Z"),
        ("2006-01-02T15:04:05Z07:00", "2026-11-22T12:36:03Z", "2026-11-22T12:36:03.000000000Z"),
        ("2006-01-02T15:04:05Z07:00", "2026-11-22T12:36:03+01:00", "2026-11-22T11:36:03.000000000Z"),
        ("2006-01-02T15:04:05.000Z", "2026-11-22T12:36:03.123Z", "2026-11-22T12:36:03.123000000Z"),
        ("2006-01-02T15:04:05.000000Z", "2026-11-22T12:36:03.123456Z", "2026-11-22T12:36:03.123456000Z"),
        ("2006-01-02T15:04:05.000000000", "2026-11-22T12:36:03.123456789", "2026-11-22T12:36:03.123456789Z"),
        ("2006-01-02T15:04:05.999", "2026-11-22T12:36:03", "2026-11-22T12:36:03.000000000Z"),
        ("2006-01-02T15:04:05.999", "2026-11-22T12:36:03.5", "2026-11-22T12:36:03.500000000Z"),
        ("2006-01-02 15:04:05", "2026-11-22 12:36:03.25", "2026-11-22T12:36:03.250000000Z"),
        ("Jan _2 15:04:05 2006", "Nov  2 12:36:03 2026", "2026-11-02T12:36:03.000000000Z"),
        ("January 2, 2006 3:04 PM", "November 22, 2026 1:05 PM", "2026-11-22T13:05:00.000000000Z"),
        ("January 2, 2006 3:04 pm", "november 22, 2026 12:05 am", "2026-11-22T00:05:00.000000000Z"),
        ("03:04:05PM 01/02/06", "12:00:00PM 11/22/26", "2026-11-22T12:00:00.000000000Z"),
        ("1/2/06 15:04", "3/4/99 7:08", "1999-03-04T07:08:00.000000000Z"),
        ("Monday, 02-Jan-06 15:04:05 MST", "Sunday, 22-Nov-26 12:36:03 CET", "2026-11-22T12:36:03.000000000Z"),
        ("Mon Jan 2 15:04:05 -0700 MST 2006", "Sun Nov 22 12:36:03 +0100 CET 2026", "2026-11-22T11:36:03.000000000Z"),
        ("2006-01-02", "2026-11-22", "2026-11-22T00:00:00.000000000Z"),
        ("2006 15:04", "2026 12:36", "2026-01-01T12:36:00.000000000Z"),
        ("2006-01-02 15:04:05 -07", "2026-11-22 12:36:03 -03", "2026-11-22T15:36:03.000000000Z"),
        ("2006-01-02  15:04", "2026-11-22    12:36", "2026-11-22T12:36:00.000000000Z"),
    ]

    @Test("parses with Go layouts", arguments: layouts)
    func goLayouts(layout: String, text: String, expected: String) throws {
        let nanos = try AxiomTimestampParser(format: layout).nanos(of: text)
        #expect(AxiomTime.rfc3339(nanos: nanos) == expected)
    }

    static let layoutFailures: [(layout: String, text: String, message: String)] = [
        ("2006-01-02", "2026-11-22x", "extra text after the time"),
        ("2006-01-02", "26-11-22", "cannot parse year"),
        ("2006-01-02", "2026-13-22", "month out of range"),
        ("2006-01-02", "2026-02-30", "day out of range"),
        ("2006-01-02 15:04", "2026-11-22 24:00", "hour out of range"),
        ("2006-01-02 15:04", "2026-11-22 12:60", "minute out of range"),
        ("2006-01-02T15:04:05Z07:00", "2026-11-22T12:36:03", "cannot parse time zone offset"),
        ("2006-01-02T15:04:05.000", "2026-11-22T12:36:03.12", "cannot parse fractional second"),
        ("Jan 2 2006", "Foo 2 2026", "cannot parse month"),
        ("3:04 PM", "1:05 XM", "cannot parse AM/PM"),
        ("01/02", "1/02", "cannot parse month"),
        ("2006-01-02 15:04", "2026-11-22T12:36", "expected a space"),
        ("15:04", "12:36", "time out of range"),  // Go's year 0 is outside the nanosecond range
    ]

    @Test("reports why a layout did not match", arguments: layoutFailures)
    func goLayoutFailures(layout: String, text: String, message: String) {
        do {
            _ = try GoTimeLayout(layout).parse(Array(text.utf8))
            Issue.record("parsed \(text) with \(layout)")
        } catch {
            #expect(error.message == message)
        }
    }

    static let epochs: [(value: FieldValue, expected: String)] = [
        (.int(1_700_000_000), "2023-11-14T22:13:20.000000000Z"),
        (.int(1_700_000_000_123), "2023-11-14T22:13:20.123000000Z"),
        (.int(1_700_000_000_123_456), "2023-11-14T22:13:20.123456000Z"),
        (.int(1_700_000_000_123_456_789), "2023-11-14T22:13:20.123456789Z"),
        (.float(1_700_000_000.5), "2023-11-14T22:13:20.500000000Z"),
        (.float(1_700_000_000_250.0), "2023-11-14T22:13:20.250000000Z"),
        (.int(0), "1970-01-01T00:00:00.000000000Z"),
        (.int(-86_400), "1969-12-31T00:00:00.000000000Z"),
        (.timestamp(5), "1970-01-01T00:00:00.000000005Z"),
    ]

    @Test("numbers are epoch seconds, ms, µs or ns by magnitude", arguments: epochs)
    func epoch(value: FieldValue, expected: String) throws {
        let nanos = try #require(try AxiomTimestampParser(format: nil).nanos(of: value))
        #expect(AxiomTime.rfc3339(nanos: nanos) == expected)
    }

    @Test("RFC 3339 rendering and civil arithmetic round-trip", arguments: [
        Int64.min / 2, -1, 0, 1, 951_782_400_000_000_000, 1_795_348_800_123_456_789, Int64.max,
    ])
    func rendering(nanos: Int64) throws {
        let text = AxiomTime.rfc3339(nanos: nanos)
        if nanos >= 0 {
            #expect(try AxiomTimestampParser(format: nil).nanos(of: text) == nanos)
        }
        #expect(text.hasSuffix("Z"))
    }

    @Test("rendering with fewer digits")
    func fewerDigits() {
        #expect(AxiomTime.rfc3339(nanos: 1_795_348_800_123_456_789, fractionDigits: 0) == "2026-11-22T12:00:00Z")
        #expect(AxiomTime.rfc3339(nanos: 1_795_348_800_123_456_789, fractionDigits: 3) == "2026-11-22T12:00:00.123Z")
    }
}
