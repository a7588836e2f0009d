/// A Go reference-time layout (`Mon Jan 2 15:04:05 -0700 MST 2006`), compiled once and used to
/// parse times, as Axiom's `timestamp-format` parameter asks (spec §5.1, §5.3).
///
/// Follows Go's `time.Parse`: the chunks `January Jan Monday Mon MST 2006 06 01 1 02 2 _2 15 03
/// 3 04 4 05 5 PM pm -070000 -07:00:00 -0700 -07:00 -07 Z070000 Z07:00:00 Z0700 Z07:00 Z07`,
/// fixed fractions `.000…` (or `,000…`) and optional fractions `.999…`; everything else is a
/// literal, and a run of spaces matches a run of spaces. Omitted elements take Go's defaults
/// (year 0, January, day 1, midnight, UTC); a fractional second right after the seconds is
/// accepted even when the layout has none. A zone abbreviation (`MST`) is read with offset 0,
/// as Go does for zones it does not know.
struct GoTimeLayout: Sendable, Equatable {
    enum Element: Sendable, Equatable {
        case literal([UInt8])
        case longMonth, month, numMonth, zeroMonth
        case longWeekday, weekday
        case day, underDay, zeroDay
        case hour, hour12, zeroHour12
        case minute, zeroMinute
        case second, zeroSecond
        case longYear, year
        case pm(upper: Bool)
        /// `-0700` style; `z` accepts `Z` for UTC; `colons`/`seconds` describe the form.
        case numericZone(z: Bool, colon: Bool, hasMinutes: Bool, hasSeconds: Bool)
        case zoneName
        case fraction(digits: Int, optional: Bool)
    }

    let elements: [Element]

    /// Compiles a layout.
    init(_ layout: String) {
        elements = GoTimeLayout.compile(Array(layout.utf8))
    }

    // MARK: Compiling

    static func compile(_ layout: [UInt8]) -> [Element] {
        var elements: [Element] = []
        var literal: [UInt8] = []
        var i = 0
        func flush() {
            if !literal.isEmpty {
                elements.append(.literal(literal))
                literal = []
            }
        }
        while i < layout.count {
            if let (element, length) = chunk(layout, at: i) {
                flush()
                elements.append(element)
                i += length
            } else {
                literal.append(layout[i])
                i += 1
            }
        }
        flush()
        return elements
    }

    static func hasPrefix(_ bytes: [UInt8], at i: Int, _ text: String) -> Bool {
        let t = Array(text.utf8)
        guard i + t.count <= bytes.count else { return false }
        return bytes[i..<(i + t.count)].elementsEqual(t)
    }

    /// The standard chunk starting at `i`, with its length, as Go's `nextStdChunk` finds it.
    static func chunk(_ l: [UInt8], at i: Int) -> (Element, Int)? {
        func starts(_ text: String) -> Bool { hasPrefix(l, at: i, text) }
        switch l[i] {
        case UInt8(ascii: "J"):
            if starts("January") { return (.longMonth, 7) }
            if starts("Jan") { return (.month, 3) }
        case UInt8(ascii: "M"):
            if starts("Monday") { return (.longWeekday, 6) }
            if starts("Mon") { return (.weekday, 3) }
            if starts("MST") { return (.zoneName, 3) }
        case UInt8(ascii: "0"):
            if i + 1 < l.count, (UInt8(ascii: "1")...UInt8(ascii: "6")).contains(l[i + 1]) {
                let table: [Element] = [.zeroMonth, .zeroDay, .zeroHour12, .zeroMinute, .zeroSecond, .year]
                return (table[Int(l[i + 1] - UInt8(ascii: "1"))], 2)
            }
        case UInt8(ascii: "1"):
            if starts("15") { return (.hour, 2) }
            return (.numMonth, 1)
        case UInt8(ascii: "2"):
            if starts("2006") { return (.longYear, 4) }
            return (.day, 1)
        case UInt8(ascii: "_"):
            if starts("_2") {
                // `_2006` is a literal `_` followed by a year.
                if starts("_2006") { return nil }
                return (.underDay, 2)
            }
        case UInt8(ascii: "3"): return (.hour12, 1)
        case UInt8(ascii: "4"): return (.minute, 1)
        case UInt8(ascii: "5"): return (.second, 1)
        case UInt8(ascii: "P"):
            if starts("PM") { return (.pm(upper: true), 2) }
        case UInt8(ascii: "p"):
            if starts("pm") { return (.pm(upper: false), 2) }
        case UInt8(ascii: "-"), UInt8(ascii: "Z"):
            let z = l[i] == UInt8(ascii: "Z")
            let p = z ? "Z" : "-"
            if starts(p + "070000") { return (.numericZone(z: z, colon: false, hasMinutes: true, hasSeconds: true), 7) }
            if starts(p + "07:00:00") { return (.numericZone(z: z, colon: true, hasMinutes: true, hasSeconds: true), 9) }
            if starts(p + "0700") { return (.numericZone(z: z, colon: false, hasMinutes: true, hasSeconds: false), 5) }
            if starts(p + "07:00") { return (.numericZone(z: z, colon: true, hasMinutes: true, hasSeconds: false), 6) }
            if starts(p + "07") { return (.numericZone(z: z, colon: false, hasMinutes: false, hasSeconds: false), 3) }
        case UInt8(ascii: "."), UInt8(ascii: ","):
            if i + 1 < l.count, l[i + 1] == UInt8(ascii: "0") || l[i + 1] == UInt8(ascii: "9") {
                let digit = l[i + 1]
                var j = i + 1
                while j < l.count, l[j] == digit { j += 1 }
                if !(j < l.count && l[j] >= UInt8(ascii: "0") && l[j] <= UInt8(ascii: "9")) {
                    return (.fraction(digits: j - i - 1, optional: digit == UInt8(ascii: "9")), j - i)
                }
            }
        default:
            break
        }
        return nil
    }
}
