import BasinModel

/// Calendar arithmetic and RFC 3339 rendering for Axiom times (nanoseconds since the epoch, UTC).
///
/// Calendar arithmetic is ``CivilDate``'s; no Foundation.
enum AxiomTime {
    static let nanosPerSecond: Int64 = 1_000_000_000

    /// Days in a month (1–12) of a year (``CivilDate/daysIn(month:year:)`` for `Int`s).
    static func daysIn(month: Int, year: Int) -> Int {
        Int(CivilDate.daysIn(month: Int64(month), year: Int64(year)))
    }

    /// Nanoseconds since the epoch of a validated civil time with a zone offset; nil when out of the `Int64` range.
    static func nanos(
        year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int, nanosecond: Int, offsetSeconds: Int
    ) -> Int64? {
        let days = Int(CivilDate.days(year: Int64(year), month: Int64(month), day: Int64(day)))
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
        let civil = CivilDate.date(days: Int64(days))
        let date = (year: Int(civil.year), month: Int(civil.month), day: Int(civil.day))
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
