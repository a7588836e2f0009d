import BasinModel
import BasinTestKit
import Testing

/// ``LabelsBuilder`` against a plain reference: sort the pairs by name bytes (shorter prefix
/// first), keep the last of equal names, write `uvarint(length) bytes` for each name and value.
/// The builder encodes records as they are added, compares names a word at a time and copies
/// runs of records; the bytes must not differ by one. (It lives with the byte-level codec tests:
/// the decoders' hot paths depend on it.)
@Suite("LabelsBuilder reference")
struct LabelsBuilderReferenceTests {
    static func uvarint(_ value: Int) -> [UInt8] {
        var v = UInt(value)
        var out: [UInt8] = []
        while v >= 0x80 {
            out.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        out.append(UInt8(v))
        return out
    }

    static func reference(_ pairs: [([UInt8], [UInt8])]) -> [UInt8] {
        let ordered = pairs.enumerated().sorted { a, b in
            a.element.0 == b.element.0 ? a.offset < b.offset : a.element.0.lexicographicallyPrecedes(b.element.0)
        }
        var out: [UInt8] = []
        for (k, item) in ordered.enumerated() {
            if k + 1 < ordered.count, ordered[k + 1].element.0 == item.element.0 { continue }
            out += uvarint(item.element.0.count) + item.element.0 + uvarint(item.element.1.count) + item.element.1
        }
        return out
    }

    /// Names that share long prefixes, differ past eight bytes, hold NUL and high bytes.
    static func name(_ g: inout SeededGenerator) -> [UInt8] {
        let stems: [[UInt8]] = [[], Array("host".utf8), Array("instance_".utf8), Array("__name__".utf8), Array("abcdefgh".utf8), [0], [0xFF]]
        var bytes = stems[Int.random(in: 0..<stems.count, using: &g)]
        for _ in 0..<Int.random(in: 0...18, using: &g) {
            bytes.append([0, 0x41, 0x5F, 0x61, 0x62, 0x7A, 0x80, 0xFF][Int.random(in: 0..<8, using: &g)])
        }
        return bytes
    }

    @Test("Random label sets encode exactly like the reference", arguments: [UInt64(11), 12, 13])
    func random(seed: UInt64) {
        var g = SeededGenerator(seed: seed)
        print("seed \(seed)")
        var builder = LabelsBuilder()
        for _ in 0..<500 {
            builder.reset()
            let count = Int.random(in: 0...40, using: &g)
            var pairs: [([UInt8], [UInt8])] = []
            for _ in 0..<count {
                let name = Bool.random(using: &g) && !pairs.isEmpty ? pairs[Int.random(in: 0..<pairs.count, using: &g)].0 : Self.name(&g)
                let value = [UInt8](repeating: 0x76, count: Int.random(in: 0...(Bool.random(using: &g) ? 20 : 300), using: &g))
                pairs.append((name, value))
                builder.add(name: name, value: value)
            }
            #expect(builder.count == count)
            let expected = Self.reference(pairs)
            #expect(builder.build().bytes == expected)
            // What a decoder hands a batch: appended after other bytes, without a Labels value,
            // into a batch's column, which a copy taken before must not see.
            var column = ByteColumn([7, 7])
            let before = column
            builder.appendEncoding(to: &column)
            #expect(column.array == [7, 7] + expected)
            #expect(before.array == [7, 7])
        }
    }

    @Test("Pairs added in order, or in order but for the metric name, build the same bytes")
    func sortedInput() {
        let pairs = (0..<9).map { (Array("key\($0)".utf8), Array("value \($0)".utf8)) }
        var builder = LabelsBuilder()
        for (name, value) in pairs { builder.add(name: name, value: value) }
        #expect(builder.build().bytes == Self.reference(pairs))
        builder.add(name: Array("__name__".utf8), value: Array("m".utf8))
        #expect(builder.build().bytes == Self.reference(pairs + [(Array("__name__".utf8), Array("m".utf8))]))
    }

    @Test("Sorted pairs followed by one more pair anywhere, a duplicate included, encode like the reference", arguments: [UInt64(21), 22])
    func sortedThenOne(seed: UInt64) {
        var g = SeededGenerator(seed: seed)
        print("seed \(seed)")
        var builder = LabelsBuilder()
        for _ in 0..<500 {
            builder.reset()
            var names: [[UInt8]] = []
            for _ in 0..<Int.random(in: 0...12, using: &g) { names.append(Self.name(&g)) }
            let sorted = Array(Set(names)).sorted { $0.lexicographicallyPrecedes($1) }
            var pairs = sorted.map { ($0, Array("v".utf8)) }
            let last = !sorted.isEmpty && Bool.random(using: &g) ? sorted[Int.random(in: 0..<sorted.count, using: &g)] : Self.name(&g)
            pairs.append((last, Array("last".utf8)))
            for (name, value) in pairs { builder.add(name: name, value: value) }
            #expect(builder.build().bytes == Self.reference(pairs))
            var batch = MetricBatch()
            _ = batch.beginSeries(Labels(metricName: "first"), kind: .gauge)
            let slot = batch.beginSeries(builder, kind: .count)
            #expect(batch.labels(at: Int(slot)).bytes == Self.reference(pairs))
        }
    }

    @Test("A copied builder is independent of the original")
    func valueSemantics() {
        var a = LabelsBuilder()
        a.add(name: "a", value: "1")
        var b = a
        b.add(name: "b", value: "2")
        a.add(name: "c", value: "3")
        #expect(a.build() == Labels([(name: "a", value: "1"), (name: "c", value: "3")]))
        #expect(b.build() == Labels([(name: "a", value: "1"), (name: "b", value: "2")]))
        var c = b
        c.reset()
        c.add(name: "z", value: "9")
        #expect(b.build() == Labels([(name: "a", value: "1"), (name: "b", value: "2")]))
        #expect(c.build() == Labels([(name: "z", value: "9")]))
        #expect(LabelsBuilder().build() == .empty)
    }
}
