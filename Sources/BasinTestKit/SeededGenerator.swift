#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// SplitMix64: a small deterministic generator, so property tests print their seed and a failure
/// replays exactly (`BASIN_TEST_SEED=<seed>`).
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: UInt64

    /// Starts from `seed`.
    public init(seed: UInt64) {
        state = seed
    }

    /// Starts from `state` (the same as `init(seed:)`).
    public init(state: UInt64) {
        self.state = state
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A seed from `BASIN_TEST_SEED` or else from the clock, printed with `label` so a failure
    /// can be replayed.
    public static func seed(_ label: String) -> UInt64 {
        let seed: UInt64
        if let raw = getenv("BASIN_TEST_SEED"), let parsed = UInt64(String(cString: raw)) {
            seed = parsed
        } else {
            seed = UInt64(truncatingIfNeeded: ContinuousClock.now.hashValue) ^ 0xA5A5_5A5A_1234_5678
        }
        print("\(label): seed \(seed) (replay with BASIN_TEST_SEED=\(seed))")
        return seed
    }
}
