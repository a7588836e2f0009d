import Testing

@testable import DialectBlueflood

/// `points=` → resolution (§8.4, B53), with `now` at the end of the window.
@Suite("Blueflood query granularity")
struct BluefloodQueryGranularityTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var windowMillis: Int64
        var points: Int
        var expected: BluefloodGranularity
        var testDescription: String { "\(windowMillis) ms / \(points) points → \(expected.name)" }
    }

    static let hour: Int64 = 3_600_000
    static let day: Int64 = 86_400_000

    /// Every worked result of BF-core `rollup/GranularityTest.java` the spec lists.
    static let cases: [Case] = [
        Case(windowMillis: hour, points: 300, expected: .full),
        Case(windowMillis: 8 * hour, points: 300, expected: .min5),
        Case(windowMillis: 12 * hour, points: 300, expected: .min5),
        Case(windowMillis: day, points: 300, expected: .min5),
        Case(windowMillis: 7 * day, points: 300, expected: .min20),
        Case(windowMillis: 30 * day, points: 300, expected: .min240),
        Case(windowMillis: day, points: 86_400, expected: .full),
        Case(windowMillis: day, points: 288, expected: .min5),
        Case(windowMillis: day, points: 72, expected: .min20),
        Case(windowMillis: day, points: 24, expected: .min60),
        Case(windowMillis: day, points: 6, expected: .min240),
        Case(windowMillis: day, points: 1, expected: .min1440),
        Case(windowMillis: 100_000_000, points: 1055, expected: .full),
        Case(windowMillis: 100_000_000, points: 1054, expected: .min5),
        Case(windowMillis: 100_000_000, points: 167, expected: .min5),
        Case(windowMillis: 100_000_000, points: 166, expected: .min20),
        Case(windowMillis: 100_000_000, points: 49, expected: .min20),
        Case(windowMillis: 100_000_000, points: 48, expected: .min60),
        Case(windowMillis: 100_000_000, points: 14, expected: .min60),
        Case(windowMillis: 100_000_000, points: 13, expected: .min240),
        Case(windowMillis: 100_000_000, points: 3, expected: .min240),
        Case(windowMillis: 100_000_000, points: 2, expected: .min1440),
    ]

    @Test("points select the resolution Blueflood selects", arguments: cases)
    func forPoints(c: Case) {
        let now: Int64 = 1_764_547_200_000
        #expect(BluefloodGranularity.forPoints(c.points, fromMillis: now - c.windowMillis, toMillis: now, nowMillis: now) == c.expected)
    }

    @Test("resolutions whose data has expired at from are skipped")
    func expiredResolutions() {
        let now: Int64 = 1_764_547_200_000
        // One hour, 300 points, but six days ago: FULL (5 days) has expired, MIN5 is next best.
        let from = now - 6 * Self.day
        #expect(BluefloodGranularity.forPoints(300, fromMillis: from, toMillis: from + Self.hour, nowMillis: now) == .min5)
        // Beyond every TTL: the coarsest.
        let ancient = now - 2000 * Self.day
        #expect(BluefloodGranularity.forPoints(300, fromMillis: ancient, toMillis: ancient + Self.hour, nowMillis: now) == .min1440)
    }

    @Test("sizes, names and TTLs")
    func table() {
        #expect(BluefloodGranularity.allCases.map(\.name) == ["FULL", "MIN5", "MIN20", "MIN60", "MIN240", "MIN1440"])
        #expect(BluefloodGranularity.allCases.map(\.millis) == [1, 300_000, 1_200_000, 3_600_000, 14_400_000, 86_400_000])
        #expect(BluefloodGranularity.allCases.map { $0.defaultTTLMillis / Self.day } == [5, 10, 20, 155, 300, 1825])
    }
}
