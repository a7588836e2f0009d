/// SplitMix64: a small deterministic generator so property tests can print and replay their seed.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A seed from the environment (`BASIN_TEST_SEED`) or the clock, printed so a failure can be replayed.
    static func seed(_ label: String) -> UInt64 {
        let seed: UInt64
        if let text = ProcessInfoSeed.value, let parsed = UInt64(text) {
            seed = parsed
        } else {
            seed = UInt64(truncatingIfNeeded: ContinuousClock.now.hashValue) ^ 0xA5A5_5A5A_1234_5678
        }
        print("\(label): seed \(seed) (replay with BASIN_TEST_SEED=\(seed))")
        return seed
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

enum ProcessInfoSeed {
    static var value: String? {
        guard let raw = getenv("BASIN_TEST_SEED") else { return nil }
        return String(cString: raw)
    }
}

import BasinWire

/// Runs `body` with a scanner over the UTF-8 of `text` (or raw bytes).
func scan<R>(_ bytes: [UInt8], nonFinite: Bool = false, maxDepth: Int = 64, _ body: (inout JSONScanner) throws(WireError) -> R) -> Result<R, WireError> {
    bytes.withUnsafeBytes { raw in
        var scanner = JSONScanner(bytes: raw, maxDepth: maxDepth, allowsNonFiniteLiterals: nonFinite)
        do throws(WireError) {
            return .success(try body(&scanner))
        } catch {
            return .failure(error)
        }
    }
}

func scan<R>(_ text: String, nonFinite: Bool = false, maxDepth: Int = 64, _ body: (inout JSONScanner) throws(WireError) -> R) -> Result<R, WireError> {
    scan(Array(text.utf8), nonFinite: nonFinite, maxDepth: maxDepth, body)
}

extension Result {
    var failure: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }

    var value: Success? {
        if case .success(let value) = self { return value }
        return nil
    }
}
