@testable import QueryEngine
import Testing

@Suite("Rollup windows")
struct RollupWindowTests {
    func window(_ times: [Int64], _ values: [Double], start: Int64, end: Int64) -> RollupWindow {
        RollupWindow(timestampsMillis: times[...], values: values[...], startMillis: start, endMillis: end)
    }

    @Test("increase does not extrapolate a counter below zero")
    func increaseStopsAtZero() {
        // Samples 5 and 15 at 30s and 60s in (0, 60s]: 10 over 30s; the start gap is 30s but the
        // counter was at zero 15s before the first sample, so only 15s are added.
        let w = window([30_000, 60_000], [5, 15], start: 0, end: 60_000)
        #expect(w.apply(.increase, parameter: .nan) == 15)
    }

    @Test("delta extrapolates gauges below zero")
    func deltaGoesBelowZero() {
        let w = window([30_000, 60_000], [5, 15], start: 0, end: 60_000)
        #expect(w.apply(.delta, parameter: .nan) == 20)
    }

    @Test("Rollups needing two samples return nothing for one")
    func tooFewSamples() {
        let w = window([30_000], [5], start: 0, end: 60_000)
        for function in [RollupFunction.rate, .increase, .delta, .irate, .idelta] {
            #expect(w.apply(function, parameter: .nan) == nil)
        }
        #expect(w.apply(.count, parameter: .nan) == 1)
        #expect(w.apply(.last, parameter: .nan) == 5)
    }

    @Test("min and max ignore NaN unless every value is NaN")
    func nanHandling() {
        let w = window([1, 2, 3], [.nan, 4, 2], start: 0, end: 3)
        #expect(w.apply(.min, parameter: .nan) == 2)
        #expect(w.apply(.max, parameter: .nan) == 4)
        let allNaN = window([1], [.nan], start: 0, end: 1)
        #expect(allNaN.apply(.max, parameter: .nan)?.isNaN == true)
    }

    @Test("irate treats a decrease as a counter reset")
    func irateReset() {
        let w = window([0, 10_000], [100, 20], start: -1, end: 10_000)
        #expect(w.apply(.irate, parameter: .nan) == 2)
        #expect(w.apply(.idelta, parameter: .nan) == -80)
    }
}
