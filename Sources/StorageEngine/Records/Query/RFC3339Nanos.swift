import BasinModel

/// RFC 3339 text for nanosecond timestamps, UTC, without Foundation.
///
/// Formatting follows Go's `time.RFC3339Nano` (Axiom renders times that way): the fraction
/// keeps up to nine digits with trailing zeros trimmed and is left out when zero.
enum RFC3339Nanos {
    private static let nanosPerSecond: Int64 = 1_000_000_000

    /// `2024-05-06T07:08:09.123Z` for the nanoseconds since the epoch.
    static func format(_ nanos: Int64) -> String {
        var seconds = nanos / nanosPerSecond
        var fraction = nanos % nanosPerSecond
        if fraction < 0 {
            fraction += nanosPerSecond
            seconds -= 1
        }
        var days = seconds / 86_400
        var secondOfDay = seconds % 86_400
        if secondOfDay < 0 {
            secondOfDay += 86_400
            days -= 1
        }
        let (year, month, day) = CivilDate.date(days: days)
        var out = ""
        out.reserveCapacity(30)
        append(year, width: 4, to: &out)
        out += "-"
        append(month, width: 2, to: &out)
        out += "-"
        append(day, width: 2, to: &out)
        out += "T"
        append(secondOfDay / 3600, width: 2, to: &out)
        out += ":"
        append(secondOfDay / 60 % 60, width: 2, to: &out)
        out += ":"
        append(secondOfDay % 60, width: 2, to: &out)
        if fraction != 0 {
            var digits = 9
            while fraction % 10 == 0 {
                fraction /= 10
                digits -= 1
            }
            out += "."
            append(fraction, width: digits, to: &out)
        }
        out += "Z"
        return out
    }

    /// Parses `YYYY-MM-DD[(T| )hh:mm[:ss[.fraction]]][Z|±hh:mm]` (no zone means UTC).
    /// Returns nil for anything else.
    static func parse(_ text: String) -> Int64? {
        var reader = DigitReader(bytes: Array(text.utf8))
        guard let year = reader.number(digits: 4), reader.skip(UInt8(ascii: "-")),
              let month = reader.number(digits: 2), reader.skip(UInt8(ascii: "-")),
              let day = reader.number(digits: 2),
              (1...12).contains(month), (1...31).contains(day)
        else { return nil }
        var secondOfDay: Int64 = 0
        var fraction: Int64 = 0
        var offsetSeconds: Int64 = 0
        if reader.skip(UInt8(ascii: "T")) || reader.skip(UInt8(ascii: "t")) || reader.skip(UInt8(ascii: " ")) {
            guard let hour = reader.number(digits: 2), reader.skip(UInt8(ascii: ":")),
                  let minute = reader.number(digits: 2), hour < 24, minute < 60
            else { return nil }
            var second: Int64 = 0
            if reader.skip(UInt8(ascii: ":")) {
                guard let s = reader.number(digits: 2), s < 61 else { return nil }
                second = s
                if reader.skip(UInt8(ascii: ".")) || reader.skip(UInt8(ascii: ",")) {
                    guard let f = reader.fraction() else { return nil }
                    fraction = f
                }
            }
            secondOfDay = hour * 3600 + minute * 60 + second
            guard let offset = reader.zone() else { return nil }
            offsetSeconds = offset
        }
        guard reader.atEnd else { return nil }
        let seconds = CivilDate.days(year: year, month: month, day: day) * 86_400 + secondOfDay - offsetSeconds
        let (scaled, overflow) = seconds.multipliedReportingOverflow(by: nanosPerSecond)
        guard !overflow else { return nil }
        let (total, overflow2) = scaled.addingReportingOverflow(fraction)
        return overflow2 ? nil : total
    }

    private static func append(_ value: Int64, width: Int, to out: inout String) {
        let text = String(value)
        if text.utf8.count < width { out += String(repeating: "0", count: width - text.utf8.count) }
        out += text
    }
}

/// A cursor over the ASCII bytes of a timestamp.
private struct DigitReader {
    let bytes: [UInt8]
    var index = 0

    var atEnd: Bool { index == bytes.count }

    mutating func skip(_ byte: UInt8) -> Bool {
        guard index < bytes.count, bytes[index] == byte else { return false }
        index += 1
        return true
    }

    mutating func number(digits: Int) -> Int64? {
        guard index + digits <= bytes.count else { return nil }
        var value: Int64 = 0
        for _ in 0..<digits {
            let d = bytes[index] &- UInt8(ascii: "0")
            guard d < 10 else { return nil }
            value = value * 10 + Int64(d)
            index += 1
        }
        return value
    }

    /// Up to nine fraction digits as nanoseconds; further digits are read and dropped.
    mutating func fraction() -> Int64? {
        var value: Int64 = 0
        var count = 0
        while index < bytes.count, bytes[index] &- UInt8(ascii: "0") < 10 {
            if count < 9 {
                value = value * 10 + Int64(bytes[index] - UInt8(ascii: "0"))
            }
            count += 1
            index += 1
        }
        guard count > 0 else { return nil }
        for _ in min(count, 9)..<9 { value *= 10 }
        return value
    }

    /// The zone offset east of UTC in seconds; 0 for `Z` or no zone.
    mutating func zone() -> Int64? {
        if atEnd || skip(UInt8(ascii: "Z")) || skip(UInt8(ascii: "z")) { return 0 }
        let sign: Int64
        if skip(UInt8(ascii: "+")) { sign = 1 } else if skip(UInt8(ascii: "-")) { sign = -1 } else { return nil }
        guard let hours = number(digits: 2) else { return nil }
        _ = skip(UInt8(ascii: ":"))
        guard let minutes = number(digits: 2) else { return nil }
        return sign * (hours * 3600 + minutes * 60)
    }
}
