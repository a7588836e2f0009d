import BasinTestKit
import Testing

@testable import StorageEngine

// MARK: Generators

/// Strictly increasing timestamps of one of several shapes, including the Int64 extremes.
private func makeTimestamps(count n: Int, using rng: inout SeededGenerator) -> [Int64] {
    switch Int.random(in: 0..<5, using: &rng) {
    case 0:
        // Regular scrape interval with millisecond jitter, around now.
        let interval = Int64([1_000, 10_000, 15_000, 60_000].randomElement(using: &rng)!)
        var t = Int64.random(in: 1_700_000_000_000...1_800_000_000_000, using: &rng)
        return (0..<n).map { _ in
            t += interval + Int64.random(in: -20...20, using: &rng)
            return t
        }
    case 1:
        // Anywhere in the Int64 range, huge gaps: sorted distinct random values.
        var set = Set<Int64>()
        while set.count < n { set.insert(Int64.random(in: .min ... .max, using: &rng)) }
        return set.sorted()
    case 2:
        // Hugging Int64.min, then jumping to Int64.max.
        let k = Int64.random(in: 0...1_000, using: &rng)
        let low = (n + 1) / 2
        return (0..<n).map { i in
            i < low ? Int64.min + k + Int64(i) : Int64.max - k - Int64(n - 1 - i)
        }
    case 3:
        // Irregular gaps of every magnitude.
        var t = Int64.random(in: -1_000_000_000...1_000_000_000, using: &rng)
        return (0..<n).map { _ in
            let bits = Int64.random(in: 0...40, using: &rng)
            t += 1 + Int64.random(in: 0...(1 << bits), using: &rng)
            return t
        }
    default:
        // Consecutive milliseconds with a few gaps.
        var t = Int64.random(in: Int64.min / 2 ... Int64.max / 2, using: &rng)
        return (0..<n).map { _ in
            t += Int.random(in: 0..<10, using: &rng) == 0 ? Int64.random(in: 2...100_000, using: &rng) : 1
            return t
        }
    }
}

/// One value of a randomly chosen kind: special bit patterns included.
private func makeSpecialValue(using rng: inout SeededGenerator) -> Double {
    switch Int.random(in: 0..<10, using: &rng) {
    case 0: return Double(bitPattern: rng.next())  // anything, NaNs with payloads included
    case 1: return Double(nan: UInt64.random(in: 0..<(1 << 50), using: &rng), signaling: Bool.random(using: &rng))
    case 2: return [0.0, -0.0, .infinity, -.infinity].randomElement(using: &rng)!
    case 3: return Double(bitPattern: UInt64.random(in: 1..<(1 << 52), using: &rng))  // subnormal
    case 4: return -Double(bitPattern: UInt64.random(in: 1..<(1 << 52), using: &rng))
    case 5: return .greatestFiniteMagnitude * (Bool.random(using: &rng) ? 1 : -1)
    default: return Double(Int.random(in: -1_000...1_000, using: &rng))
    }
}

/// Values from one of several mixes.
private func makeValues(count n: Int, using rng: inout SeededGenerator) -> [Double] {
    switch Int.random(in: 0..<7, using: &rng) {
    case 0:
        return (0..<n).map { _ in makeSpecialValue(using: &rng) }
    case 1:
        // Full-precision random walk.
        var x = Double.random(in: -100...100, using: &rng)
        return (0..<n).map { _ in
            x += Double.random(in: -1...1, using: &rng)
            return x
        }
    case 2:
        // Two or three decimals, as agents print them.
        let scale = Bool.random(using: &rng) ? 100.0 : 1_000.0
        var s = Int64.random(in: -100_000...100_000, using: &rng)
        return (0..<n).map { _ in
            s += Int64.random(in: -500...500, using: &rng)
            return Double(s) / scale
        }
    case 3:
        // Integers: a counter, occasionally reset.
        var c = Int64.random(in: 0...1 << 40, using: &rng)
        return (0..<n).map { _ in
            c = Int.random(in: 0..<50, using: &rng) == 0 ? 0 : c + Int64.random(in: 0...10_000, using: &rng)
            return Double(c)
        }
    case 4:
        // Constant runs, broken now and then by a special value.
        var current = makeSpecialValue(using: &rng)
        return (0..<n).map { _ in
            if Int.random(in: 0..<20, using: &rng) == 0 { current = makeSpecialValue(using: &rng) }
            return current
        }
    case 5:
        // Scaled-looking integers near the 2^53 limit and huge magnitudes.
        return (0..<n).map { _ in
            Double(Int64.random(in: -(1 << 53)...(1 << 53), using: &rng)) / [1, 10, 1e6, 1e7].randomElement(using: &rng)!
        }
    default:
        // Mostly decimals with the odd special value: neither encoding fits perfectly.
        return (0..<n).map { _ in
            Int.random(in: 0..<30, using: &rng) == 0
                ? makeSpecialValue(using: &rng)
                : Double(Int.random(in: -10_000...10_000, using: &rng)) / 100
        }
    }
}

