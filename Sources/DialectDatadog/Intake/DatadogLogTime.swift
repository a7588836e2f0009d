import BasinModel

/// Reads a log's `timestamp` attribute as Datadog does: epoch milliseconds (a number, or a
/// string of digits), or an RFC 3339 / ISO 8601 date-time string. Numbers below 10^11 are
/// taken as seconds (10^11 ms is 1973; 10^11 s is the year 5138), a common sender mistake.
enum DatadogLogTime {
    /// Nanoseconds since the epoch, or nil when `value` is no recognisable time.
    static func nanos(_ value: FieldValue) -> Int64? {
        switch value {
        case .int(let number): return fromEpoch(integer: number)
        case .float(let number): return fromEpoch(number)
        case .string(let text):
            if let integer = Int64(text) { return fromEpoch(integer: integer) }
            if let number = Double(text), text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 || $0 == 0x2E }) { return fromEpoch(number) }
            return rfc3339(Array(text.utf8))
        default: return nil
        }
    }

    /// Exact for integers: no round trip through `Double`.
    static func fromEpoch(integer: Int64) -> Int64? {
        guard integer > 0 else { return nil }
        let (nanos, overflow) = integer.multipliedReportingOverflow(by: integer < 100_000_000_000 ? 1_000_000_000 : 1_000_000)
        return overflow ? nil : nanos
    }

    static func fromEpoch(_ number: Double) -> Int64? {
        guard number.isFinite, number > 0 else { return nil }
        let millis = number < 1e11 ? number * 1000 : number
        guard millis < 9e12 * 1000 else { return nil }
        return Int64(millis * 1_000_000)
    }

    /// `YYYY-MM-DD[T ]hh:mm:ss[.fraction][Z|±hh:mm|±hhmm]`; no zone means UTC.
    static func rfc3339(_ b: [UInt8]) -> Int64? {
        func digits(_ at: Int, _ count: Int) -> Int? {
            guard at + count <= b.count else { return nil }
            var value = 0
            for i in at..<at + count {
                guard b[i] >= 0x30, b[i] <= 0x39 else { return nil }
                value = value * 10 + Int(b[i] - 0x30)
            }
            return value
        }
        guard b.count >= 19, let year = digits(0, 4), b[4] == 0x2D, let month = digits(5, 2), b[7] == 0x2D,
              let day = digits(8, 2), b[10] == 0x54 || b[10] == 0x74 || b[10] == 0x20,
              let hour = digits(11, 2), b[13] == 0x3A, let minute = digits(14, 2), b[16] == 0x3A, let second = digits(17, 2),
              (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61
        else { return nil }
        var i = 19
        var fractionNanos: Int64 = 0
        if i < b.count, b[i] == 0x2E || b[i] == 0x2C {
            i += 1
            var scale: Int64 = 100_000_000
            let start = i
            while i < b.count, b[i] >= 0x30, b[i] <= 0x39 {
                fractionNanos += Int64(b[i] - 0x30) * scale
                scale /= 10
                i += 1
            }
            if i == start { return nil }
        }
        var offsetSeconds = 0
        if i < b.count {
            if b[i] == 0x5A || b[i] == 0x7A {
                i += 1
            } else if b[i] == 0x2B || b[i] == 0x2D {
                let sign = b[i] == 0x2D ? -1 : 1
                guard let oh = digits(i + 1, 2) else { return nil }
                var j = i + 3
                if j < b.count, b[j] == 0x3A { j += 1 }
                guard let om = digits(j, 2) else { return nil }
                offsetSeconds = sign * (oh * 3600 + om * 60)
                i = j + 2
            }
        }
        guard i == b.count else { return nil }
        let days = daysFromCivil(year: year, month: month, day: day)
        let seconds = Int64(days) * 86_400 + Int64(hour * 3600 + minute * 60 + second - offsetSeconds)
        return seconds * 1_000_000_000 + fractionNanos
    }

    /// Days since 1970-01-01 (Howard Hinnant's algorithm).
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }
}
