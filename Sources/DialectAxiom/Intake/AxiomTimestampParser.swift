import BasinModel
import BasinWire

/// Reads an event's time the way Axiom does (spec §5.3): RFC 3339 (with or without a
/// fraction), ISO 8601 variants and a few common textual forms when no layout is given, a Go
/// layout when `timestamp-format` is, and numbers as Unix epoch seconds, milliseconds,
/// microseconds or nanoseconds by magnitude.
struct AxiomTimestampParser: Sendable {
    /// The compiled `timestamp-format`, or nil for heuristic parsing.
    let layout: GoTimeLayout?

    init(format: String?) {
        layout = format.flatMap { $0.isEmpty ? nil : GoTimeLayout($0) }
    }

    /// Layouts tried after RFC 3339 / ISO 8601 when no format is given (Go's named layouts and
    /// the common log format).
    static let fallbackLayouts: [GoTimeLayout] = [
        "Mon, 02 Jan 2006 15:04:05 -0700",  // RFC1123Z
        "Mon, 02 Jan 2006 15:04:05 MST",  // RFC1123
        "Monday, 02-Jan-06 15:04:05 MST",  // RFC850
        "Mon Jan _2 15:04:05 2006",  // ANSIC
        "Mon Jan _2 15:04:05 MST 2006",  // UnixDate
        "Mon Jan 02 15:04:05 -0700 2006",  // RubyDate
        "02 Jan 06 15:04 MST",  // RFC822
        "02 Jan 06 15:04 -0700",  // RFC822Z
        "02/Jan/2006:15:04:05 -0700",  // common log format
        "2006-01-02 15:04:05.999999999 -0700 MST",  // Go's Time.String
        "2006-01-02 15:04:05.999999999 -0700",
        "2006-01-02 15:04:05.999999999 MST",
        "20060102T150405Z0700",  // ISO 8601 basic
    ].map { GoTimeLayout($0) }

    /// The time a timestamp-field value names.
    ///
    /// - Returns: nanoseconds since the epoch, or nil for `null` (the event gets the receive time).
    /// - Throws: a message for a value that is not a time.
    func nanos(of value: FieldValue) throws(AxiomTimeError) -> Int64? {
        switch value {
        case .null: return nil
        case .timestamp(let nanos): return nanos
        case .int(let n): return try Self.epochNanos(n)
        case .float(let x): return try Self.epochNanos(x)
        case .string(let text): return try nanos(of: text)
        case .bool, .array, .object: throw AxiomTimeError("timestamp must be a string or a number, found \(value.type.rawValue)")
        }
    }

    /// Parses a textual time.
    func nanos(of text: String) throws(AxiomTimeError) -> Int64 {
        let bytes = Array(text.utf8)
        if let layout {
            do throws(GoTimeLayoutError) {
                return try layout.parse(bytes)
            } catch {
                throw AxiomTimeError("cannot parse timestamp \"\(text)\" with layout: \(error.message)")
            }
        }
        if let nanos = bytes.withUnsafeBufferPointer({ Self.iso8601($0) }) { return nanos }
        for layout in Self.fallbackLayouts {
            if let nanos = try? layout.parse(bytes) { return nanos }
        }
        if let number = DecimalParser.double(from: bytes) {
            if let integer = Int64(text) { return try Self.epochNanos(integer) }
            return try Self.epochNanos(number)
        }
        throw AxiomTimeError("cannot parse timestamp \"\(text)\"")
    }

    // MARK: Epoch numbers

    /// The unit of an epoch number by magnitude: |v| < 1e11 seconds, < 1e14 milliseconds,
    /// < 1e17 microseconds, else nanoseconds.
    static func epochScale(_ magnitude: Double) -> Int64 {
        if magnitude < 1e11 { return 1_000_000_000 }
        if magnitude < 1e14 { return 1_000_000 }
        if magnitude < 1e17 { return 1000 }
        return 1
    }

    static func epochNanos(_ value: Int64) throws(AxiomTimeError) -> Int64 {
        let scale = epochScale(value == .min ? .infinity : Double(abs(value)))
        let (nanos, overflow) = value.multipliedReportingOverflow(by: scale)
        if overflow { throw AxiomTimeError("timestamp \(value) is out of range") }
        return nanos
    }

