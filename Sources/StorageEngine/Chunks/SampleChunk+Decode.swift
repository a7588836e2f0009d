extension SampleChunk {
    /// Appends the samples of the chunk at the start of `bytes` whose timestamps lie within
    /// `startMillis...endMillis` to `timestamps` and `values`.
    ///
    /// Timestamps are decoded first and decoding stops at the first one past `endMillis`;
    /// values are then decoded only up to that sample (XOR and difference coding need every
    /// earlier value, so samples before `startMillis` are decoded and dropped).
    ///
    /// Bytes after the chunk are ignored, so `bytes` may run on to the end of a block.
    /// Malformed input throws and never traps, reads out of bounds or allocates more than
    /// room for 65,535 samples per array.
    ///
    /// - Parameters:
    ///   - bytes: borrowed for the duration of the call only.
    ///   - startMillis: inclusive lower bound.
    ///   - endMillis: inclusive upper bound (an empty range when below `startMillis`).
    ///   - timestamps: in-range timestamps are appended.
    ///   - values: their values are appended, bit-exact.
    /// - Throws: ``ChunkError`` if the bytes are not a well-formed chunk; both arrays are then
    ///   left as they were.
    static func decode(
        _ bytes: UnsafeRawBufferPointer,
        startMillis: Int64,
        endMillis: Int64,
        timestamps: inout [Int64],
        values: inout [Double]
    ) throws(ChunkError) {
        let timestampsBefore = timestamps.count
        let valuesBefore = values.count
        do {
            try decodeUnchecked(bytes, startMillis: startMillis, endMillis: endMillis, timestamps: &timestamps, values: &values)
        } catch {
            timestamps.removeSubrange(timestampsBefore...)
            values.removeSubrange(valuesBefore...)
            throw error
        }
    }

    /// Appends the chunk's samples in the range; may leave partial output on error.
    private static func decodeUnchecked(
        _ bytes: UnsafeRawBufferPointer,
        startMillis: Int64,
        endMillis: Int64,
        timestamps: inout [Int64],
        values: inout [Double]
    ) throws(ChunkError) {
        var header = BitReader(bytes)
        guard let tag = header.readByte() else { throw ChunkError("empty") }
        guard tag >> 4 == formatVersion else { throw ChunkError("format version \(tag >> 4)") }
        guard let encoding = ValueEncoding(rawValue: tag & 0x0F) else { throw ChunkError("value encoding \(tag & 0x0F)") }
        guard let rawCount = header.readUVarint(), rawCount >= 1, rawCount <= UInt64(maxSampleCount) else {
            throw ChunkError("sample count")
        }
        let n = Int(rawCount)
        guard let t0 = header.readZVarint() else { throw ChunkError("truncated first timestamp") }
        var firstDelta: UInt64 = 0
        if n >= 2 {
            guard let d = header.readUVarint(), d >= 1 else { throw ChunkError("first timestamp delta") }
            firstDelta = d
        }
        let timeBuckets = try Buckets.readHeader(from: &header)
        let timeStream = try stream(&header, in: bytes, what: "timestamp")

        guard startMillis <= endMillis else {
            // Nothing can match, but a malformed value section must still not pass silently.
            _ = try valueStream(&header, in: bytes, encoding: encoding, sampleCount: n)
            return
        }

        let (first, end) = try decodeTimestamps(
            timeStream, timeBuckets, count: n, t0: t0, firstDelta: firstDelta,
            startMillis: startMillis, endMillis: endMillis, into: &timestamps
        )
        let section = try valueStream(&header, in: bytes, encoding: encoding, sampleCount: n)
        guard first < end else { return }
        switch section {
        case .xor(let stream):
            try decodeXOR(stream, first: first, end: end, into: &values)
        case .scaled(let parameters, let stream):
            try decodeScaled(stream, parameters, first: first, end: end, into: &values)
        }
    }

    /// Decodes timestamps up to the first one past `endMillis`, appends those in range and
    /// returns the in-range index range `first..<end`.
    private static func decodeTimestamps(
        _ stream: UnsafeRawBufferPointer, _ buckets: Buckets, count n: Int, t0: Int64, firstDelta: UInt64,
        startMillis: Int64, endMillis: Int64, into timestamps: inout [Int64]
    ) throws(ChunkError) -> (first: Int, end: Int) {
        var run = TimestampRun(
            n: n, t0: t0, firstDelta: Int64(bitPattern: firstDelta), start: startMillis, end: endMillis, buckets: buckets)
        var overran = false
        appendWritten(to: &timestamps, atMost: n) { out in
            var reader = BitReader(stream)
            let written =
                switch buckets.mode {
                case .allZero: run.decode(Buckets.AllZero.self, &reader, into: out)
                case .fixed: run.decode(Buckets.Fixed.self, &reader, into: out)
                case .twoWidths: run.decode(Buckets.TwoWidths.self, &reader, into: out)
                case .zeroAndTwoWidths: run.decode(Buckets.ZeroAndTwoWidths.self, &reader, into: out)
                }
            overran = reader.overran
            return written
        }
        guard run.increasing else { throw ChunkError("timestamps not increasing") }
        guard !overran else { throw ChunkError("timestamp stream too short") }
        return (run.first, run.decoded)
    }

    /// The timestamp loop's parameters and outcome.
    private struct TimestampRun {
        let n: Int
        let t0: Int64
        let firstDelta: Int64
        let start: Int64
        let end: Int64
        let buckets: Buckets
        /// Samples before `start`.
        var first = 0
        /// Samples decoded up to the first past `end`.
        var decoded = 0
        var increasing = true

        /// Decodes into `out`, each delta of delta read in layout `L`; returns how many were
        /// written. Compiled once per layout, with the reader in registers.
        mutating func decode<L: Buckets.Layout>(
            _: L.Type, _ stream: inout BitReader, into out: UnsafeMutablePointer<Int64>
        ) -> Int {
            var reader = stream  // a local, kept in registers; the argument would stay in memory
            defer { stream = reader }
            let narrow = buckets.narrow
            let wide = buckets.wide
            var first = 0
            var decoded = 0
            var written = 0
            var t = t0
            var delta = firstDelta
            while true {
                if t > end { break }
                if t < start {
                    first &+= 1
                } else {
                    out[written] = t
                    written &+= 1
                }
                decoded &+= 1
                if decoded == n { break }
                if decoded >= 2 { delta &+= Zigzag.decode(L.read(&reader, narrow: narrow, wide: wide)) }
                let following = t &+ delta
                guard following > t else {
                    increasing = false
                    break
                }
                t = following
            }
            self.first = first
            self.decoded = decoded
            return written
        }
    }

    /// Reads a length-prefixed, byte-aligned stream and moves `header` past it.
    private static func stream(
        _ header: inout BitReader, in bytes: UnsafeRawBufferPointer, what: String
    ) throws(ChunkError) -> UnsafeRawBufferPointer {
        guard let length = header.readUVarint() else { throw ChunkError("truncated \(what) stream length") }
        let start = header.byteOffset
        guard length <= UInt64(bytes.count - start) else { throw ChunkError("\(what) stream runs past the end") }
        let end = start + Int(length)
        header = BitReader(bytes, offset: end)
        return UnsafeRawBufferPointer(rebasing: bytes[start..<end])
    }

    private enum ValueSection {
        case xor(UnsafeRawBufferPointer)
        case scaled(ScaledParameters, UnsafeRawBufferPointer)
    }

    private struct ScaledParameters {
        var divisor: Double
        var secondOrder: Bool
        var shift: UInt64
        var s0: Int64
        var firstDelta: Int64
        var buckets: Buckets
    }

    /// Reads the value section's header and locates its bit stream.
    private static func valueStream(
        _ header: inout BitReader, in bytes: UnsafeRawBufferPointer, encoding: ValueEncoding, sampleCount n: Int
    ) throws(ChunkError) -> ValueSection {
        switch encoding {
        case .xor:
            return .xor(try stream(&header, in: bytes, what: "value"))
        case .scaledDecimal:
            guard let flags = header.readByte(), let shift = header.readByte() else { throw ChunkError("truncated scale") }
            let decimals = Int(flags & 0x0F)
            guard decimals <= maxDecimals, flags & 0xE0 == 0, shift < 64 else { throw ChunkError("scale parameters") }
            let secondOrder = flags & 0x10 != 0
            guard let s0 = header.readZVarint() else { throw ChunkError("truncated first value") }
            var firstDelta: Int64 = 0
            if secondOrder, n >= 2 {
                guard let d = header.readZVarint() else { throw ChunkError("truncated first value delta") }
                firstDelta = d
            }
            let buckets = try Buckets.readHeader(from: &header)
            let parameters = ScaledParameters(
                divisor: powerOfTen(decimals), secondOrder: secondOrder, shift: UInt64(shift),
                s0: s0, firstDelta: firstDelta, buckets: buckets
            )
            return .scaled(parameters, try stream(&header, in: bytes, what: "value"))
        }
    }

    /// Decodes XOR values 0..<end and appends those from `first` on.
    private static func decodeXOR(
        _ stream: UnsafeRawBufferPointer, first: Int, end: Int, into values: inout [Double]
    ) throws(ChunkError) {
        var outcome = (wide: true, overran: false)
        appendWritten(to: &values, atMost: end &- first) { out in
            var reader = BitReader(stream)
            var bits = reader.read(64)
            if first == 0 { out[0] = Double(bitPattern: bits) }
            var windowTrailing: UInt64 = 0
            var windowLength = 0
            var i = 1
            while i < end {
                if reader.readBit() {
                    if reader.readBit() {
                        let control = reader.read(11)
                        let leading = Int(control &>> 6)
                        let meaningful = control & 63 == 0 ? 64 : Int(control & 63)
                        guard leading &+ meaningful <= 64 else {
                            outcome.wide = false
                            return 0  // the caller drops the whole chunk's output
                        }
                        windowLength = meaningful
                        windowTrailing = UInt64(64 &- leading &- meaningful)
                    }
                    bits ^= reader.read(windowLength) &<< windowTrailing
                }
                if i >= first { out[i &- first] = Double(bitPattern: bits) }
                i &+= 1
            }
            outcome.overran = reader.overran
            return end &- first
        }
        guard outcome.wide else { throw ChunkError("XOR window") }
        guard !outcome.overran else { throw ChunkError("value stream too short") }
    }

    /// Decodes scaled values 0..<end and appends those from `first` on.
    private static func decodeScaled(
        _ stream: UnsafeRawBufferPointer, _ parameters: ScaledParameters, first: Int, end: Int,
        into values: inout [Double]
    ) throws(ChunkError) {
        var overran = false
        appendWritten(to: &values, atMost: end &- first) { out in
            var reader = BitReader(stream)
            let s = parameters.s0
            if first == 0 { out[0] = Double(s) / parameters.divisor }
            switch parameters.buckets.mode {
            case .allZero: scaledLoop(Buckets.AllZero.self, &reader, parameters, s: s, end: end, first: first, into: out)
            case .fixed: scaledLoop(Buckets.Fixed.self, &reader, parameters, s: s, end: end, first: first, into: out)
            case .twoWidths: scaledLoop(Buckets.TwoWidths.self, &reader, parameters, s: s, end: end, first: first, into: out)
            case .zeroAndTwoWidths:
                scaledLoop(Buckets.ZeroAndTwoWidths.self, &reader, parameters, s: s, end: end, first: first, into: out)
            }
            overran = reader.overran
            return end &- first
        }
        guard !overran else { throw ChunkError("value stream too short") }
    }

    /// The scaled values 1..<end (from `first` on) after `s0`, coded in layout `L`; compiled
    /// once per layout.
    private static func scaledLoop<L: Buckets.Layout>(
        _: L.Type, _ stream: inout BitReader, _ parameters: ScaledParameters, s s0: Int64, end: Int, first: Int,
        into out: UnsafeMutablePointer<Double>
    ) {
        var reader = stream  // a local, kept in registers; the argument would stay in memory
        defer { stream = reader }
        let p = parameters.divisor
        let shift = parameters.shift
        let narrow = parameters.buckets.narrow
        let wide = parameters.buckets.wide
        var s = s0
        if parameters.secondOrder {
            var delta = parameters.firstDelta
            if end >= 2 {
                s &+= delta
                if first <= 1 { out[1 &- first] = Double(s) / p }
            }
            var i = 2
            while i < end {
                delta &+= Zigzag.decode(L.read(&reader, narrow: narrow, wide: wide)) &<< shift
                s &+= delta
                if i >= first { out[i &- first] = Double(s) / p }
                i &+= 1
            }
        } else {
            var i = 1
            while i < end {
                s &+= Zigzag.decode(L.read(&reader, narrow: narrow, wide: wide)) &<< shift
                if i >= first { out[i &- first] = Double(s) / p }
                i &+= 1
            }
        }
    }

    /// Appends at most `maximum` elements that `write` stores through a pointer and counts:
    /// one capacity check for the lot instead of one per element.
    @inline(__always)
    private static func appendWritten<T: BitwiseCopyable & AdditiveArithmetic>(
        to array: inout [T], atMost maximum: Int, _ write: (UnsafeMutablePointer<T>) -> Int
    ) {
        guard maximum > 0 else { return }
        let before = array.count
        reserve(&array, adding: maximum)
        array.append(contentsOf: repeatElement(.zero, count: maximum))
        let written = array.withUnsafeMutableBufferPointer { b in write(b.baseAddress! + before) }
        array.removeLast(maximum &- written)
    }

    /// Grows `array`'s capacity geometrically so that `adding` more elements fit: an exact
    /// `reserveCapacity` per chunk would reallocate on every chunk appended to one array.
    @inline(__always)
    private static func reserve<T>(_ array: inout [T], adding: Int) {
        let needed = array.count + adding
        if needed > array.capacity {
            array.reserveCapacity(max(needed, array.capacity * 2))
        }
    }
}
