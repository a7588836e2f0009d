import BasinTestKit
import BasinWire
import NIOCore
@testable import DialectPrometheus
import Testing

/// The fast path of sample value rendering agrees with the general rewriting of Swift's digits.
@Suite("Prometheus value text")
struct PrometheusValueTextTests {
    @Test("Random values render the same through the fast path and the general one")
    func fastPathMatchesGeneral() {
        var g = SeededGenerator(seed: SeededGenerator.seed("value text"))
        for _ in 0..<20_000 {
            let v: Double
            switch Int.random(in: 0..<4, using: &g) {
            case 0: v = Double(bitPattern: g.next())
            case 1: v = Double(Int.random(in: -1_000_000...1_000_000, using: &g)) / [1, 10, 100, 1000, 3][Int.random(in: 0..<5, using: &g)]
            case 2: v = Double.random(in: -1...1, using: &g) * Double(sign: .plus, exponent: Int.random(in: -30...60, using: &g), significand: 1)
            default: v = Double(Int64.random(in: .min ... .max, using: &g))
            }
            guard v.isFinite else { continue }
            #expect(PrometheusResponseWriter.valueText(v) == PrometheusResponseWriter.generalValueText(v.description), "\(v)")
        }
    }

    @Test("Timestamps written as digits equal their text", arguments: [
        Int64(0), 1, -1, 999, -1500, 1_700_000_000_000, 1_700_000_000_010, 1_700_000_000_123, .max, .min, .min + 1,
    ])
    func timestampDigits(millis: Int64) {
        var w = JSONWriter(capacity: 64)
        PrometheusResponseWriter.writeTimestamp(&w, millis)
        #expect(w.buffer.getString(at: 0, length: w.buffer.readableBytes) == PrometheusResponseWriter.timestampText(millis))
    }

    @Test("Random timestamps written as digits equal their text")
    func randomTimestampDigits() {
        var g = SeededGenerator(seed: SeededGenerator.seed("timestamps"))
        for _ in 0..<10_000 {
            let millis = Bool.random(using: &g) ? Int64.random(in: -10_000_000...10_000_000, using: &g) : Int64(bitPattern: g.next())
            var w = JSONWriter(capacity: 64)
            PrometheusResponseWriter.writeTimestamp(&w, millis)
            #expect(w.buffer.getString(at: 0, length: w.buffer.readableBytes) == PrometheusResponseWriter.timestampText(millis))
        }
    }
}
