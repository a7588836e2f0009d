import Foundation

/// The summary Basin keeps of one distribution point (all raw values of one series at one
/// timestamp): count, sum, min, max and a DDSketch-style histogram of log-spaced bins.
///
/// The bin mapping is the Datadog Agent's own (`pkg/quantile`, spec §3.4), so sketches the Agent
/// sends to `/api/beta/sketches` can later be stored in the same form: relative accuracy
/// ε = 1/128, γ = 1 + 2ε = 1.015625, values below 1e-9 in bin 0, bias 1338. Bin `k > 0` holds
/// `[γ^(k−1338), γ^(k−1337))`; negative values use `−k`; `|k|` is capped at 32 766.
///
/// Reading a quantile back (the query side): rank = q·(count−1); walk the bins in key order
/// (negative keys from the most negative, then 0, then positive) accumulating counts until
/// the running count exceeds the rank; answer ``representative(ofKey:)`` of that bin clamped
/// to [min, max]. The representative `2·γ^(k−1338)·γ/(1+γ)` is within (γ−1)/(γ+1) ≈ 0.78 % of
/// every value in the bin, inside the 1 % required for p50…p99.
public struct DatadogDistributionSketch: Sendable, Equatable {
    /// Number of values.
    public var count: Int64 = 0
    /// Sum of the values.
    public var sum: Double = 0
    /// Smallest value (`+∞` when empty).
    public var min: Double = .infinity
    /// Largest value (`−∞` when empty).
    public var max: Double = -.infinity
    /// Bin key → number of values in it.
    public var bins: [Int32: Int64] = [:]

    /// γ = 1 + 2/128.
    public static let gamma = 1.015625
    /// Keys are offset by this so 1e-9 maps to key 1.
    public static let bias: Int32 = 1338
    /// Values with a smaller magnitude go to key 0.
    public static let minIndexable = 1e-9
    /// Largest key magnitude used.
    public static let maxKey: Int32 = 32_766
    static let logGamma = Foundation.log(gamma)

    /// An empty sketch.
    public init() {}

    /// Adds one finite value.
    public mutating func add(_ value: Double) {
        count += 1
        sum += value
        if value < min { min = value }
        if value > max { max = value }
        bins[Self.key(for: value), default: 0] += 1
    }

    /// Adds every value of another sketch.
    public mutating func merge(_ other: DatadogDistributionSketch) {
        count += other.count
        sum += other.sum
        min = Swift.min(min, other.min)
        max = Swift.max(max, other.max)
        for (key, n) in other.bins { bins[key, default: 0] += n }
    }

    /// The bin key of `value` (the Agent's mapping).
    public static func key(for value: Double) -> Int32 {
        let magnitude = Swift.abs(value)
        guard magnitude >= minIndexable else { return 0 }
        let raw = (Foundation.log(magnitude) / logGamma).rounded(.down) + Double(bias)
        let key = Int32(Swift.min(Swift.max(raw, 1), Double(maxKey)))
        return value < 0 ? -key : key
    }

    /// The lower bound (in magnitude) of bin `key`; 0 for key 0.
    public static func lowerBound(ofKey key: Int32) -> Double {
        guard key != 0 else { return 0 }
        let magnitude = Foundation.pow(gamma, Double(Swift.abs(key) - bias))
        return key < 0 ? -magnitude : magnitude
    }

    /// The value that stands for bin `key` when reading quantiles: within 0.78 % of any value in the bin.
    public static func representative(ofKey key: Int32) -> Double {
        lowerBound(ofKey: key) * 2 * gamma / (1 + gamma)
    }

    /// The q-quantile (0…1) read as the query side is meant to; nil when empty.
    public func quantile(_ q: Double) -> Double? {
        guard count > 0 else { return nil }
        if q <= 0 { return min }
        if q >= 1 { return max }
        let rank = q * Double(count - 1)
        var running: Int64 = 0
        for key in bins.keys.sorted() {
            running += bins[key] ?? 0
            if Double(running) > rank {
                return Swift.min(Swift.max(Self.representative(ofKey: key), min), max)
            }
        }
        return max
    }
}
