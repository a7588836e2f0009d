import BasinModel
import BasinTestKit
import BasinWire
import Testing

@testable import DialectSignalFx

/// Property tests with a printed seed (`BASIN_TEST_SEED` replays a failure).
@Suite struct SignalFxDatapointPropertyTests {
    typealias S = SignalFxTestSupport

    @Test("Random bytes never crash the JSON or protobuf decoders")
    func randomBytesNeverCrash() {
        var generator = SeededGenerator(seed: SeededGenerator.seed("signalfx random bytes"))
        let alphabets: [[UInt8]] = [
            Array(0...255),
            Array(#"{}[]":,0123456789.-e"gaugecounterumlativmetricvaluedimensionstimestampnull truefalse\"#.utf8),
        ]
        for round in 0..<3_000 {
            let alphabet = alphabets[round % 2]
            let count = Int.random(in: 0..<96, using: &generator)
            let bytes = (0..<count).map { _ in alphabet.randomElement(using: &generator)! }
            _ = try? S.decodeDatapoints(bytes, protobuf: true)
            _ = try? S.decodeDatapoints(bytes, protobuf: false)
            _ = try? S.decodeEvents(bytes, protobuf: true)
            _ = try? S.decodeEvents(bytes, protobuf: false)
        }
    }

    @Test("Mutated valid protobuf uploads never crash the decoders")
    func mutatedProtobufNeverCrashes() {
        var generator = SeededGenerator(seed: SeededGenerator.seed("signalfx mutated protobuf"))
        let valid = S.bytes(hex: "0a2212086370752e69646c6518f082e18ea92d2202182a280032090a04686f7374120161")
            + S.bytes(hex: "0a350a066465706c6f79120e0a077365727669636512036170691a100a0776657273696f6e12050a03312e3220c0843d28f0eae1c0a72d")
        for _ in 0..<3_000 {
            var bytes = valid
            for _ in 0..<Int.random(in: 1...4, using: &generator) {
                bytes[Int.random(in: 0..<bytes.count, using: &generator)] = UInt8.random(in: 0...255, using: &generator)
            }
            bytes = Array(bytes.prefix(Int.random(in: 0...bytes.count, using: &generator)))
            _ = try? S.decodeDatapoints(bytes, protobuf: true)
            _ = try? S.decodeEvents(bytes, protobuf: true)
        }
    }

    struct RandomPoint {
        var metric: String
        var type: Int64?
        var timestamp: Int64?
        var value: TestProtobufEncoder.Value
        var dimensions: [(String, String)]
    }

    static func randomText(_ generator: inout SeededGenerator, maxLength: Int) -> String {
        let pieces = ["a", "b", "z", "0", "9", ".", "_", "-", "é", "ü", "中", "😀", " "]
        return (0..<Int.random(in: 1...maxLength, using: &generator)).map { _ in pieces.randomElement(using: &generator)! }.joined()
    }

    static func randomPoint(_ generator: inout SeededGenerator) -> RandomPoint {
        let value: TestProtobufEncoder.Value = switch Int.random(in: 0..<3, using: &generator) {
        case 0: .int(Int64.random(in: Int64.min...Int64.max, using: &generator))
        case 1: .double(Double.random(in: -1e12...1e12, using: &generator))
        default: .int(Int64.random(in: -1000...1000, using: &generator))
        }
        var seen = Set<String>()
        var dimensions: [(String, String)] = []
        for _ in 0..<Int.random(in: 0...6, using: &generator) {
            let key = "k" + randomText(&generator, maxLength: 12)
            guard seen.insert(key).inserted else { continue }
            dimensions.append((key, randomText(&generator, maxLength: 40)))
        }
        return RandomPoint(
            metric: randomText(&generator, maxLength: 30),
            type: [nil, 0, 1, 3].randomElement(using: &generator)!,
            timestamp: Bool.random(using: &generator) ? Int64.random(in: 1...4_000_000_000_000, using: &generator) : nil,
            value: value, dimensions: dimensions)
    }

    @Test("Random datapoints encoded to protobuf decode back exactly")
    func protobufRoundTrip() throws {
        var generator = SeededGenerator(seed: SeededGenerator.seed("signalfx protobuf round trip"))
        for _ in 0..<200 {
            let points = (0..<Int.random(in: 0...20, using: &generator)).map { _ in Self.randomPoint(&generator) }
            let body = TestProtobufEncoder.upload(points.map {
                TestProtobufEncoder.datapoint(metric: $0.metric, timestamp: $0.timestamp, value: $0.value, type: $0.type, dimensions: $0.dimensions)
            })
            let batch = try S.decodeDatapoints(body, protobuf: true)
            let kinds: [Int64: MetricKind] = [0: .gauge, 1: .count, 3: .counter]
            let expected = points.map { point -> String in
                let value: Double = switch point.value {
                case .int(let i): Double(i)
                case .double(let d): d
                default: .nan
                }
                return S.render(kind: kinds[point.type ?? 0]!, metric: point.metric, point.dimensions, millis: point.timestamp ?? S.nowMillis, value: value)
            }
            #expect(S.render(batch.metrics) == expected)
            #expect(batch.droppedCount == 0)
        }
    }

    @Test("Protobuf decoding gives the same points as JSON decoding of the same datapoints")
    func protobufMatchesJSON() throws {
        var generator = SeededGenerator(seed: SeededGenerator.seed("signalfx protobuf vs json"))
        for _ in 0..<100 {
            let points = (0..<Int.random(in: 1...10, using: &generator)).map { _ in Self.randomPoint(&generator) }
            let names: [Int64: String] = [0: "gauge", 1: "counter", 3: "cumulative_counter"]
            let json = "{" + points.map { point -> String in
                var value = ""
                switch point.value {
                case .int(let i): value = String(i)
                case .double(let d): value = "\(d)"
                default: break
                }
                let dims = point.dimensions.map { "\"\($0.0)\":\"\($0.1)\"" }.joined(separator: ",")
                let ts = point.timestamp.map { ",\"timestamp\":\($0)" } ?? ""
                return "\"\(names[point.type ?? 0]!)\":[{\"metric\":\"\(point.metric)\",\"value\":\(value),\"dimensions\":{\(dims)}\(ts)}]"
            }.joined(separator: ",") + "}"
            let body = TestProtobufEncoder.upload(points.map {
                TestProtobufEncoder.datapoint(metric: $0.metric, timestamp: $0.timestamp, value: $0.value, type: $0.type, dimensions: $0.dimensions)
            })
            let fromJSON = try S.decodeDatapoints(json)
            let fromProtobuf = try S.decodeDatapoints(body, protobuf: true)
            #expect(S.render(fromJSON.metrics) == S.render(fromProtobuf.metrics))
        }
    }
}
