import BasinModel
import Testing

@Suite struct CivilDateTests {
    @Test("known dates", arguments: [
        (1970, 1, 1, 0), (2000, 3, 1, 11_017), (1969, 12, 31, -1), (2024, 2, 29, 19_782), (1600, 1, 1, -135_140),
    ] as [(Int64, Int64, Int64, Int64)])
    func knownDates(year: Int64, month: Int64, day: Int64, days: Int64) {
        #expect(CivilDate.days(year: year, month: month, day: day) == days)
        #expect(CivilDate.date(days: days) == (year, month, day))
    }

    @Test("every day of four centuries round-trips and days in a month agree with the calendar")
    func roundTrip() {
        var previous: (year: Int64, month: Int64, day: Int64)?
        for days in Int64(-146_097)...Int64(146_097) {
            let d = CivilDate.date(days: days)
            #expect(CivilDate.days(year: d.year, month: d.month, day: d.day) == days)
            if let p = previous, p.month != d.month {
                #expect(p.day == CivilDate.daysIn(month: p.month, year: p.year))
            }
            previous = d
        }
    }
}
