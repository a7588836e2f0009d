import BasinModel
import BasinTestKit
import Testing

@Suite("Labels")
struct LabelsTests {
    @Test("A label set is sorted by name whatever order pairs arrive in")
    func sortsByName() {
        let labels = Labels([(name: "zone", value: "b"), (name: "__name__", value: "m.x"), (name: "app", value: "a")])
        #expect(labels.pairs.map(\.name) == ["__name__", "app", "zone"])
        #expect(labels.metricName == "m.x")
        #expect(labels["app"] == "a")
        #expect(labels["missing"] == nil)
    }

    @Test("The last value added for a repeated name wins")
    func lastDuplicateWins() {
        var builder = LabelsBuilder()
        builder.add(name: "host", value: "a")
        builder.add(name: "env", value: "x")
        builder.add(name: "host", value: "b")
        #expect(builder.build().pairs.map { "\($0.name)=\($0.value)" } == ["env=x", "host=b"])
    }

    @Test("Equal sets built in different orders have equal bytes and hashes")
    func equalityIsByteEquality() {
        let a = Labels(metricName: "cpu", [(name: "b", value: "2"), (name: "a", value: "1")])
        let b = Labels(metricName: "cpu", [(name: "a", value: "1"), (name: "b", value: "2")])
        #expect(a == b)
        #expect(a.hashValue == b.hashValue)
        #expect(Set([a, b]).count == 1)
    }

    @Test("Long names and values use multi-byte lengths and survive a round trip")
    func longValues() {
        let long = String(repeating: "v", count: 70_000)
        let labels = Labels([(name: "k", value: long), (name: "dotted.name", value: "ü✓")])
        #expect(labels["k"] == long)
        #expect(labels["dotted.name"] == "ü✓")
        #expect(Labels(uncheckedBytes: labels.bytes) == labels)
    }

    @Test("Builders can be reset and reused", arguments: [1, 2, 5, 40])
    func reuse(count: Int) {
        var builder = LabelsBuilder()
        for round in 0..<3 {
            builder.reset()
            for i in 0..<count { builder.add(name: "n\(i)", value: "v\(round)") }
            let labels = builder.build()
            #expect(labels.count == count)
            #expect(labels["n0"] == "v\(round)")
        }
    }

    @Test("Removing, keeping and setting labels")
    func edits() {
        let labels = Labels(metricName: "m", [(name: "a", value: "1"), (name: "b", value: "2")])
        #expect(labels.removing([Labels.metricNameKey]).description == "{a=\"1\", b=\"2\"}")
        #expect(labels.keeping(["b"]).pairs.map(\.name) == ["b"])
        #expect(labels.setting("a", to: "")["a"] == nil)
        #expect(labels.setting("c", to: "3")["c"] == "3")
    }

    @Test("Ordering compares label by label like Prometheus")
    func ordering() {
        let a = Labels(metricName: "m", [(name: "host", value: "a")])
        let b = Labels(metricName: "m", [(name: "host", value: "b")])
        let c = Labels(metricName: "m")
        #expect(a < b)
        #expect(c < a)
        #expect(!(b < a))
    }

    @Test("Decoding random bytes as labels never traps")
    func randomBytesNeverTrap() {
        var generator = SeededGenerator(seed: 0xBA51)
        print("seed 0xBA51")
        for _ in 0..<2000 {
            let length = Int.random(in: 0..<40, using: &generator)
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let labels = Labels(uncheckedBytes: bytes)
            _ = labels.pairs
            _ = labels.count
            _ = labels["a"]
        }
    }
}
