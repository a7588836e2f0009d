import BasinModel
import BasinTestKit
import StorageAPI
import Testing

/// The window fold against a per-window filter of the samples: sparse and dense series
/// (fewer and more than eight samples per window), overlapping and disjoint windows, windows
/// before, inside and after the samples, and repeated window ends.
@Suite("Window fold edges")
struct WindowFoldEdgesTests {
    @Test("count, first, last, min, max and sum of each window match a filter of the samples", arguments: 0..<24)
    func edgesMatchFilter(seed: Int) {
        var rng = SeededGenerator(seed: SeededGenerator.seed("windowFoldEdges") &+ UInt64(seed))
        let gap = Int64.random(in: 1...40, using: &rng)
        var ts: [Int64] = []
        var t = Int64.random(in: -50...50, using: &rng)
        for _ in 0..<Int.random(in: 0...300, using: &rng) {
            t += Int64.random(in: 1...gap, using: &rng)
            ts.append(t)
        }
        let vs = ts.map { _ in Double(Int.random(in: -1_000...1_000, using: &rng)) / 8 }
        let width = Int64.random(in: 1...200, using: &rng)
        let step = Int64.random(in: 1...100, using: &rng)
        var ends: [Int64] = []
        var end = Int64.random(in: -100...100, using: &rng)
        for _ in 0..<Int.random(in: 1...80, using: &rng) {
            ends.append(end)
            if Int.random(in: 0..<8, using: &rng) != 0 { end += step }
        }
        let w = WindowShapeAggregatesTests.fold(ts, vs, ends: ends, width: width, aggregates: [.sum, .min, .max, .first, .last])
        for (i, end) in ends.enumerated() {
            let inside = ts.indices.filter { ts[$0] > end - width && ts[$0] <= end }.map { vs[$0] }
            #expect(Int(w.count[i]) == inside.count, "seed \(seed) window \(i)")
            if let first = inside.first, let last = inside.last {
                #expect(w.first[i] == first && w.last[i] == last, "seed \(seed) window \(i)")
                #expect(w.min[i] == inside.min() && w.max[i] == inside.max(), "seed \(seed) window \(i)")
                // Eighths are exact in binary, so the sum is exact whatever the order.
                #expect(w.sum[i] == inside.reduce(0, +), "seed \(seed) window \(i)")
            } else {
                #expect(w.last[i].isNaN && w.sum[i].isNaN, "seed \(seed) window \(i)")
            }
        }
    }
}
