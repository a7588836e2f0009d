extension GoTimeLayout {
    /// What parsing collects before the time is assembled.
    struct Fields {
        var year = 0
        var month = 1
        var day = 1
        var hour = 0
        var minute = 0
        var second = 0
        var nanosecond = 0
        var pm: Bool?
        var offsetSeconds = 0
    }

    static let longMonthNames = ["January", "February", "March", "April", "May", "June", "July",
                                 "August", "September", "October", "November", "December"]
    static let longWeekdayNames = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]

    /// Parses `text` with this layout.
    ///
    /// - Returns: nanoseconds since the epoch, UTC.
    /// - Throws: ``GoTimeLayoutError`` naming what did not match.
    func parse(_ text: some Collection<UInt8>) throws(GoTimeLayoutError) -> Int64 {
        let value = Array(text)
        var i = 0
        var f = Fields()
        for (index, element) in elements.enumerated() {
            try read(element, value, &i, &f, next: index + 1 < elements.count ? elements[index + 1] : nil)
        }
        if i < value.count { throw GoTimeLayoutError("extra text after the time") }
        if let pm = f.pm {
            if f.hour > 12 { throw GoTimeLayoutError("hour out of range") }
            if pm, f.hour < 12 { f.hour += 12 } else if !pm, f.hour == 12 { f.hour = 0 }
        }
        guard (1...12).contains(f.month) else { throw GoTimeLayoutError("month out of range") }
        guard f.day >= 1, f.day <= AxiomTime.daysIn(month: f.month, year: f.year) else {
            throw GoTimeLayoutError("day out of range")
        }
        guard let nanos = AxiomTime.nanos(
            year: f.year, month: f.month, day: f.day, hour: f.hour, minute: f.minute, second: f.second,
            nanosecond: f.nanosecond, offsetSeconds: f.offsetSeconds) else {
            throw GoTimeLayoutError("time out of range")
        }
        return nanos
    }

    private func read(_ element: Element, _ v: [UInt8], _ i: inout Int, _ f: inout Fields, next: Element?) throws(GoTimeLayoutError) {
        switch element {
        case .literal(let literal):
            try Self.skipLiteral(literal, v, &i)
        case .longMonth:
            f.month = try Self.lookup(Self.longMonthNames, v, &i, what: "month") + 1
        case .month:
            f.month = try Self.lookup(Self.longMonthNames.map { String($0.prefix(3)) }, v, &i, what: "month") + 1
        case .longWeekday:
            _ = try Self.lookup(Self.longWeekdayNames, v, &i, what: "weekday")
        case .weekday:
            _ = try Self.lookup(Self.longWeekdayNames.map { String($0.prefix(3)) }, v, &i, what: "weekday")
        case .numMonth, .zeroMonth:
            f.month = try Self.number(v, &i, fixed: element == .zeroMonth, what: "month")
        case .day, .underDay, .zeroDay:
            if element == .underDay, i < v.count, v[i] == UInt8(ascii: " ") { i += 1 }
            f.day = try Self.number(v, &i, fixed: element == .zeroDay, what: "day")
        case .hour:
            f.hour = try Self.number(v, &i, fixed: false, what: "hour")
            if f.hour > 23 { throw GoTimeLayoutError("hour out of range") }
        case .hour12, .zeroHour12:
            f.hour = try Self.number(v, &i, fixed: element == .zeroHour12, what: "hour")
            if f.hour > 12 { throw GoTimeLayoutError("hour out of range") }
        case .minute, .zeroMinute:
            f.minute = try Self.number(v, &i, fixed: element == .zeroMinute, what: "minute")
            if f.minute > 59 { throw GoTimeLayoutError("minute out of range") }
        case .second, .zeroSecond:
            f.second = try Self.number(v, &i, fixed: element == .zeroSecond, what: "second")
            if f.second > 59 { throw GoTimeLayoutError("second out of range") }
            // Go accepts a fraction after the seconds even when the layout has none.
            if case .fraction = next {} else if i + 1 < v.count, v[i] == UInt8(ascii: ".") || v[i] == UInt8(ascii: ","),
                                                 Self.isDigit(v[i + 1]) {
                i += 1
                f.nanosecond = try Self.fraction(v, &i, exactly: nil)
            }
        case .longYear:
            guard i + 4 <= v.count, v[i..<(i + 4)].allSatisfy(Self.isDigit) else { throw GoTimeLayoutError("cannot parse year") }
            f.year = try Self.number(v, &i, fixed: true, width: 4, what: "year")
        case .year:
            guard i + 2 <= v.count else { throw GoTimeLayoutError("cannot parse year") }
            let y = try Self.number(v, &i, fixed: true, what: "year")
            f.year = y >= 69 ? 1900 + y : 2000 + y
        case .pm(let upper):
            f.pm = try Self.meridiem(v, &i, upper: upper)
        case .numericZone(let z, let colon, let hasMinutes, let hasSeconds):
            if z, i < v.count, v[i] == UInt8(ascii: "Z") {
                i += 1
                f.offsetSeconds = 0
                return
            }
            f.offsetSeconds = try Self.zoneOffset(v, &i, colon: colon, hasMinutes: hasMinutes, hasSeconds: hasSeconds)
        case .zoneName:
            if let offset = try Self.zoneName(v, &i) { f.offsetSeconds = offset }
        case .fraction(let digits, let optional):
            if let nanosecond = try Self.layoutFraction(v, &i, digits: digits, optional: optional) { f.nanosecond = nanosecond }
        }
    }

    /// `PM`/`AM` (or `pm`/`am`): true for PM.
    static func meridiem(_ v: [UInt8], _ i: inout Int, upper: Bool) throws(GoTimeLayoutError) -> Bool {
        guard i + 2 <= v.count else { throw GoTimeLayoutError("cannot parse AM/PM") }
        let text = String(decoding: v[i..<(i + 2)], as: UTF8.self)
        i += 2
        switch (upper, text) {
        case (true, "PM"), (false, "pm"): return true
        case (true, "AM"), (false, "am"): return false
        default: throw GoTimeLayoutError("cannot parse AM/PM")
        }
    }

    /// A zone abbreviation (`UTC`, `MST`, `CEST`, `GMT+1`); the offset only for `GMT±h`, else
    /// nil (offset 0, as Go for zones it does not know).
    static func zoneName(_ v: [UInt8], _ i: inout Int) throws(GoTimeLayoutError) -> Int? {
        let start = i
        while i < v.count, v[i] >= UInt8(ascii: "A"), v[i] <= UInt8(ascii: "Z") { i += 1 }
        guard i - start >= 3 else { throw GoTimeLayoutError("cannot parse time zone") }
        guard String(decoding: v[start..<i], as: UTF8.self) == "GMT", i < v.count,
              v[i] == UInt8(ascii: "+") || v[i] == UInt8(ascii: "-") else { return nil }
        let negative = v[i] == UInt8(ascii: "-")
        i += 1
        let hours = try number(v, &i, fixed: false, what: "time zone")
        return (negative ? -1 : 1) * hours * 3600
    }

    /// A layout fraction: `.000` needs exactly that many digits, `.999` any number or none (nil).
    static func layoutFraction(_ v: [UInt8], _ i: inout Int, digits: Int, optional: Bool) throws(GoTimeLayoutError) -> Int? {
        let hasSeparator = i < v.count && (v[i] == UInt8(ascii: ".") || v[i] == UInt8(ascii: ","))
        if optional {
            guard hasSeparator, i + 1 < v.count, isDigit(v[i + 1]) else { return nil }
            i += 1
            return try fraction(v, &i, exactly: nil)
        }
        guard hasSeparator else { throw GoTimeLayoutError("cannot parse fractional second") }
        i += 1
        return try fraction(v, &i, exactly: digits)
    }

    static func isDigit(_ b: UInt8) -> Bool { b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") }

    /// Go's `getnum`: one or two digits, exactly two when `fixed` (or `width` digits).
    static func number(_ v: [UInt8], _ i: inout Int, fixed: Bool, width: Int = 2, what: String) throws(GoTimeLayoutError) -> Int {
        guard i < v.count, isDigit(v[i]) else { throw GoTimeLayoutError("cannot parse \(what)") }
        var n = 0
        var count = 0
        while count < width, i < v.count, isDigit(v[i]) {
            n = n * 10 + Int(v[i] - UInt8(ascii: "0"))
            i += 1
            count += 1
        }
        if fixed, count < width { throw GoTimeLayoutError("cannot parse \(what)") }
        return n
    }

    /// Reads fraction digits (after the separator) as nanoseconds; `exactly` digits when given, else all digits.
    static func fraction(_ v: [UInt8], _ i: inout Int, exactly: Int?) throws(GoTimeLayoutError) -> Int {
        var n = 0
        var count = 0
        while i < v.count, isDigit(v[i]), exactly.map({ count < $0 }) ?? true {
            if count < 9 { n = n * 10 + Int(v[i] - UInt8(ascii: "0")) }
            count += 1
            i += 1
        }
        if let exactly, count != exactly { throw GoTimeLayoutError("cannot parse fractional second") }
        if count == 0 { throw GoTimeLayoutError("cannot parse fractional second") }
        for _ in min(count, 9)..<9 { n *= 10 }
        return n
    }

    static func zoneOffset(_ v: [UInt8], _ i: inout Int, colon: Bool, hasMinutes: Bool, hasSeconds: Bool) throws(GoTimeLayoutError) -> Int {
        guard i < v.count, v[i] == UInt8(ascii: "+") || v[i] == UInt8(ascii: "-") else {
            throw GoTimeLayoutError("cannot parse time zone offset")
        }
        let negative = v[i] == UInt8(ascii: "-")
        i += 1
        let hours = try number(v, &i, fixed: true, what: "time zone offset")
        var minutes = 0
        var seconds = 0
        if hasMinutes {
            if colon {
                guard i < v.count, v[i] == UInt8(ascii: ":") else { throw GoTimeLayoutError("cannot parse time zone offset") }
                i += 1
            }
            minutes = try number(v, &i, fixed: true, what: "time zone offset")
        }
        if hasSeconds {
            if colon {
                guard i < v.count, v[i] == UInt8(ascii: ":") else { throw GoTimeLayoutError("cannot parse time zone offset") }
                i += 1
            }
            seconds = try number(v, &i, fixed: true, what: "time zone offset")
        }
        guard hours <= 24, minutes < 60, seconds < 60 else { throw GoTimeLayoutError("time zone offset out of range") }
        return (negative ? -1 : 1) * (hours * 3600 + minutes * 60 + seconds)
    }

    /// Matches a name case-insensitively; returns its index.
    static func lookup(_ names: [String], _ v: [UInt8], _ i: inout Int, what: String) throws(GoTimeLayoutError) -> Int {
        for (index, name) in names.enumerated() {
            let n = Array(name.utf8)
            guard i + n.count <= v.count else { continue }
            var equal = true
            for k in 0..<n.count where v[i + k] | 0x20 != n[k] | 0x20 {
                equal = false
                break
            }
            if equal {
                i += n.count
                return index
            }
        }
        throw GoTimeLayoutError("cannot parse \(what)")
    }

    /// Go's `skip`: literal bytes must match; a run of spaces matches a run of one or more spaces.
    static func skipLiteral(_ literal: [UInt8], _ v: [UInt8], _ i: inout Int) throws(GoTimeLayoutError) {
        var k = 0
        while k < literal.count {
            if literal[k] == UInt8(ascii: " ") {
                guard i < v.count, v[i] == UInt8(ascii: " ") else { throw GoTimeLayoutError("expected a space") }
                while k < literal.count, literal[k] == UInt8(ascii: " ") { k += 1 }
                while i < v.count, v[i] == UInt8(ascii: " ") { i += 1 }
                continue
            }
            guard i < v.count, v[i] == literal[k] else {
                throw GoTimeLayoutError("expected \"\(String(decoding: literal, as: UTF8.self))\"")
            }
            i += 1
            k += 1
        }
    }
}

/// Why a time did not match a Go layout.
struct GoTimeLayoutError: Error, Equatable {
    let message: String
    init(_ message: String) { self.message = message }
}
