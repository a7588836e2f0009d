/// Reads the text of APL `datetime(…)` literals: `2024-01-01`, `2024-01-01T10:00:00Z`,
/// `2024-01-01 10:00:00.123456789`, `2024-01-01T10:00+02:00`. A time without a zone is UTC, as
/// in Kusto.
enum APLDatetimeLiteral {
    /// Nanoseconds since the Unix epoch, or nil when `text` is not a datetime this reads.
    static func parse(_ text: String) -> Int64? {
        var reader = Reader(bytes: Array(text.utf8))
        guard let year = reader.digits(4), reader.skip("-"), let month = reader.digits(2), reader.skip("-"),
            let day = reader.digits(2), (1...12).contains(month), (1...daysIn(month: month, year: year)).contains(day)
        else { return nil }
        var seconds = daysFromCivil(year: year, month: month, day: day) * 86_400
        var nanos: Int64 = 0
        if reader.skip("T") || reader.skip("t") || reader.skip(" ") {
            guard let hour = reader.digits(2), hour < 24, reader.skip(":"), let minute = reader.digits(2), minute < 60
            else { return nil }
            var second: Int64 = 0
            if reader.skip(":") {
                guard let s = reader.digits(2), s < 61 else { return nil }
                second = s
                if reader.skip(".") {
                    guard let fraction = reader.fraction() else { return nil }
                    nanos = fraction
                }
            }
            seconds += hour * 3_600 + minute * 60 + second
            guard let offset = reader.zoneOffsetSeconds() else { return nil }
            seconds -= offset
        }
        guard reader.atEnd else { return nil }
        let (scaled, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        return overflow ? nil : scaled + nanos
    }

    static func daysIn(month: Int64, year: Int64) -> Int64 {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's `days_from_civil`).
    static func daysFromCivil(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    struct Reader {
        let bytes: [UInt8]
        var index = 0

        var atEnd: Bool { index == bytes.count }

        mutating func skip(_ character: Character) -> Bool {
            guard index < bytes.count, let ascii = character.asciiValue, bytes[index] == ascii else { return false }
            index += 1
            return true
        }

        mutating func digits(_ count: Int) -> Int64? {
            guard index + count <= bytes.count else { return nil }
            var value: Int64 = 0
            for b in bytes[index..<index + count] {
                guard b >= UInt8(ascii: "0"), b <= UInt8(ascii: "9") else { return nil }
                value = value * 10 + Int64(b - UInt8(ascii: "0"))
            }
            index += count
            return value
        }

        /// Up to nine fraction digits as nanoseconds; further digits are dropped.
        mutating func fraction() -> Int64? {
            var value: Int64 = 0
            var count = 0
            while index < bytes.count, bytes[index] >= UInt8(ascii: "0"), bytes[index] <= UInt8(ascii: "9") {
                if count < 9 { value = value * 10 + Int64(bytes[index] - UInt8(ascii: "0")) }
                count += 1
                index += 1
            }
            guard count > 0 else { return nil }
            for _ in count..<max(count, 9) { value *= 10 }
            return value
        }

        /// `Z`, `±HH:MM`, `±HHMM`, `±HH` or nothing (UTC), as seconds east of UTC.
        mutating func zoneOffsetSeconds() -> Int64? {
            if atEnd || skip("Z") || skip("z") { return 0 }
            let sign: Int64
            if skip("+") { sign = 1 } else if skip("-") { sign = -1 } else { return nil }
            guard let hours = digits(2), hours < 24 else { return nil }
            var minutes: Int64 = 0
            if !atEnd {
                _ = skip(":")
                guard let m = digits(2), m < 60 else { return nil }
                minutes = m
            }
            return sign * (hours * 3_600 + minutes * 60)
        }
    }
}
