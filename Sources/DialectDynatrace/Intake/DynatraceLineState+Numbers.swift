import BasinWire

extension DynatraceLineState {
    /// A finite number in Dynatrace's syntax: an optional `+` or `-`, digits with an optional
    /// fraction, an optional exponent (`1.0e+10`, Java's `1.234567000000123E12`, Python's `1e-05`).
    /// Nil for anything else, NaN and infinities included.
    static func parseNumber(_ token: UnsafeRawBufferPointer) -> Double? {
        plainNumber(token) ?? parseNumberInFull(token)
    }

    /// ``parseNumber(_:)`` through the general decimal parser, for every token the fast path
    /// ``plainNumber(_:)`` leaves (and, in tests, as its reference).
    static func parseNumberInFull(_ token: UnsafeRawBufferPointer) -> Double? {
        var text = token
        if let first = text.first, first == UInt8(ascii: "+") {
            text = UnsafeRawBufferPointer(rebasing: text[1...])
            if text.first == UInt8(ascii: "-") { return nil }
        }
        guard !text.isEmpty,
              let (decimal, end) = try? DecimalParser.parseJSONNumber(text, from: 0), end == text.count else { return nil }
        let value = DecimalParser.double(decimal, text: text)
        return value.isFinite ? value : nil
    }

    /// ``parseNumber(_:)`` for the usual numbers, `[+-]?[1-9][0-9]*(\.[0-9]+)?` with at most 19
    /// digits; nil for any other token (which ``parseNumber(_:)`` then parses in full).
    @inline(__always)
    static func plainNumber(_ token: UnsafeRawBufferPointer) -> Double? {
        guard let (value, end) = plainNumberPrefix(token, from: 0), end == token.count else { return nil }
        return value
    }

    /// The plain number (see ``plainNumber(_:)``) that starts at `start` and its end: the first
    /// byte that is not a digit (or a dot, once) or the end of `bytes`. Nil when the bytes there
    /// do not start such a number, or the number has more than 19 digits.
    ///
    /// The decimal is the one ``BasinWire/DecimalParser/parseJSONNumber(_:from:)`` gives for the
    /// number (every digit significant, none truncated), so the double is the same.
    @inline(__always)
    static func plainNumberPrefix(_ bytes: UnsafeRawBufferPointer, from start: Int) -> (Double, Int)? {
        guard let base = bytes.baseAddress else { return nil }
        let end = bytes.count
        var i = start
        var negative = false
        if i < end {
            let sign = base.load(fromByteOffset: i, as: UInt8.self)
            if sign == UInt8(ascii: "-") || sign == UInt8(ascii: "+") {
                negative = sign == UInt8(ascii: "-")
                i &+= 1
            }
        }
        guard i < end else { return nil }
        // What parseNumber hands the decimal parser: the number without a `+`.
        let textStart = negative ? start : i
        let first = base.load(fromByteOffset: i, as: UInt8.self)
        if first == UInt8(ascii: "0") {
            return plainFraction(bytes, from: i &+ 1, negative: negative, textStart: textStart)
        }
        guard first &- UInt8(ascii: "1") < 9 else { return nil }
        let integerStart = i
        var mantissa: UInt64 = 0
        // Digits past the 19th wrap the mantissa; such numbers are refused below.
        i = accumulateDigits(bytes, from: i, into: &mantissa)
        var digits = i &- integerStart
        var fractionDigits = 0
        var hasFraction = false
        if i < end, base.load(fromByteOffset: i, as: UInt8.self) == UInt8(ascii: ".") {
            hasFraction = true
            i &+= 1
            let fractionStart = i
            i = accumulateDigits(bytes, from: i, into: &mantissa)
            fractionDigits = i &- fractionStart
            guard fractionDigits > 0 else { return nil }
            digits &+= fractionDigits
        }
        guard digits <= 19 else { return nil }
        let decimal = ParsedDecimal(
            mantissa: mantissa, exponent: 0 &- fractionDigits, isNegative: negative, isTruncated: false, hasFractionOrExponent: hasFraction)
        return (DecimalParser.double(decimal, text: UnsafeRawBufferPointer(start: base + textStart, count: i &- textStart)), i)
    }

    /// ``plainNumberPrefix(_:from:)`` after a leading `0` (at `start - 1`): `0` alone, or `0.`
    /// and digits of which at most 19 follow the leading zeros. The decimal parser skips those
    /// zeros (moving only the exponent) and takes every later digit, as here.
    @inline(never)
    static func plainFraction(_ bytes: UnsafeRawBufferPointer, from start: Int, negative: Bool, textStart: Int) -> (Double, Int)? {
        guard let base = bytes.baseAddress else { return nil }
        let end = bytes.count
        var i = start
        guard i < end else {
            return (negative ? -0.0 : 0.0, i)
        }
        let next = base.load(fromByteOffset: i, as: UInt8.self)
        // `01` is refused; anything else but a dot ends the number `0`.
        if next &- UInt8(ascii: "0") < 10 { return nil }
        guard next == UInt8(ascii: ".") else { return (negative ? -0.0 : 0.0, i) }
        i &+= 1
        let fractionStart = i
        while i < end, base.load(fromByteOffset: i, as: UInt8.self) == UInt8(ascii: "0") { i &+= 1 }
        let significantStart = i
        var mantissa: UInt64 = 0
        i = accumulateDigits(bytes, from: i, into: &mantissa)
        guard i > fractionStart, i &- significantStart <= 19 else { return nil }
        let decimal = ParsedDecimal(
            mantissa: mantissa, exponent: fractionStart &- i, isNegative: negative, isTruncated: false, hasFractionOrExponent: true)
        return (DecimalParser.double(decimal, text: UnsafeRawBufferPointer(start: base + textStart, count: i &- textStart)), i)
    }

