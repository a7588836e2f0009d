extension SampleChunk {
    /// Appends one chunk holding these samples to `out`.
    ///
    /// The value encoding is chosen per chunk: both candidates' exact sizes are computed by
    /// running their encoders against a ``BitCounter`` (no scratch buffers), and the shorter
    /// one is written (XOR on a tie, as it decodes without a division).
    ///
    /// - Parameters:
    ///   - timestampsMillis: strictly increasing; any `Int64` values.
    ///   - values: any bit patterns; they round-trip bit for bit.
    ///   - out: the chunk is appended; existing bytes are kept.
    /// - Precondition: equal counts in 1...65535 and strictly increasing timestamps (the
    ///   caller's own data, never bytes from the network; checked with `precondition` for the
    ///   counts and `assert` for the order).
    /// - Complexity: O(n), a few passes over the samples; no allocation beyond growing `out`.
    static func encode(
        timestampsMillis: UnsafeBufferPointer<Int64>,
        values: UnsafeBufferPointer<Double>,
        into out: inout [UInt8]
    ) {
        let n = timestampsMillis.count
        precondition(n == values.count, "timestamp and value counts differ")
        precondition(n >= 1 && n <= maxSampleCount, "chunk sample count \(n) outside 1...\(maxSampleCount)")
        assert(zip(timestampsMillis, timestampsMillis.dropFirst()).allSatisfy { $0 < $1 }, "timestamps not increasing")

        let timeBuckets = timestampBuckets(timestampsMillis)
        let valuePlan = planValues(values)

        var writer = BitWriter(appendingTo: &out)
        writer.writeByte(formatVersion << 4 | valuePlan.encoding.rawValue)
        writer.writeUVarint(UInt64(n))
        let t0 = timestampsMillis[0]
        writer.writeZVarint(t0)
        if n >= 2 {
            // Strictly increasing, so the wrapped difference is 1 ... 2^64-1 as unsigned.
            writer.writeUVarint(UInt64(bitPattern: timestampsMillis[1] &- t0))
        }
        timeBuckets.buckets.writeHeader(to: &writer)
        writer.writeUVarint(UInt64((timeBuckets.bits + 7) / 8))
        writeTimestampBits(timestampsMillis, buckets: timeBuckets.buckets, to: &writer)
        writer.alignToByte()

        writeValueSection(values, plan: valuePlan, to: &writer)
        writer.finish(into: &out)
    }

    /// Appends one chunk: the `ArraySlice` form of the `UnsafeBufferPointer` overload above.
    static func encode(timestampsMillis: ArraySlice<Int64>, values: ArraySlice<Double>, into out: inout [UInt8]) {
        timestampsMillis.withUnsafeBufferPointer { t in
            values.withUnsafeBufferPointer { v in
                encode(timestampsMillis: t, values: v, into: &out)
            }
        }
    }

    /// Writes the value section: its parameters, stream length and stream.
    private static func writeValueSection(
        _ values: UnsafeBufferPointer<Double>, plan valuePlan: ValuePlan, to writer: inout BitWriter
    ) {
        switch valuePlan {
        case .xor(let bits):
            writer.writeUVarint(UInt64((bits + 7) / 8))
            writeXOR(values, to: &writer)
        case .scaled(let plan):
            writer.writeByte(UInt8(plan.decimals) | (plan.secondOrder ? 0x10 : 0))
            writer.writeByte(UInt8(plan.shift))
            let p = powerOfTen(plan.decimals)
            let s0 = scaledInteger(values[0], p)
            writer.writeZVarint(s0)
            if plan.secondOrder, values.count >= 2 {
                writer.writeZVarint(scaledInteger(values[1], p) &- s0)
            }
            plan.buckets.writeHeader(to: &writer)
            writer.writeUVarint(UInt64((plan.bits + 7) / 8))
            writeScaled(values, plan: plan, to: &writer)
        }
    }

    // MARK: Timestamps

    /// The cheapest buckets for the delta-of-deltas of samples 2..<n, and their bit count.
    private static func timestampBuckets(_ t: UnsafeBufferPointer<Int64>) -> (buckets: Buckets, bits: Int) {
        withUnsafeTemporaryAllocation(of: Int.self, capacity: 65) { histogram in
            histogram.initialize(repeating: 0)
            if t.count >= 3 {
                var previousDelta = t[1] &- t[0]
                for i in 2..<t.count {
                    let delta = t[i] &- t[i - 1]
                    histogram[Zigzag.bitLength(Zigzag.encode(delta &- previousDelta))] += 1
                    previousDelta = delta
                }
            }
            return Buckets.cheapest(histogram: histogram)
        }
    }

    private static func writeTimestampBits(_ t: UnsafeBufferPointer<Int64>, buckets: Buckets, to writer: inout BitWriter) {
        guard t.count >= 3, buckets.mode != .allZero else { return }
        var previousDelta = t[1] &- t[0]
        for i in 2..<t.count {
            let delta = t[i] &- t[i - 1]
            buckets.write(Zigzag.encode(delta &- previousDelta), to: &writer)
            previousDelta = delta
        }
    }

    // MARK: Values

    /// The chosen value encoding with what writing it needs.
    enum ValuePlan {
        case xor(bits: Int)
        case scaled(ScaledPlan)

        var encoding: ValueEncoding {
            switch self {
            case .xor: .xor
            case .scaled: .scaledDecimal
            }
        }
    }

    /// Parameters of a ``ValueEncoding/scaledDecimal`` value stream.
    struct ScaledPlan {
        /// `d`: values are `Double(s) / 10^d`.
        var decimals: Int
        /// Whether the coded integers are second differences (else first differences).
        var secondOrder: Bool
        /// Common trailing zero bits of the coded differences, shifted out.
        var shift: Int
        var buckets: Buckets
        var bits: Int
    }

    /// Picks the shorter value encoding, comparing whole value-section sizes in bytes.
    static func planValues(_ values: UnsafeBufferPointer<Double>) -> ValuePlan {
        var counter = BitCounter()
        writeXOR(values, to: &counter)
        let xorBits = counter.bitCount
        guard let decimals = scaledDecimals(values) else { return .xor(bits: xorBits) }
        let plan = scaledPlan(values, decimals: decimals)
        let xorBytes = (xorBits + 7) / 8
        let xorSize = uvarintSize(UInt64(xorBytes)) + xorBytes
        let p = powerOfTen(decimals)
        let s0 = scaledInteger(values[0], p)
        let scaledBytes = (plan.bits + 7) / 8
        var scaledSize = 2 + uvarintSize(Zigzag.encode(s0)) + plan.buckets.headerByteCount
        scaledSize += uvarintSize(UInt64(scaledBytes)) + scaledBytes
        if plan.secondOrder, values.count >= 2 {
            scaledSize += uvarintSize(Zigzag.encode(scaledInteger(values[1], p) &- s0))
        }
        return scaledSize < xorSize ? .scaled(plan) : .xor(bits: xorBits)
    }

    /// Gorilla XOR: the first value's 64 bits, then per value `0` (same bits), `10` + the
    /// XOR's bits inside the previous window, or `11` + 5 bits leading zeros + 6 bits
    /// meaningful length (64 written as 0) + the meaningful bits, which opens a new window.
    @inline(__always)
    static func writeXOR<S: BitSink & ~Copyable>(_ values: UnsafeBufferPointer<Double>, to sink: inout S) {
        var previous = values[0].bitPattern
        sink.write(previous, bitCount: 64)
        // No window yet: 64 leading zeros can never be matched by a nonzero XOR.
        var windowLeading = 64
        var windowTrailing = 0
        var i = 1
        while i < values.count {
            let bits = values[i].bitPattern
            let x = bits ^ previous
            previous = bits
            i += 1
            if x == 0 {
                sink.write(0, bitCount: 1)
                continue
            }
            // 5 bits hold at most 31 leading zeros; more are written as meaningful bits.
            let leading = min(x.leadingZeroBitCount, 31)
            let trailing = x.trailingZeroBitCount
            let meaningfulNew = 64 - leading - trailing
            if leading >= windowLeading, trailing >= windowTrailing, 64 - windowLeading - windowTrailing <= meaningfulNew + 11 {
                sink.write(0b10, bitCount: 2)
                sink.write(x &>> UInt64(windowTrailing), bitCount: 64 - windowLeading - windowTrailing)
            } else {
                let meaningful = 64 - leading - trailing
                sink.write(0b11 << 11 | UInt64(leading) << 6 | UInt64(meaningful & 63), bitCount: 13)
                sink.write(x &>> UInt64(trailing), bitCount: meaningful)
                windowLeading = leading
                windowTrailing = trailing
            }
        }
    }

    /// `s` for `v` at scale `p = 10^d`, as the encoder validated it.
    @inline(__always)
    static func scaledInteger(_ v: Double, _ p: Double) -> Int64 {
        Int64((v * p).rounded())
    }

    /// Whether `v` is exactly `Double(s) / p` for the integer `s` nearest `v * p`, with
    /// `|s| < 2^53` (so `-0.0`, NaN and infinities never are).
    @inline(__always)
    static func isScaled(_ v: Double, _ p: Double) -> Bool {
        let scaled = (v * p).rounded()
        guard abs(scaled) < scaledLimit else { return false }
        return (Double(Int64(scaled)) / p).bitPattern == v.bitPattern
    }

    /// The smallest `d` in 0...6 at which every value is a scaled integer, or nil.
    ///
    /// Raising `d` for one value restarts the scan, since exactness at one scale does not
    /// formally imply it at the next; a chunk costs at most seven passes, and a chunk of
    /// arbitrary doubles is rejected after seven checks of its first value.
    static func scaledDecimals(_ values: UnsafeBufferPointer<Double>) -> Int? {
        var d = 0
        var p = 1.0
        var i = 0
        while i < values.count {
            if isScaled(values[i], p) {
                i += 1
                continue
            }
            repeat {
                d += 1
                if d > maxDecimals { return nil }
                p = powerOfTen(d)
            } while !isScaled(values[i], p)
            i = 0
        }
        return d
    }

    /// The cheaper of first and second differences at scale `decimals`, with the common
    /// trailing zeros shifted out (memory gauges move in whole 4 KiB pages, for instance).
    static func scaledPlan(_ values: UnsafeBufferPointer<Double>, decimals: Int) -> ScaledPlan {
        let p = powerOfTen(decimals)
        // Two histograms of 65 counts, each small enough for the stack (a single 130-count
        // buffer would pass the 1 KiB stack limit and cost a malloc per chunk).
        return withUnsafeTemporaryAllocation(of: Int.self, capacity: 65) { first in
            withUnsafeTemporaryAllocation(of: Int.self, capacity: 65) { second in
                first.initialize(repeating: 0)
                second.initialize(repeating: 0)
                // |s| < 2^53, so differences cannot overflow.
                var firstZeros = 64
                var secondZeros = 64
                var previous = scaledInteger(values[0], p)
                var previousDelta: Int64 = 0
                for i in 1..<max(values.count, 1) {
                    let s = scaledInteger(values[i], p)
                    let delta = s - previous
                    first[Zigzag.bitLength(Zigzag.encode(delta))] += 1
                    firstZeros = min(firstZeros, delta.trailingZeroBitCount)
                    if i >= 2 {
                        let dod = delta - previousDelta
                        second[Zigzag.bitLength(Zigzag.encode(dod))] += 1
                        secondZeros = min(secondZeros, dod.trailingZeroBitCount)
                    }
                    previous = s
                    previousDelta = delta
                }
                let a = shifted(first, by: firstZeros)
                let b = shifted(second, by: secondZeros)
                if b.bits < a.bits {
                    return ScaledPlan(decimals: decimals, secondOrder: true, shift: b.shift, buckets: b.buckets, bits: b.bits)
                }
                return ScaledPlan(decimals: decimals, secondOrder: false, shift: a.shift, buckets: a.buckets, bits: a.bits)
            }
        }
    }

    /// Buckets for differences shifted right by their common trailing zeros: shifting a
    /// nonzero multiple of 2^k right by k shortens its zigzag form by exactly k bits.
    private static func shifted(
        _ histogram: UnsafeMutableBufferPointer<Int>, by trailingZeros: Int
    ) -> (shift: Int, buckets: Buckets, bits: Int) {
        let k = trailingZeros >= 64 ? 0 : trailingZeros  // 64: all zero, nothing to shift
        if k > 0 {
            for length in (k + 1)...64 {
                histogram[length - k] = histogram[length]
                histogram[length] = 0
            }
        }
        let (buckets, bits) = Buckets.cheapest(histogram: histogram)
        return (k, buckets, bits)
    }

    private static func writeScaled(_ values: UnsafeBufferPointer<Double>, plan: ScaledPlan, to writer: inout BitWriter) {
        guard plan.buckets.mode != .allZero else { return }
        let p = powerOfTen(plan.decimals)
        var previous = scaledInteger(values[0], p)
        var previousDelta: Int64 = 0
        for i in 1..<values.count {
            let s = scaledInteger(values[i], p)
            let delta = s - previous
            if !plan.secondOrder {
                plan.buckets.write(Zigzag.encode(delta &>> UInt64(plan.shift)), to: &writer)
            } else if i >= 2 {
                plan.buckets.write(Zigzag.encode((delta - previousDelta) &>> UInt64(plan.shift)), to: &writer)
            }
            previous = s
            previousDelta = delta
        }
    }

    /// Bytes of `v` as an unsigned LEB128 varint.
    @inline(__always)
    static func uvarintSize(_ v: UInt64) -> Int {
        max(1, (Zigzag.bitLength(v) + 6) / 7)
    }
}
