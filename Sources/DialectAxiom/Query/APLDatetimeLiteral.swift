import BasinModel

/// Reads the text of APL `datetime(…)` literals: `2024-01-01`, `2024-01-01T10:00:00Z`,
/// `2024-01-01 10:00:00.123456789`, `2024-01-01T10:00+02:00`. A time without a zone is UTC, as
/// in Kusto.
enum APLDatetimeLiteral {
    /// Nanoseconds since the Unix epoch, or nil when `text` is not a datetime this reads.
    static func parse(_ text: String) -> Int64? {
        var reader = Reader(bytes: Array(text.utf8))
        guard let year = reader.digits(4), reader.skip("-"), let month = reader.digits(2), reader.skip("-"),
            let day = reader.digits(2), (1...12).contains(month), (1...CivilDate.daysIn(month: month, year: year)).contains(day)
        else { return nil }
        var seconds = CivilDate.days(year: year, month: month, day: day) * 86_400
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
