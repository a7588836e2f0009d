/// A decimal number as written on the wire: `mantissa × 10^exponent`, with its sign.
///
/// Produced by ``DecimalParser/parseJSONNumber(_:from:)`` without rounding, so integers
/// (timestamps, intervals) can be read exactly and doubles can be rounded once, correctly.
public struct ParsedDecimal: Sendable, Equatable {
    /// The first (at most) 19 significant digits, as an integer.
    public var mantissa: UInt64
    /// The power of ten the mantissa is scaled by (already adjusted for dropped digits).
    public var exponent: Int
    /// Whether a leading minus sign was present.
    public var isNegative: Bool
    /// Whether non-zero digits beyond the 19th significant one were dropped.
    public var isTruncated: Bool
    /// Whether the text had a fraction or an exponent part (`1.0`, `1e3`), as opposed to a plain integer.
    public var hasFractionOrExponent: Bool

    /// Creates a decimal from its parts.
    @inlinable
    public init(mantissa: UInt64, exponent: Int, isNegative: Bool, isTruncated: Bool = false, hasFractionOrExponent: Bool = false) {
        self.mantissa = mantissa
        self.exponent = exponent
        self.isNegative = isNegative
        self.isTruncated = isTruncated
        self.hasFractionOrExponent = hasFractionOrExponent
    }

    /// The value times `10^scale`, truncated toward zero; nil when it does not fit in `Int64`.
    ///
    /// Used for timestamps: Datadog sends seconds, possibly with a fraction
    /// (`1795350967.7385583`), and `scaledInt64(byPowerOfTen: 3)` gives exact milliseconds
    /// without going through a `Double`.
    @inlinable
    public func scaledInt64(byPowerOfTen scale: Int) -> Int64? {
        if mantissa == 0 { return 0 }
        let e = exponent + scale
        var magnitude = mantissa
        if e >= 0 {
            if e > 19 { return nil }
            for _ in 0..<e {
                let (product, overflow) = magnitude.multipliedReportingOverflow(by: 10)
                if overflow { return nil }
                magnitude = product
            }
        } else {
            if e < -19 { return 0 }
            magnitude /= DecimalParser.powersOfTenUInt64[-e]
        }
        if isNegative {
            if magnitude > UInt64(Int64.max) + 1 { return nil }
            return magnitude == UInt64(Int64.max) + 1 ? Int64.min : -Int64(magnitude)
        }
        if magnitude > UInt64(Int64.max) { return nil }
        return Int64(magnitude)
    }
}

/// Number parsing from bytes: JSON number grammar, exact integers, correctly rounded doubles.
///
/// Doubles are rounded once: a mantissa of at most 2^53 with a power of ten up to 22 is exact in
/// binary (Clinger's fast path); otherwise the Eisel-Lemire algorithm with a 128-bit power-of-ten
/// table decides the rounding, and the rare inputs it cannot decide (ties at 128-bit precision,
/// more than 19 significant digits, out-of-range exponents) fall back to the standard library's
/// parser. The result is the same `Double` that `Double(String)` gives.
public enum DecimalParser {
    /// `10^0 ... 10^19` as integers.
    @usableFromInline static let powersOfTenUInt64: [UInt64] = {
        var table: [UInt64] = [1]
        for _ in 1...19 { table.append(table[table.count - 1] * 10) }
        return table
    }()

