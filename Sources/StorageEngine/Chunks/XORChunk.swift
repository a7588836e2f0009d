/// The compressed sample chunk: one series' samples (strictly increasing millisecond
/// timestamps, any `Double` bit patterns), lossless, as blocks store them.
///
/// The byte layout is specified in `Docs/chunks.md` (format version 1). In short: a header,
/// then a bit stream of timestamp delta-of-deltas in per-chunk fitted buckets, then the values
/// in whichever of two encodings is shorter for this chunk:
/// - ``ValueEncoding/xor``: Gorilla XOR against the previous value with leading-zero /
///   meaningful-bit windows (Pelkonen et al., "Gorilla", VLDB 2015, section 4.1.2);
/// - ``ValueEncoding/scaledDecimal``: every value is exactly `Double(s) / 10^d` for integers
///   `s` and one `d` in 0...6, so the integers are stored as first- or second-order
///   differences, like the timestamps. This is what makes gauges reported as `"%.2f"` or
///   integer byte counts cost a few bits instead of Gorilla's 20 to 50.
///
/// Encoding appends to a caller-owned byte array (the block writer concatenates chunks);
/// decoding reads borrowed bytes and appends to caller-owned arrays, so neither allocates per
/// sample.
enum SampleChunk {
    /// Format version, the high nibble of the first byte.
    static let formatVersion: UInt8 = 1

    /// Largest number of samples in one chunk (the count is also a decoder's allocation cap).
    static let maxSampleCount = 65_535

    /// How a chunk stores its values (the low nibble of the first byte).
    enum ValueEncoding: UInt8, Sendable {
        /// Gorilla XOR with leading-zero / meaningful-bit windows.
        case xor = 1
        /// `Double(s) / 10^d`: integers `s` as bucketed differences.
        case scaledDecimal = 2
    }

    /// Exact powers of ten for ``ValueEncoding/scaledDecimal`` (all exactly representable).
    static let maxDecimals = 6

    @inline(__always)
    static func powerOfTen(_ decimals: Int) -> Double {
        switch decimals {
        case 0: 1
        case 1: 10
        case 2: 100
        case 3: 1_000
        case 4: 10_000
        case 5: 100_000
        default: 1_000_000
        }
    }

    /// Magnitude bound for scaled integers: every integer below it converts to `Double`
    /// exactly, and first and second differences stay far from `Int64` overflow.
    static let scaledLimit: Double = 9_007_199_254_740_992  // 2^53
}

/// Why chunk bytes could not be decoded (truncated, corrupt or not a chunk).
struct ChunkError: Error, Equatable, CustomStringConvertible {
    /// What was wrong, for logs.
    let message: String

    init(_ message: String) {
        self.message = message
    }

    var description: String { "malformed sample chunk: \(message)" }
}
