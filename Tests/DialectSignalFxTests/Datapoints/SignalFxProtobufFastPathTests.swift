import BasinModel
import BasinTestKit
import BasinWire
import Testing

@testable import DialectSignalFx

/// The datapoint decoder reads the usual layouts (a `Dimension` of key then value with one-byte
/// lengths, a `Datum` holding one double) without its general field loops: these tests hold
/// it to the general loops by decoding the same points written both ways.
@Suite("SignalFx protobuf fast paths")
struct SignalFxProtobufFastPathTests {
    typealias E = TestProtobufEncoder

    /// A `Dimension` the general loop must read: value first, an unknown varint field, and
    /// (when `split`) the key sent twice, the first one overridden.
    static func unusualPair(_ key: String, _ value: String, split: Bool) -> [UInt8] {
        var e = E()
        e.varint(7, 42)
        e.string(2, value)
        if split { e.string(1, "ignored") }
        e.string(1, key)
        return e.bytes
    }

    static func unusualDatum(_ value: Double) -> [UInt8] {
        var e = E()
        e.varint(9, 1)
        e.double(2, value)
        return e.bytes
    }

    static func point(metric: String, value: Double, dimensions: [(String, String)], usual: Bool, split: Bool) -> [UInt8] {
        var e = E()
        e.string(2, metric)
        e.int64(3, 1_790_000_000_000)
        e.bytes(4, usual ? E.datum(.double(value)) : unusualDatum(value))
        for (key, value) in dimensions {
            e.bytes(6, usual ? E.pair(key, value) : unusualPair(key, value, split: split))
        }
        return e.bytes
    }

    static let characters: [String] = ["a", "b", "z", "0", "_", ".", "-", "A", "é", "✓", " ", "\u{7F}"]

    static func text(_ g: inout SeededGenerator, maxLength: Int) -> String {
        String((0..<Int.random(in: 0...maxLength, using: &g)).map { _ in Character(characters[Int.random(in: 0..<characters.count, using: &g)]) })
    }

    static func rendered(_ batch: SignalFxDatapointBatch) -> [String] {
        SignalFxTestSupport.render(batch.metrics) + batch.dropped.map { "\($0.key.rawValue)=\($0.value)" }.sorted()
    }

    @Test("Usual and unusual layouts of the same points decode alike", arguments: [UInt64(7), 8, 9])
    func layoutsAgree(seed: UInt64) throws {
        var g = SeededGenerator(seed: seed)
        print("seed \(seed)")
        var limits = SignalFxIntakeLimits()
        limits.maxDimensionKeyCharacters = 6
        limits.maxDimensionValueCharacters = 20
        limits.maxDimensions = 6
        for _ in 0..<30 {
            var usual: [[UInt8]] = []
            var unusual: [[UInt8]] = []
            for _ in 0..<20 {
                let metric = Self.text(&g, maxLength: 12)
                let value = Double(Int.random(in: -1000...1000, using: &g)) / 8
                let dimensions = (0..<Int.random(in: 0...8, using: &g)).map { _ in
                    // Sometimes the source dimension or a long value (a two-byte length).
                    Int.random(in: 0..<10, using: &g) == 0 ? ("sf_source", "s") : (Self.text(&g, maxLength: 8), Self.text(&g, maxLength: Bool.random(using: &g) ? 10 : 70))
                }
                let split = Bool.random(using: &g)
                usual.append(Self.point(metric: metric, value: value, dimensions: dimensions, usual: true, split: split))
                unusual.append(Self.point(metric: metric, value: value, dimensions: dimensions, usual: false, split: split))
            }
            let a = try SignalFxTestSupport.decodeDatapoints(E.upload(usual), protobuf: true, limits: limits)
            let b = try SignalFxTestSupport.decodeDatapoints(E.upload(unusual), protobuf: true, limits: limits)
            #expect(Self.rendered(a) == Self.rendered(b))
            #expect(a.metricNames == b.metricNames)
            #expect(a.acceptedCount + a.droppedCount == 20)
        }
    }

    @Test("Dimensions with non-ASCII or invalid UTF-8 bytes are validated one by one")
    func utf8Dimensions() throws {
        let valid = E.datapoint(metric: "m", value: .double(1), dimensions: [("zone", "zürich"), ("k✓", "v")])
        var broken = E()
        broken.string(2, "m")
        broken.bytes(4, E.datum(.double(2)))
        broken.bytes(6, [0x0A, 0x01, 0x6B, 0x12, 0x02, 0xC3, 0x28])
        let batch = try SignalFxTestSupport.decodeDatapoints(E.upload([valid, broken.bytes]), protobuf: true)
        #expect(batch.acceptedCount == 1)
        #expect(batch.dropped == [.invalidDimension: 1])
        #expect(batch.metrics.series.first?["zone"] == "zürich")
        #expect(batch.metrics.series.first?["k✓"] == "v")
    }

    @Test("Metric names repeat through the name cache and are recorded once each")
    func metricNames() throws {
        let names = (0..<200).map { "metric.name.\($0 % 70).\(String(repeating: "x", count: $0 % 13))" }
        let points = names.map { E.datapoint(metric: $0, value: .double(1), dimensions: [("host", "h")]) }
        let batch = try SignalFxTestSupport.decodeDatapoints(E.upload(points), protobuf: true)
        #expect(batch.acceptedCount == 200)
        #expect(batch.metricNames == Set(names))
        #expect(batch.metrics.series.map { $0.metricName ?? "" } == names)
    }
}