private func encodeChunk(_ t: [Int64], _ v: [Double]) -> [UInt8] {
    var out: [UInt8] = []
    SampleChunk.encode(timestampsMillis: t[...], values: v[...], into: &out)
    return out
}

private func decodeChunk(
    _ bytes: [UInt8], startMillis: Int64 = .min, endMillis: Int64 = .max
) throws -> (timestamps: [Int64], values: [Double]) {
    var t: [Int64] = []
    var v: [Double] = []
    try bytes.withUnsafeBytes { raw in
        try SampleChunk.decode(raw, startMillis: startMillis, endMillis: endMillis, timestamps: &t, values: &v)
    }
    return (t, v)
}

/// Decodes and ignores the outcome: only trapping would fail the test.
private func decodeIgnoringErrors(_ bytes: [UInt8]) {
    var t: [Int64] = [7]
    var v: [Double] = [7]
    bytes.withUnsafeBytes { raw in
        do {
            try SampleChunk.decode(raw, startMillis: .min, endMillis: .max, timestamps: &t, values: &v)
            #expect(t.count == v.count)
            #expect(t.count <= 1 + SampleChunk.maxSampleCount)
        } catch {
            #expect(t == [7] && v.map(\.bitPattern) == [(7.0).bitPattern], "output restored on error")
        }
    }
}

private func bitsEqual(_ a: [Double], _ b: some Collection<Double>) -> Bool {
    a.count == b.count && zip(a, b).allSatisfy { $0.bitPattern == $1.bitPattern }
}

// MARK: Properties

@Suite("Sample chunk codec")
struct SampleChunkTests {
    @Test("random chunks round-trip bit for bit")
    func randomChunksRoundTrip() throws {
        let seed = SeededGenerator.seed("randomChunksRoundTrip")
        var rng = SeededGenerator(seed: seed)
        for round in 0..<400 {
            let n = round % 10 == 0 ? Int.random(in: 1...3, using: &rng) : Int.random(in: 1...300, using: &rng)
            let t = makeTimestamps(count: n, using: &rng)
            let v = makeValues(count: n, using: &rng)
            let chunk = encodeChunk(t, v)
            let decoded = try decodeChunk(chunk)
            #expect(decoded.timestamps == t, "seed \(seed) round \(round)")
            #expect(bitsEqual(decoded.values, v), "seed \(seed) round \(round)")
            if decoded.timestamps != t || !bitsEqual(decoded.values, v) { return }
        }
    }

    @Test("a chunk of the maximum sample count round-trips")
    func maximumCountRoundTrips() throws {
        var rng = SeededGenerator(seed: SeededGenerator.seed("maximumCountRoundTrips"))
        let n = SampleChunk.maxSampleCount
        let t = makeTimestamps(count: n, using: &rng)
        let v = (0..<n).map { _ in makeSpecialValue(using: &rng) }
        let decoded = try decodeChunk(encodeChunk(t, v))
        #expect(decoded.timestamps == t)
        #expect(bitsEqual(decoded.values, v))
    }

    @Test("range decoding returns exactly the samples inside the inclusive range")
    func rangeDecodeReturnsTheInRangeSubset() throws {
        let seed = SeededGenerator.seed("rangeDecodeReturnsTheInRangeSubset")
        var rng = SeededGenerator(seed: seed)
        for round in 0..<200 {
            let n = Int.random(in: 1...120, using: &rng)
            let t = makeTimestamps(count: n, using: &rng)
            let v = makeValues(count: n, using: &rng)
            let chunk = encodeChunk(t, v)
            // Bounds on, between and outside the samples.
            func bound() -> Int64 {
                switch Int.random(in: 0..<4, using: &rng) {
                case 0: t.randomElement(using: &rng)!
                case 1: t.randomElement(using: &rng)! &+ Int64.random(in: -2...2, using: &rng)
                case 2: [Int64.min, Int64.max].randomElement(using: &rng)!
                default: Int64.random(in: .min ... .max, using: &rng)
                }
            }
            let a = bound()
            let b = bound()
            let (start, end) = round % 7 == 0 ? (max(a, b), min(a, b)) : (min(a, b), max(a, b))
            let decoded = try decodeChunk(chunk, startMillis: start, endMillis: end)
            let expected = t.indices.filter { t[$0] >= start && t[$0] <= end }
            #expect(decoded.timestamps == expected.map { t[$0] }, "seed \(seed) round \(round)")
            #expect(bitsEqual(decoded.values, expected.map { v[$0] }), "seed \(seed) round \(round)")
        }
    }

