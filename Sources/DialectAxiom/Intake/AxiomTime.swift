/// Calendar arithmetic and RFC 3339 rendering for Axiom times (nanoseconds since the epoch, UTC).
///
/// Proleptic Gregorian calendar (Howard Hinnant's `days_from_civil`), no Foundation.
enum AxiomTime {
    static let nanosPerSecond: Int64 = 1_000_000_000

    /// Days since 1970-01-01 of a civil date (month 1–12).
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// The civil date of a day count since 1970-01-01.
    static func civilFromDays(_ days: Int) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    static func isLeap(_ year: Int) -> Bool {
        year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Nanoseconds since the epoch of a validated civil time with a zone offset; nil when out of the `Int64` range.
    static func nanos(
        year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int, nanosecond: Int, offsetSeconds: Int
    ) -> Int64? {
        let days = daysFromCivil(year: year, month: month, day: day)
        let seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offsetSeconds
        let (scaled, overflow) = Int64(seconds).multipliedReportingOverflow(by: nanosPerSecond)
        if overflow { return nil }
        let (total, overflow2) = scaled.addingReportingOverflow(Int64(nanosecond))
        return overflow2 ? nil : total
    }

    /// `2020-11-19T11:06:31.569475746Z`: RFC 3339, UTC, nine fraction digits (Axiom's `_time` rendering);
    /// `fractionDigits` 0 drops the fraction.
    static func rfc3339(nanos: Int64, fractionDigits: Int = 9) -> String {
        var seconds = nanos / nanosPerSecond
        var fraction = nanos % nanosPerSecond
        if fraction < 0 {
            fraction += nanosPerSecond
            seconds -= 1
        }
        var days = Int(seconds / 86_400)
        var secondOfDay = Int(seconds % 86_400)
        if secondOfDay < 0 {
            secondOfDay += 86_400
            days -= 1
        }
        let date = civilFromDays(days)
        var out: [UInt8] = []
        out.reserveCapacity(30)
        func digits(_ value: Int, _ width: Int) {
            var buffer = [UInt8](repeating: UInt8(ascii: "0"), count: width)
            var v = value
            var i = width - 1
            while i >= 0 {
                buffer[i] = UInt8(ascii: "0") + UInt8(v % 10)
                v /= 10
                i -= 1
            }
            out.append(contentsOf: buffer)
        }
        if date.year < 0 {
            out.append(UInt8(ascii: "-"))
            digits(-date.year, 4)
        } else {
            digits(date.year, 4)
        }
        out.append(UInt8(ascii: "-"))
        digits(date.month, 2)
        out.append(UInt8(ascii: "-"))
        digits(date.day, 2)
        out.append(UInt8(ascii: "T"))
        digits(secondOfDay / 3600, 2)
        out.append(UInt8(ascii: ":"))
        digits(secondOfDay / 60 % 60, 2)
        out.append(UInt8(ascii: ":"))
        digits(secondOfDay % 60, 2)
        if fractionDigits > 0 {
            out.append(UInt8(ascii: "."))
            var f = Int(fraction)
            for _ in 0..<(9 - min(9, fractionDigits)) { f /= 10 }
            digits(f, min(9, fractionDigits))
        }
        out.append(UInt8(ascii: "Z"))
        return String(decoding: out, as: UTF8.self)
    }
}