    /// `1e0 ... 1e22`: every one is exact in a Double.
    @usableFromInline static let powersOfTenDouble: [Double] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
        1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ]

    /// Parses a number in JSON grammar (`-? (0 | [1-9][0-9]*) (.[0-9]+)? ([eE][+-]?[0-9]+)?`).
    ///
    /// - Parameters:
    ///   - bytes: the input.
    ///   - start: offset of the first byte of the number (a `-` or a digit).
    /// - Returns: the decimal and the offset just past the number.
    /// - Throws: ``WireError/Code/invalidNumber`` or ``WireError/Code/unexpectedEnd``, with the offset.
    @inlinable
    public static func parseJSONNumber(_ bytes: UnsafeRawBufferPointer, from start: Int) throws(WireError) -> (ParsedDecimal, Int) {
        let end = bytes.count
        var i = start
        var negative = false
        if i < end, bytes[i] == UInt8(ascii: "-") {
            negative = true
            i += 1
        }
        guard i < end else { throw WireError(.unexpectedEnd, "unexpected end of input in a number", offset: i) }
        var mantissa: UInt64 = 0
        var digits = 0          // significant digits taken into the mantissa
        var exponent = 0
        var truncated = false
        let first = bytes[i]
        if first == UInt8(ascii: "0") {
            i += 1
            if i < end, bytes[i] &- UInt8(ascii: "0") < 10 {
                throw WireError(.invalidNumber, "leading zero in a number", offset: start)
            }
        } else if first &- UInt8(ascii: "1") < 9 {
            // Eight digits per step while they all fit in the 19 significant ones (a timestamp
            // in milliseconds is one step and five bytes).
            while digits <= 11, let chunk = eightDigits(bytes, at: i) {
                mantissa = mantissa &* 100_000_000 &+ chunk
                digits += 8
                i += 8
            }
            while i < end {
                let d = bytes[i] &- UInt8(ascii: "0")
                if d >= 10 { break }
                if digits < 19 {
                    mantissa = mantissa &* 10 &+ UInt64(d)
                    digits += 1
                } else {
                    exponent += 1
                    if d != 0 { truncated = true }
                }
                i += 1
            }
        } else {
            throw WireError(.invalidNumber, "invalid number", offset: start)
        }
        var hasFractionOrExponent = false
        if i < end, bytes[i] == UInt8(ascii: ".") {
            hasFractionOrExponent = true
            i += 1
            let fractionStart = i
            if mantissa == 0 {
                // Leading zeros of the fraction (`0.000123`) only move the exponent.
                while i < end, bytes[i] == UInt8(ascii: "0") {
                    exponent -= 1
                    i += 1
                }
            }
            while digits <= 11, let chunk = eightDigits(bytes, at: i) {
                mantissa = mantissa &* 100_000_000 &+ chunk
                digits += 8
                exponent -= 8
                i += 8
            }
            while i < end {
                let d = bytes[i] &- UInt8(ascii: "0")
                if d >= 10 { break }
                if digits < 19 {
                    if mantissa != 0 || d != 0 { digits += 1 }   // leading zeros are not significant
                    mantissa = mantissa &* 10 &+ UInt64(d)
                    exponent -= 1
                } else if d != 0 {
                    truncated = true
                }
                i += 1
            }
            if i == fractionStart {
                throw WireError(.invalidNumber, "missing digits after the decimal point", offset: i)
            }
        }
        if i < end, bytes[i] | 0x20 == UInt8(ascii: "e") {
            hasFractionOrExponent = true
            i += 1
            var exponentNegative = false
            if i < end, bytes[i] == UInt8(ascii: "-") || bytes[i] == UInt8(ascii: "+") {
                exponentNegative = bytes[i] == UInt8(ascii: "-")
                i += 1
            }
            let exponentStart = i
            var written = 0
            while i < end {
                let d = bytes[i] &- UInt8(ascii: "0")
                if d >= 10 { break }
                if written < 100_000 { written = written * 10 + Int(d) }   // clamp: far beyond any double
                i += 1
            }
            if i == exponentStart {
                throw WireError(.invalidNumber, "missing digits in the exponent", offset: i)
            }
            exponent += exponentNegative ? -written : written
        }
        let decimal = ParsedDecimal(
            mantissa: mantissa, exponent: exponent, isNegative: negative,
            isTruncated: truncated, hasFractionOrExponent: hasFractionOrExponent)
        return (decimal, i)
    }

    /// The value of the eight ASCII digits at `offset`; nil when fewer than eight bytes remain or
    /// one of them is not a digit.
    ///
    /// SWAR: one load, two masks to check the bytes, three multiplications to combine the
    /// digits pairwise (tens, then hundreds, then ten-thousands) instead of eight dependent
    /// multiply-adds.
    @inlinable @inline(__always)
    static func eightDigits(_ bytes: UnsafeRawBufferPointer, at offset: Int) -> UInt64? {
        guard offset + 8 <= bytes.count, let base = bytes.baseAddress else { return nil }
        // Little-endian: the first (most significant) digit is the lowest byte.
        let word = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
        let nibbles: UInt64 = 0xF0F0_F0F0_F0F0_F0F0
        let zeros: UInt64 = 0x3030_3030_3030_3030
        // Every byte is 0x3_, and adding 6 keeps it 0x3_ (so it is at most 0x39).
        guard word & nibbles == zeros, (word &+ 0x0606_0606_0606_0606) & nibbles == zeros else { return nil }
        var v = word &- zeros
        // Byte 2k becomes 10 × digit(2k) + digit(2k + 1); odd bytes are garbage, masked below.
        v = v &* 10 &+ (v >> 8)
        // Lanes of 32 bits: pairs 0 and 2 scaled by 10^6 and 10^2, pairs 1 and 3 by 10^4 and 1.
        let mask: UInt64 = 0x0000_00FF_0000_00FF
        let high = (v & mask) &* (100 &+ (1_000_000 &<< 32))
        let low = ((v >> 16) & mask) &* (1 &+ (10_000 &<< 32))
        return (high &+ low) >> 32
    }

    /// The correctly rounded `Double` for a decimal.
    ///
    /// - Parameters:
    ///   - decimal: the parsed number.
    ///   - text: the bytes it was parsed from (read only on the rare slow path).
    /// - Returns: the nearest double (infinite when the value is beyond the double range).
    @inlinable
    public static func double(_ decimal: ParsedDecimal, text: UnsafeRawBufferPointer) -> Double {
        let m = decimal.mantissa
        if m == 0 { return decimal.isNegative ? -0.0 : 0.0 }
        if !decimal.isTruncated {
            let e = decimal.exponent
            if m <= 1 << 53, e >= -22, e <= 22 {
                // Clinger's fast path: both operands are exact, so one IEEE operation rounds once.
                var value = Double(m)
                if e < 0 { value /= powersOfTenDouble[-e] } else { value *= powersOfTenDouble[e] }
                return decimal.isNegative ? -value : value
            }
            if let value = eiselLemire(mantissa: m, exponent: e, negative: decimal.isNegative) {
                return value
            }
        } else if let low = eiselLemire(mantissa: m, exponent: decimal.exponent, negative: decimal.isNegative),
                  m < UInt64.max,
                  let high = eiselLemire(mantissa: m + 1, exponent: decimal.exponent, negative: decimal.isNegative),
                  low == high {
            // The true value lies between the two; when both round alike, so does it.
            return low
        }
        return slowDouble(text)
    }

    /// Parses a complete JSON number from bytes; nil when the bytes are not exactly one number.
    ///
    /// A convenience for tests and non-hot paths.
    public static func double<C: Collection<UInt8>>(from text: C) -> Double? {
        let array = Array(text)
        return array.withUnsafeBytes { raw -> Double? in
            guard let (decimal, end) = try? parseJSONNumber(raw, from: 0), end == raw.count else { return nil }
            return double(decimal, text: raw)
        }
    }

    /// The standard library's correctly rounded parser, used only when the fast paths cannot decide.
    @usableFromInline
    static func slowDouble(_ text: UnsafeRawBufferPointer) -> Double {
        let string = String(decoding: text, as: UTF8.self)
        return Double(string) ?? .nan
    }
}
