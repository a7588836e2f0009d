/// A Bloom filter over the string values of one partition column: a string it does not hold
/// is certainly not in the column, so an equality scan skips the partition.
///
/// `k` = 5 probes derived from one 64-bit hash (double hashing); about 10 bits per distinct
/// value gives under 1% false positives.
struct BloomFilter: Sendable, Hashable {
    static let probes = 5
    private(set) var words: [UInt64]

    init(distinctValues: Int) {
        let bits = max(64, distinctValues * 10)
        words = [UInt64](repeating: 0, count: (bits + 63) / 64)
    }

    init?(words: [UInt64]) {
        guard !words.isEmpty else { return nil }
        self.words = words
    }

    mutating func insert(_ s: String) {
        let (h1, h2) = Self.hashes(s)
        let bits = UInt64(words.count * 64)
        for i in 0..<UInt64(Self.probes) {
            let bit = (h1 &+ i &* h2) % bits
            words[Int(bit >> 6)] |= 1 << (bit & 63)
        }
    }

    func mayContain(_ s: String) -> Bool {
        let (h1, h2) = Self.hashes(s)
        let bits = UInt64(words.count * 64)
        for i in 0..<UInt64(Self.probes) {
            let bit = (h1 &+ i &* h2) % bits
            if words[Int(bit >> 6)] & (1 << (bit & 63)) == 0 { return false }
        }
        return true
    }

    /// FNV-1a over the UTF-8 bytes, then two finalizer mixes for the two hash functions.
    static func hashes(_ s: String) -> (UInt64, UInt64) {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        var s = s
        s.withUTF8 { utf8 in
            for b in utf8 {
                h ^= UInt64(b)
                h = h &* 0x0000_0100_0000_01B3
            }
        }
        return (mix(h), mix(h ^ 0x9E37_79B9_7F4A_7C15) | 1)
    }

    private static func mix(_ x: UInt64) -> UInt64 {
        var z = x
        z = (z ^ (z >> 33)) &* 0xff51_afd7_ed55_8ccd
        z = (z ^ (z >> 33)) &* 0xc4ce_b9fe_1a85_ec53
        return z ^ (z >> 33)
    }
}
