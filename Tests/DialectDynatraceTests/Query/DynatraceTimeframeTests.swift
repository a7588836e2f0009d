import Testing

@testable import DialectDynatrace

/// `from`, `to` and `resolution` (spec §4.1).
@Suite("Dynatrace query timeframe")
struct DynatraceTimeframeTests {
    static let now: Int64 = 1_700_000_123_456

    @Test("time parameters: epoch milliseconds, now, relative with alignment, ISO 8601", arguments: [
        ("1589456100000", Int64(1_589_456_100_000)),
        ("now", now),
        ("now-2h", now - 7_200_000),
        ("now-5m", now - 300_000),
        ("now+10m", now + 600_000),
        ("now/d", 1_699_920_000_000),
        ("now-1d/h", 1_699_912_800_000),
        ("2021-01-25T05:57:01.123+01:00", 1_611_550_621_123),
        ("2021-01-25T05:57:01Z", 1_611_554_221_000),
        ("2021-01-25 05:57:01", 1_611_554_221_000),
        ("2021-01-25T05:57", 1_611_554_220_000),
    ])
    func parsesTimes(_ text: String, _ expected: Int64) throws {
        #expect(try DynatraceTimeframe.parseTime(text, parameter: "from", nowMillis: Self.now) == expected)
    }

    @Test("bad time parameters name the parameter", arguments: ["yesterday", "now-", "now-5x", "now/x", "2021-13-45T00:00:00Z"])
    func rejectsTimes(_ text: String) {
        #expect(throws: DynatraceParameterError(parameter: "to", message: "Invalid timestamp '\(text)'")) {
            try DynatraceTimeframe.parseTime(text, parameter: "to", nowMillis: Self.now)
        }
    }

    @Test("resolution: points (default 120) pick a standard slot width, spans are taken as given, Inf is one slot", arguments: [
        (nil as String?, "now-2h", "1m", 121),
        ("Inf", "now-2h", "Inf", 1),
        ("5m", "now-2h", "5m", 25),
        ("1h", "now-1d", "1h", 25),
        ("10", "now-2h", "15m", 9),
        ("120", "now-1d", "15m", 97),
    ])
    func resolutions(_ resolution: String?, _ from: String, _ expected: String, _ slots: Int) throws {
        let timeframe = try DynatraceTimeframe(from: from, to: nil, resolution: resolution, nowMillis: Self.now)
        #expect(timeframe.resolution == expected)
        #expect(timeframe.slotEndsMillis.count == slots)
        #expect(timeframe.slotEndsMillis.last! >= Self.now)
        #expect(timeframe.readStartMillis <= timeframe.fromMillis)
    }

    @Test("bad resolutions and an empty timeframe are parameter errors", arguments: [
        ("30s", "now-2h", "now", "resolution"), ("0", "now-2h", "now", "resolution"), ("fast", "now-2h", "now", "resolution"),
        ("1m", "now-10y", "now", "resolution"), (nil, "now", "now-1h", "from"),
    ])
    func rejectsResolutions(_ resolution: String?, _ from: String, _ to: String, _ parameter: String) {
        do {
            _ = try DynatraceTimeframe(from: from, to: to, resolution: resolution, nowMillis: Self.now)
            Issue.record("no error")
        } catch {
            #expect(error.parameter == parameter)
        }
    }
}
