/// Where encoders write bits: a ``BitWriter``, or a ``BitCounter`` that only adds up the
/// length, so choosing an encoding runs the very code that writes it.
protocol BitSink: ~Copyable {
    /// Writes the low `bitCount` bits (0...64) of `value`, most significant first.
    mutating func write(_ value: UInt64, bitCount: Int)
}

extension BitWriter: BitSink {}

/// Counts the bits an encoder would write.
struct BitCounter: BitSink {
    private(set) var bitCount = 0

    @inline(__always)
    mutating func write(_ value: UInt64, bitCount: Int) {
        self.bitCount &+= bitCount
    }
}

extension SampleChunk {
    /// Gorilla-style prefix buckets for zigzag-encoded integers, with widths fitted per
    /// chunk instead of Gorilla's fixed 7/9/12/32 bits.
    ///
    /// Gorilla (and Prometheus' `bstream` variant) hard-code bucket widths tuned for 1 s to
    /// 60 s scrape jitter. Fitting the widths to the chunk's own histogram costs 1 to 3
    /// header bytes and lets the same coder serve timestamp jitter, page-sized memory deltas
    /// and counters alike; the wide bucket is always large enough for the chunk's largest
    /// value, so it is also the 64-bit escape.
    ///
    /// | mode | codes |
    /// |------|-------|
    /// | 0 allZero | every value is 0; no bits at all |
    /// | 1 fixed | `wide` bits each |
    /// | 2 twoWidths | `0` + `narrow` bits, or `1` + `wide` bits |
    /// | 3 zeroAndTwoWidths | `0` is 0, `10` + `narrow` bits, `11` + `wide` bits |
    struct Buckets: Equatable {
        enum Mode: UInt8 {
            case allZero = 0
            case fixed = 1
            case twoWidths = 2
            case zeroAndTwoWidths = 3
        }

        var mode: Mode
        /// Width of the short bucket, 0...wide (modes 2 and 3).
        var narrow: Int
        /// Width of the long bucket, 1...64 (modes 1 to 3).
        var wide: Int

        /// The bucket layout that writes the fewest bits for values with these zigzag bit
        /// lengths, and that bit count.
        ///
        /// - Parameter histogram: 65 counts; element `k` counts values of bit length `k`.
        /// - Complexity: O(64).
        static func cheapest(histogram h: UnsafeMutableBufferPointer<Int>) -> (buckets: Buckets, bits: Int) {
            var total = 0
            var maxLength = 0
            for k in 0...64 where h[k] > 0 {
                total += h[k]
                maxLength = k
            }
            if maxLength == 0 { return (Buckets(mode: .allZero, narrow: 0, wide: 0), 0) }
            var best = Buckets(mode: .fixed, narrow: 0, wide: maxLength)
            var bestBits = total * maxLength
            let zeros = h[0]
            var atMost = 0  // values of bit length <= narrow
            for narrow in 0..<maxLength {
                atMost += h[narrow]
                let twoWidths = atMost * (1 + narrow) + (total - atMost) * (1 + maxLength)
                if twoWidths < bestBits {
                    bestBits = twoWidths
                    best = Buckets(mode: .twoWidths, narrow: narrow, wide: maxLength)
                }
                if narrow > 0 {
                    let split = zeros + (atMost - zeros) * (2 + narrow) + (total - atMost) * (2 + maxLength)
                    if split < bestBits {
                        bestBits = split
                        best = Buckets(mode: .zeroAndTwoWidths, narrow: narrow, wide: maxLength)
                    }
                }
            }
            return (best, bestBits)
        }

        /// Writes one zigzag value, which must fit in ``wide`` bits.
        @inline(__always)
        func write<S: BitSink & ~Copyable>(_ z: UInt64, to sink: inout S) {
            switch mode {
            case .allZero:
                break
            case .fixed:
                sink.write(z, bitCount: wide)
            case .twoWidths:
                if Zigzag.bitLength(z) <= narrow {
                    sink.write(z, bitCount: 1 + narrow)  // leading 0 bit: z < 2^narrow
                } else {
                    sink.write(1, bitCount: 1)
                    sink.write(z, bitCount: wide)
                }
            case .zeroAndTwoWidths:
                if z == 0 {
                    sink.write(0, bitCount: 1)
                } else if Zigzag.bitLength(z) <= narrow {
                    if narrow <= 56 {
                        sink.write(0b10 &<< UInt64(narrow) | z, bitCount: 2 + narrow)
                    } else {
                        sink.write(0b10, bitCount: 2)
                        sink.write(z, bitCount: narrow)
                    }
                } else {
                    sink.write(0b11, bitCount: 2)
                    sink.write(z, bitCount: wide)
                }
            }
        }

        /// How one layout reads a zigzag value (zero bits past the end; the reader records
        /// the overrun), as a type: decode loops generic over it are compiled once per layout,
        /// with no switch on the mode per value.
        protocol Layout {
            static func read(_ reader: inout BitReader, narrow: Int, wide: Int) -> UInt64
        }

        enum AllZero: Layout {
            @inline(__always)
            static func read(_ reader: inout BitReader, narrow: Int, wide: Int) -> UInt64 { 0 }
        }

        enum Fixed: Layout {
            @inline(__always)
            static func read(_ reader: inout BitReader, narrow: Int, wide: Int) -> UInt64 { reader.read(wide) }
        }

        enum TwoWidths: Layout {
            @inline(__always)
            static func read(_ reader: inout BitReader, narrow: Int, wide: Int) -> UInt64 {
                reader.read(reader.readBit() ? wide : narrow)
            }
        }

        enum ZeroAndTwoWidths: Layout {
            @inline(__always)
            static func read(_ reader: inout BitReader, narrow: Int, wide: Int) -> UInt64 {
                reader.readBit() ? reader.read(reader.readBit() ? wide : narrow) : 0
            }
        }

        /// Writes the header: mode byte, then `wide` (modes 1-3), then `narrow` (modes 2-3).
        func writeHeader(to writer: inout BitWriter) {
            writer.writeByte(mode.rawValue)
            if mode != .allZero { writer.writeByte(UInt8(wide)) }
            if mode == .twoWidths || mode == .zeroAndTwoWidths { writer.writeByte(UInt8(narrow)) }
        }

        /// Size of the header ``writeHeader(to:)`` writes.
        var headerByteCount: Int {
            switch mode {
            case .allZero: 1
            case .fixed: 2
            case .twoWidths, .zeroAndTwoWidths: 3
            }
        }

        /// Reads and validates a header.
        static func readHeader(from reader: inout BitReader) throws(ChunkError) -> Buckets {
            guard let modeByte = reader.readByte() else { throw ChunkError("truncated bucket header") }
            guard let mode = Mode(rawValue: modeByte) else { throw ChunkError("unknown bucket mode \(modeByte)") }
            if mode == .allZero { return Buckets(mode: .allZero, narrow: 0, wide: 0) }
            guard let wide = reader.readByte() else { throw ChunkError("truncated bucket header") }
            guard wide >= 1, wide <= 64 else { throw ChunkError("bucket width \(wide)") }
            if mode == .fixed { return Buckets(mode: .fixed, narrow: 0, wide: Int(wide)) }
            guard let narrow = reader.readByte() else { throw ChunkError("truncated bucket header") }
            guard narrow <= wide else { throw ChunkError("narrow bucket width \(narrow) above \(wide)") }
            return Buckets(mode: mode, narrow: Int(narrow), wide: Int(wide))
        }
    }
}