    /// Whole units and the fraction are scaled apart, so `1700000000250.0` ms is exact.
    static func epochNanos(_ value: Double) throws(AxiomTimeError) -> Int64 {
        guard value.isFinite else { throw AxiomTimeError("timestamp is not a finite number") }
        let scale = epochScale(abs(value))
        let whole = value.rounded(.towardZero)
        guard abs(whole) < 9.2e18 else { throw AxiomTimeError("timestamp \(value) is out of range") }
        let fraction = ((value - whole) * Double(scale)).rounded()
        let (scaled, overflow) = Int64(whole).multipliedReportingOverflow(by: scale)
        let (nanos, overflow2) = scaled.addingReportingOverflow(Int64(fraction))
        if overflow || overflow2 { throw AxiomTimeError("timestamp \(value) is out of range") }
        return nanos
    }

    // MARK: RFC 3339 / ISO 8601

    /// `YYYY-MM-DD`, optionally followed by `T`, `t` or a space and `HH:MM[:SS[.fraction]]`,
    /// optionally followed by `Z`, `z`, `±HH:MM`, `±HHMM` or `±HH` (no zone means UTC).
    static func iso8601(_ v: UnsafeBufferPointer<UInt8>) -> Int64? {
        var i = 0
        func digits(_ count: Int) -> Int? {
            guard i + count <= v.count else { return nil }
            var n = 0
            for k in 0..<count {
                let b = v[i + k]
                guard b >= 0x30, b <= 0x39 else { return nil }
                n = n * 10 + Int(b - 0x30)
            }
            i += count
            return n
        }
        func expect(_ byte: UInt8) -> Bool {
            guard i < v.count, v[i] == byte else { return false }
            i += 1
            return true
        }
        guard let year = digits(4), expect(UInt8(ascii: "-")), let month = digits(2), expect(UInt8(ascii: "-")),
              let day = digits(2) else { return nil }
        guard (1...12).contains(month), day >= 1, day <= AxiomTime.daysIn(month: month, year: year) else { return nil }
        var hour = 0, minute = 0, second = 0, nanosecond = 0, offset = 0
        if i < v.count {
            guard v[i] == UInt8(ascii: "T") || v[i] == UInt8(ascii: "t") || v[i] == UInt8(ascii: " ") else { return nil }
            i += 1
            guard let h = digits(2), expect(UInt8(ascii: ":")), let m = digits(2) else { return nil }
            hour = h
            minute = m
            if expect(UInt8(ascii: ":")) {
                guard let s = digits(2) else { return nil }
                second = s
                if i < v.count, v[i] == UInt8(ascii: ".") || v[i] == UInt8(ascii: ",") {
                    i += 1
                    var count = 0
                    while i < v.count, v[i] >= 0x30, v[i] <= 0x39 {
                        if count < 9 { nanosecond = nanosecond * 10 + Int(v[i] - 0x30) }
                        count += 1
                        i += 1
                    }
                    guard count > 0 else { return nil }
                    for _ in min(count, 9)..<9 { nanosecond *= 10 }
                }
            }
            guard hour < 24, minute < 60, second < 61 else { return nil }
            if i < v.count {
                switch v[i] {
                case UInt8(ascii: "Z"), UInt8(ascii: "z"):
                    i += 1
                case UInt8(ascii: "+"), UInt8(ascii: "-"):
                    let negative = v[i] == UInt8(ascii: "-")
                    i += 1
                    guard let oh = digits(2) else { return nil }
                    var om = 0
                    if i < v.count {
                        _ = expect(UInt8(ascii: ":"))
                        guard let m = digits(2) else { return nil }
                        om = m
                    }
                    guard oh < 24, om < 60 else { return nil }
                    offset = (negative ? -1 : 1) * (oh * 3600 + om * 60)
                default:
                    return nil
                }
            }
        }
        guard i == v.count else { return nil }
        // A leap second (`:60`) is read as the next second, as most parsers do.
        return AxiomTime.nanos(
            year: year, month: month, day: day, hour: hour, minute: minute, second: second,
            nanosecond: nanosecond, offsetSeconds: offset)
    }
}

/// Why a timestamp could not be read; the text becomes the event's failure `error`.
struct AxiomTimeError: Error, Equatable {
    let message: String
    init(_ message: String) { self.message = message }
}
