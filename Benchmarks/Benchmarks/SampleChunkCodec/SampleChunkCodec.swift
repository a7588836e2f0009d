// Encode and decode speed of the sample chunk codec (`Sources/StorageEngine/Chunks/`).
//
// The data imitates the bench payloads of `gen_payloads.py`: 100 series of 240 samples, one
// every 5 s, ten shapes (full-precision random walks that take the XOR encoding, "%.2f" and
// "%.3f" gauges, page-sized memory, growing counters and mostly-zero queues that take the
// scaled-integer encoding). One iteration encodes (or decodes) all 100 chunks: 24,000
// samples. `samples/s` is those samples over the iteration's wall time.
//
// Encoding appends to one reused buffer and decoding to two reused arrays, so the expected
// mallocs per iteration are zero.

import Benchmark
import StorageEngine

let samplesPerSecond = BenchmarkMetric.custom("samples/s", polarity: .prefersLarger, useScalingFactor: false)

/// SplitMix64, so every run benchmarks the same data.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Built once, outside every measurement.
let fixture = Fixture()

struct Fixture: Sendable {
    var timestamps: [[Int64]] = []
    var values: [[Double]] = []
    var chunks: [[UInt8]] = []
    var sampleCount = 0

    init() {
        var rng = SplitMix(state: 42)
        for s in 0..<100 {
            let start = Int64(1_790_000_000_000) + Int64(s * 37)
            timestamps.append((0..<240).map { start + Int64($0) * 5_000 })
            values.append(Fixture.series(shape: s % 10, using: &rng))
        }
        for s in 0..<100 {
            var out: [UInt8] = []
            timestamps[s].withUnsafeBufferPointer { t in
                values[s].withUnsafeBufferPointer { v in
                    SampleChunkCodec.encode(timestampsMillis: t, values: v, into: &out)
                }
            }
            chunks.append(out)
        }
        sampleCount = 100 * 240
    }

    static func series(shape: Int, using rng: inout SplitMix) -> [Double] {
        var x = Double.random(in: 10...50, using: &rng)
        var n: Int64 = Int64.random(in: 1 << 30 ... 1 << 34, using: &rng)
        return (0..<240).map { _ in
            switch shape {
            case 0, 1, 2:  // cpu %, bytes/s: full precision
                x = max(0.5, x + Double.random(in: -3...3, using: &rng))
                return x
            case 3:  // load, "%.2f"
                x = max(0, x + Double.random(in: -0.15...0.15, using: &rng))
                return (x * 100).rounded() / 100
            case 4:  // latency, "%.3f"
                return (Double.random(in: 20...400, using: &rng) * 1_000).rounded() / 1_000
            case 5:  // memory in 4 KiB pages
                n += Int64.random(in: -4096...4096, using: &rng) * 4096
                return Double(n)
            case 6, 7:  // growing counters
                n += Int64.random(in: 0...2_000_000, using: &rng)
                return Double(n)
            case 8:  // requests per interval
                return Double(Int.random(in: 900...1_100, using: &rng))
            default:  // queue depth, mostly zero
                return Int.random(in: 0..<20, using: &rng) == 0 ? Double(Int.random(in: 1...200, using: &rng)) : 0
            }
        }
    }
}

func recordRate(_ benchmark: Benchmark, samples: Int, since start: ContinuousClock.Instant) {
    let elapsed = ContinuousClock.now - start
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    if seconds > 0 { benchmark.measurement(samplesPerSecond, Int((Double(samples) / seconds).rounded())) }
}

let benchmarks: @Sendable () -> Void = {
    let configuration = Benchmark.Configuration(
        metrics: [.instructions, .mallocCountTotal, .wallClock, .throughput, samplesPerSecond],
        warmupIterations: 5,
        maxDuration: .seconds(3),
        maxIterations: 5_000,
        thresholds: [
            // Gated for `thresholds check`: mallocs (none expected) and instructions.
            .mallocCountTotal: .init(relative: [.p90: 0.0], absolute: [.p90: 2]),
            .instructions: .init(relative: [.p90: 5.0]),
            .wallClock: .init(relative: [:], absolute: [:]),
            .throughput: .init(relative: [:], absolute: [:]),
            samplesPerSecond: .init(relative: [:], absolute: [:]),
        ]
    )

    Benchmark("encode_100_chunks_of_240", configuration: configuration) { benchmark in
        var out: [UInt8] = []
        out.reserveCapacity(1 << 20)
        benchmark.startMeasurement()
        let start = ContinuousClock.now
        out.removeAll(keepingCapacity: true)
        for s in 0..<fixture.timestamps.count {
            fixture.timestamps[s].withUnsafeBufferPointer { t in
                fixture.values[s].withUnsafeBufferPointer { v in
                    SampleChunkCodec.encode(timestampsMillis: t, values: v, into: &out)
                }
            }
        }
        recordRate(benchmark, samples: fixture.sampleCount, since: start)
        benchmark.stopMeasurement()
        blackHole(out.count)
    }

    Benchmark("decode_100_chunks_of_240", configuration: configuration) { benchmark in
        var timestamps: [Int64] = []
        var values: [Double] = []
        timestamps.reserveCapacity(fixture.sampleCount)
        values.reserveCapacity(fixture.sampleCount)
        benchmark.startMeasurement()
        let start = ContinuousClock.now
        timestamps.removeAll(keepingCapacity: true)
        values.removeAll(keepingCapacity: true)
        for chunk in fixture.chunks {
            chunk.withUnsafeBytes { raw in
                SampleChunkCodec.decode(raw, startMillis: .min, endMillis: .max, timestamps: &timestamps, values: &values)
            }
        }
        recordRate(benchmark, samples: fixture.sampleCount, since: start)
        benchmark.stopMeasurement()
        blackHole(timestamps.count + values.count)
    }
}
