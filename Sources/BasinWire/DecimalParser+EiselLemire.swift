extension DecimalParser {
    /// Rounds `mantissa × 10^exponent` to the nearest double with the Eisel-Lemire algorithm.
    ///
    /// Multiplies the normalised mantissa by a truncated 128-bit approximation of the power of ten
    /// (``powersOfTen128``) and reads the 53-bit result from the high bits. Returns nil whenever
    /// the truncation error could change the rounding (values close to a tie), when the exponent
    /// is outside the table, or when the result would be subnormal, infinite or zero-by-underflow;
    /// the caller then falls back to an exact parser. Daniel Lemire, "Number Parsing at a
    /// Gigabyte per Second" (2021), describes the method.
    ///
    /// - Complexity: O(1); one or two 64×64→128-bit multiplications.
    @inlinable
    static func eiselLemire(mantissa original: UInt64, exponent exp10: Int, negative: Bool) -> Double? {
        if original == 0 { return negative ? -0.0 : 0.0 }
        guard exp10 >= powersOfTenMinExponent, exp10 <= powersOfTenMaxExponent else { return nil }
        let leadingZeros = original.leadingZeroBitCount
        let man = original << UInt64(leadingZeros)
        // floor(exp10 × log2(10)) + 64 + bias; wraps below zero exactly like unsigned arithmetic.
        let biased = Int64((217_706 &* exp10) >> 16) &+ 64 &+ 1023
        var exponent2 = UInt64(bitPattern: biased) &- UInt64(leadingZeros)
        let index = (exp10 - powersOfTenMinExponent) &* 2
        let tenHigh = powersOfTen128[index]
        let tenLow = powersOfTen128[index + 1]
        var (xHigh, xLow) = man.multipliedFullWidth(by: tenHigh)
        if xHigh & 0x1FF == 0x1FF, xLow &+ man < man {
            // The low word of the power may carry into the bits that decide the rounding.
            let (yHigh, yLow) = man.multipliedFullWidth(by: tenLow)
            var mergedHigh = xHigh
            let mergedLow = xLow &+ yHigh
            if mergedLow < xLow { mergedHigh &+= 1 }
            if mergedHigh & 0x1FF == 0x1FF, mergedLow &+ 1 == 0, yLow &+ man < man { return nil }
            xHigh = mergedHigh
            xLow = mergedLow
        }
        let topBit = xHigh >> 63
        var result = xHigh >> (topBit + 9)
        exponent2 &-= 1 ^ topBit
        // Exactly half way at this precision: undecidable here.
        if xLow == 0, xHigh & 0x1FF == 0, result & 3 == 1 { return nil }
        result &+= result & 1
        result >>= 1
        if result >> 53 > 0 {
            result >>= 1
            exponent2 &+= 1
        }
        // Zero or wrapped: subnormal or underflow; 0x7FF and above: infinity.
        if exponent2 &- 1 >= 0x7FF - 1 { return nil }
        var bits = exponent2 << 52 | result & 0x000F_FFFF_FFFF_FFFF
        if negative { bits |= 1 << 63 }
        return Double(bitPattern: bits)
    }
}
