import BasinModel
import BasinTestKit
@testable import QueryEngine
import StorageAPI
import Testing

/// The byte-level helpers behind fast aggregation give what the string-level originals give.
@Suite("Aggregation folds")
struct AggregationFoldTests {
    /// A random label set over a small alphabet, so prefixes and shared labels are common.
    static func labels(_ g: inout SeededGenerator) -> Labels {
        let names = ["__name__", "a", "ab", "b", "host", "region", "zone", "é"]
        let values = ["", "x", "xy", "y", "eu", "eu-west", "us", "\u{7F}", "ü", String(repeating: "v", count: 130)]
        var pairs: [(name: String, value: String)] = []
        for name in names where Int.random(in: 0..<3, using: &g) > 0 {
            pairs.append((name, values.randomElement(using: &g) ?? ""))
        }
        return Labels(pairs)
    }

    static func sameBits(_ a: Double, _ b: Double) -> Bool {
        a.isNaN ? b.isNaN : a.bitPattern == b.bitPattern
    }

    @Test("Collation orders label sets exactly as Labels.<")
    func collationMatchesLabelsOrder() {
        var g = SeededGenerator(seed: SeededGenerator.seed("collation"))
        for _ in 0..<5_000 {
            let a = Self.labels(&g), b = Self.labels(&g)
            #expect(LabelsCollation.precedes(a, b) == (a < b), "\(a) vs \(b)")
            #expect((LabelsCollation.compare(a, b) == 0) == (a == b), "\(a) vs \(b)")
            #expect(LabelsCollation.compare(a, a) == 0)
        }
        #expect(LabelsCollation.precedes(.empty, Labels(metricName: "m")))
        #expect(!LabelsCollation.precedes(Labels(metricName: "m"), .empty))
    }

    @Test("Sortedness is checked strictly")
    func strictSortedness() {
        let a = Labels(metricName: "a"), b = Labels(metricName: "b")
        #expect(LabelsCollation.isStrictlySorted([a, b], by: { $0 }))
        #expect(!LabelsCollation.isStrictlySorted([b, a], by: { $0 }))
        #expect(!LabelsCollation.isStrictlySorted([a, a], by: { $0 }))
        #expect(LabelsCollation.isStrictlySorted([Labels](), by: { $0 }))
    }

    @Test("Group keys cut from bytes equal keeping and removing")
    func groupKeysMatchStringLevelOperations() {
        var g = SeededGenerator(seed: SeededGenerator.seed("group keys"))
        let choices: [[String]] = [[], ["region"], ["host", "region"], ["__name__"], ["a", "zz", "é"], ["region", "region"]]
        for _ in 0..<2_000 {
            let labels = Self.labels(&g)
            let names = choices.randomElement(using: &g) ?? []
            #expect(GroupKeyCutter(.by(names)).key(labels) == labels.keeping(Set(names)))
            #expect(GroupKeyCutter(.without(names)).key(labels) == labels.removing(Set(names).union([Labels.metricNameKey])))
        }
    }

    @Test("Folding values one at a time gives reduce's result bit for bit", arguments: [
        AggregateOperator.sum, .avg, .min, .max, .count, .group,
    ])
    func accumulatorMatchesReduce(op: AggregateOperator) {
        var g = SeededGenerator(seed: SeededGenerator.seed("fold \(op)"))
        let special: [Double] = [.nan, .infinity, -.infinity, .greatestFiniteMagnitude, -.greatestFiniteMagnitude, 0, -0.0, 1e-300]
        for _ in 0..<500 {
            let steps = Int.random(in: 1...8, using: &g)
            let accumulator = GroupAccumulator(op, steps: steps)
            var perStep = [[Double]](repeating: [], count: steps)
            for _ in 0..<Int.random(in: 0...12, using: &g) {
                for i in 0..<steps where Bool.random(using: &g) {
                    let v = Int.random(in: 0..<4, using: &g) == 0
                        ? special.randomElement(using: &g) ?? 0
                        : Double.random(in: -1e6...1e6, using: &g) * (Bool.random(using: &g) ? 1 : 1e300)
                    perStep[i].append(v)
                    accumulator.add(v, at: i)
                }
            }
            for i in 0..<steps {
                let folded = accumulator.value(at: i)
                if perStep[i].isEmpty {
                    #expect(folded == nil)
                } else {
                    let reduced = AggregateOperator.reduce(op, perStep[i], parameter: .nan)
                    #expect(folded.map { Self.sameBits($0, reduced) } == true, "\(op) of \(perStep[i]): \(String(describing: folded)) vs \(reduced)")
                }
            }
        }
    }
}