    /// Reads the run of ASCII digits at `start` into `mantissa` (times ten per digit, wrapping
    /// past 19 digits): eight at a time, then four, then one by one. Returns the end of the run.
    @inline(__always)
    static func accumulateDigits(_ bytes: UnsafeRawBufferPointer, from start: Int, into mantissa: inout UInt64) -> Int {
        guard let base = bytes.baseAddress else { return start }
        let end = bytes.count
        var i = start
        while i &+ 8 <= end, let chunk = eightDigits(bytes, at: i) {
            mantissa = mantissa &* 100_000_000 &+ chunk
            i &+= 8
        }
        if i &+ 4 <= end, let chunk = fourDigits(bytes, at: i) {
            mantissa = mantissa &* 10_000 &+ chunk
            i &+= 4
        }
        while i < end {
            let d = base.load(fromByteOffset: i, as: UInt8.self) &- UInt8(ascii: "0")
            if d >= 10 { break }
            mantissa = mantissa &* 10 &+ UInt64(d)
            i &+= 1
        }
        return i
    }

    /// The value of the four ASCII digits at `offset` (which must leave four bytes in the
    /// buffer), or nil when one of them is not a digit: ``eightDigits(_:at:)`` for the rest of a
    /// run after its whole words.
    @inline(__always)
    static func fourDigits(_ bytes: UnsafeRawBufferPointer, at offset: Int) -> UInt64? {
        // Little-endian: the first (most significant) digit is the lowest byte.
        let word = UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
        // Every byte is 0x3_ and stays 0x3_ when 6 is added: 0x30...0x39.
        guard word & 0xF0F0_F0F0 == 0x3030_3030, (word &+ 0x0606_0606) & 0xF0F0_F0F0 == 0x3030_3030 else { return nil }
        var v = word & 0x0F0F_0F0F
        v = (v &* 10 &+ (v &>> 8)) & 0x00FF_00FF          // pairs: 10 * d0 + d1 in bytes 0 and 2
        return UInt64((v &* 100 &+ (v &>> 16)) & 0xFFFF)  // 100 * (first pair) + second pair
    }

    /// ``parseNumber(_:)`` that throws `invalidValue` naming the text.
    static func number(_ token: UnsafeRawBufferPointer) throws(DynatraceLineError) -> Double {
        guard let value = parseNumber(token) else {
            let text = String(decoding: token, as: UTF8.self)
            throw DynatraceLineError(.invalidValue, "invalid number '\(text)'")
        }
        return value
    }

    /// Parses `min=…,max=…,sum=…,count=…` (any order, each exactly once) and checks that the
    /// fields agree, with the texts and the 1e-6 tolerance of Dynatrace's validator.
    static func parseSummary(_ fields: UnsafeRawBufferPointer) throws(DynatraceLineError) -> DynatracePayload {
        // Four locals, not an array: no allocation per summary line.
        var min = 0.0, max = 0.0, sum = 0.0, count = 0.0
        var seen = 0
        var start = 0
        while start <= fields.count {
            var stop = start
            while stop < fields.count, fields[stop] != UInt8(ascii: ",") { stop += 1 }
            let field = UnsafeRawBufferPointer(rebasing: fields[start..<stop])
            let index: Int
            if Self.hasPrefix(field, "min=") { index = 0 }
            else if Self.hasPrefix(field, "max=") { index = 1 }
            else if Self.hasPrefix(field, "sum=") { index = 2 }
            else if Self.hasPrefix(field, "count=") { index = 3 }
            else {
                throw DynatraceLineError(.invalidValue, "invalid summary field '\(String(decoding: field, as: UTF8.self))': expected min=, max=, sum= and count=")
            }
            guard seen & (1 << index) == 0 else {
                throw DynatraceLineError(.invalidValue, "repeated summary field '\(String(decoding: field, as: UTF8.self))'")
            }
            seen |= 1 << index
            let value = try Self.number(UnsafeRawBufferPointer(rebasing: field[(index == 3 ? 6 : 4)...]))
            switch index {
            case 0: min = value
            case 1: max = value
            case 2: sum = value
            default: count = value
            }
            start = stop + 1
        }
        guard seen == 0b1111 else {
            throw DynatraceLineError(.invalidValue, "a summary needs all of min, max, sum and count")
        }
        guard count >= 0, count == count.rounded(), count < 9.0e18 else {
            throw DynatraceLineError(.invalidValue, "summary count must be a non-negative integer, got \(count)")
        }
        try Self.checkConsistency(min: min, max: max, sum: sum, count: count)
        return .summary(min: min, max: max, sum: sum, count: count)
    }

    /// Dynatrace's summary checks: `count == 0` needs all zeros; otherwise `min <= sum/count <= max`
    /// within 1e-6 (which also rules out `min > max`).
    static func checkConsistency(min: Double, max: Double, sum: Double, count: Double) throws(DynatraceLineError) {
        typealias E = DynatraceLineError
        if count == 0 {
            guard min == 0, max == 0, sum == 0 else {
                throw E(.inconsistentSummary, "inconsistent gauge fields: count == 0 => min, max, sum == 0: min: \(E.fixed6(min)), max: \(E.fixed6(max)), sum: \(E.fixed6(sum)), count: 0")
            }
            return
        }
        let avg = sum / count
        let tolerance = 0.000001
        guard min - tolerance <= avg, avg <= max + tolerance, min <= max else {
            throw E(.inconsistentSummary, "inconsistent gauge fields: min <= avg <= max doesn't hold: min: \(E.fixed6(min)), max: \(E.fixed6(max)), sum: \(E.fixed6(sum)), count: \(Int64(count)), avg: \(E.fixed6(avg)), tolerance: 0.000001")
        }
    }
}