    @Test("decoding appends after existing samples and ignores bytes after the chunk")
    func decodeAppendsAndStopsAtTheChunkEnd() throws {
        var block: [UInt8] = [0xAA]
        SampleChunk.encode(timestampsMillis: [1, 2, 3][...], values: [1.5, 2.5, 3.5][...], into: &block)
        let secondStart = block.count
        SampleChunk.encode(timestampsMillis: [10, 20][...], values: [-0.0, .nan][...], into: &block)
        var t: [Int64] = [0]
        var v: [Double] = [0]
        try block.withUnsafeBytes { raw in
            try SampleChunk.decode(
                UnsafeRawBufferPointer(rebasing: raw[1...]), startMillis: 2, endMillis: 100, timestamps: &t, values: &v
            )
            try SampleChunk.decode(
                UnsafeRawBufferPointer(rebasing: raw[secondStart...]), startMillis: 0, endMillis: 15,
                timestamps: &t, values: &v
            )
        }
        #expect(t == [0, 2, 3, 10])
        #expect(bitsEqual(v, [0, 2.5, 3.5, -0.0]))
    }

    // MARK: Malformed input

    @Test("decoding random bytes never traps")
    func randomBytesNeverTrap() {
        var rng = SeededGenerator(seed: SeededGenerator.seed("randomBytesNeverTrap"))
        for round in 0..<3_000 {
            var bytes = (0..<Int.random(in: 0...48, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            // Mostly a valid tag, so decoding gets past the first byte.
            if !bytes.isEmpty, round % 4 != 0 { bytes[0] = Bool.random(using: &rng) ? 0x11 : 0x12 }
            decodeIgnoringErrors(bytes)
        }
    }

    @Test("every truncation and every bit flip of valid chunks decodes or throws")
    func truncationsAndBitFlipsNeverTrap() throws {
        var rng = SeededGenerator(seed: SeededGenerator.seed("truncationsAndBitFlipsNeverTrap"))
        for _ in 0..<6 {
            let n = Int.random(in: 1...40, using: &rng)
            let chunk = encodeChunk(makeTimestamps(count: n, using: &rng), makeValues(count: n, using: &rng))
            for length in 0..<chunk.count {
                #expect(throws: ChunkError.self) { try decodeChunk(Array(chunk[..<length])) }
            }
            for bit in 0..<(chunk.count * 8) {
                var flipped = chunk
                flipped[bit / 8] ^= 1 << (bit % 8)
                decodeIgnoringErrors(flipped)
            }
        }
    }

    @Test(
        "malformed headers are rejected",
        arguments: [
            ("empty", []),
            ("unknown version", [0x21, 0x01, 0x00, 0x00, 0x00, 0x00]),
            ("unknown value encoding", [0x13, 0x01, 0x00, 0x00, 0x00, 0x00]),
            ("zero samples", [0x11, 0x00, 0x00, 0x00, 0x00, 0x00]),
            ("absurd sample count", [0x11, 0x80, 0x80, 0x04, 0x00, 0x00, 0x00, 0x00]),
            ("zero first delta", [0x11, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00]),
            ("bucket width 65", [0x11, 0x03, 0x00, 0x01, 0x01, 0x41, 0x00, 0x00]),
            ("stream longer than the bytes", [0x11, 0x01, 0x00, 0x00, 0x05, 0x00]),
            ("overlong varint", [0x11] + [UInt8](repeating: 0xFF, count: 11)),
        ] as [(String, [UInt8])]
    )
    func malformedHeadersAreRejected(name: String, bytes: [UInt8]) {
        #expect(throws: ChunkError.self, "\(name)") { try decodeChunk(bytes) }
    }

    // MARK: Hand-picked cases

    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        let timestamps: [Int64]
        let values: [Double]
        let encoding: SampleChunk.ValueEncoding
        /// Upper bound on the whole chunk's size.
        let maxBytes: Int
        var testDescription: String { name }
    }

    static let regular10s: [Int64] = (0..<240).map { (i: Int) -> Int64 in 1_790_000_000_000 + Int64(i) * 10_000 }

    static func series(_ value: (Int) -> Double) -> [Double] {
        (0..<240).map(value)
    }

    static let jittered: [Int64] = regular10s.enumerated().map { (i: Int, t: Int64) -> Int64 in i == 100 ? t + 3 : t }
    static let pages: [Double] = series { (i: Int) -> Double in Double((1 << 33) + ((i * 7919) % 1_000) * 4096) }
    static let twoDecimals: [Double] = series { (i: Int) -> Double in Double(200 + (i * 7919) % 97) / 100 }
    static let walk: [Double] = series { (i: Int) -> Double in 50 + Double((i * 7919) % 1_000) / 997 + Double(i) / 3 }
    static let counter: [Double] = series { (i: Int) -> Double in Double(1_000 + i * 37) }
    static let negativeZero: [Double] = series { (i: Int) -> Double in i == 5 ? -0.0 : 0 }
    static let withNaN: [Double] = series { (i: Int) -> Double in i == 5 ? .nan : Double(i) }

    static let cases: [Case] = [
        Case(
            name: "constant series", timestamps: regular10s, values: Array(repeating: 42, count: 240),
            encoding: .scaledDecimal, maxBytes: 20
        ),
        Case(name: "counter at a steady rate", timestamps: regular10s, values: counter, encoding: .scaledDecimal, maxBytes: 22),
        Case(
            // One timestamp 3 ms late: one bit per timestamp plus three short escapes (a perfectly
            // regular series, as in "constant series", spends no bits at all on timestamps).
            name: "regular 10 s interval costs about one bit per timestamp", timestamps: jittered,
            values: Array(repeating: 0, count: 240), encoding: .scaledDecimal, maxBytes: 20 + 240 / 8 + 4
        ),
        Case(
            name: "two-decimal gauge chooses scaled integers", timestamps: regular10s, values: twoDecimals,
            encoding: .scaledDecimal, maxBytes: 20 + 240
        ),
        Case(
            name: "memory in whole pages shifts out the page size", timestamps: regular10s, values: pages,
            encoding: .scaledDecimal, maxBytes: 20 + 240 * 13 / 8
        ),
        Case(
            name: "full-precision random walk chooses XOR", timestamps: regular10s, values: walk,
            encoding: .xor, maxBytes: 20 + 240 * 8
        ),
        Case(
            name: "negative zero rules out scaled integers", timestamps: regular10s, values: negativeZero,
            encoding: .xor, maxBytes: 20 + 240 / 8 + 8 + 4
        ),
        Case(
            name: "NaN rules out scaled integers", timestamps: regular10s, values: withNaN,
            encoding: .xor, maxBytes: 20 + 240 * 8
        ),
        Case(name: "single sample", timestamps: [-5], values: [.infinity], encoding: .xor, maxBytes: 16),
    ]

    @Test("hand-picked series choose the expected encoding and size", arguments: cases)
    func handPickedCase(_ c: Case) throws {
        let chunk = encodeChunk(c.timestamps, c.values)
        #expect(chunk[0] == SampleChunk.formatVersion << 4 | c.encoding.rawValue)
        #expect(chunk.count <= c.maxBytes, "\(chunk.count) bytes")
        let decoded = try decodeChunk(chunk)
        #expect(decoded.timestamps == c.timestamps)
        #expect(bitsEqual(decoded.values, c.values))
    }

    // MARK: Bit streams

    @Test("bit writer and reader agree on random widths")
    func bitStreamsRoundTrip() {
        var rng = SeededGenerator(seed: SeededGenerator.seed("bitStreamsRoundTrip"))
        let fields = (0..<2_000).map { _ in
            let width = Int.random(in: 0...64, using: &rng)
            let value = width == 0 ? 0 : rng.next() & (UInt64.max >> UInt64(64 - width))
            return (value, width)
        }
        var bytes: [UInt8] = [0xEE]
        var writer = BitWriter(appendingTo: &bytes)
        for (value, width) in fields { writer.write(value, bitCount: width) }
        writer.finish(into: &bytes)
        #expect(bytes[0] == 0xEE)
        bytes.withUnsafeBytes { raw in
            var reader = BitReader(raw, offset: 1)
            for (value, width) in fields {
                #expect(reader.read(width) == value)
            }
            #expect(reader.remainingBits < 8)
            #expect(!reader.overran)
            _ = reader.read(9)
            #expect(reader.overran)
        }
    }
}
