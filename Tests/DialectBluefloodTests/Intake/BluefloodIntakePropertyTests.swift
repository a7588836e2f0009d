import BasinModel
import Foundation
import BasinTestKit
import Testing

@testable import DialectBlueflood

/// No input traps a decoder; random valid metric arrays decode to exactly their samples.
@Suite("BluefloodIntake properties")
struct BluefloodIntakePropertyTests {
    static let alphabet = Array("{}[]\":,\n 0123456789.-eE+tfnul\\abcxyzmetricNamVluolcTTS".utf8)

    static func randomBytes(_ generator: inout SeededGenerator) -> [UInt8] {
        (0..<Int.random(in: 0...160, using: &generator)).map { _ in
            Bool.random(using: &generator) ? alphabet.randomElement(using: &generator)! : UInt8.random(in: 0...255, using: &generator)
        }
    }

    /// Runs every endpoint over `bytes` and checks the invariants of a success.
    static func decodeEverywhere(_ bytes: [UInt8], options: BluefloodIntakeOptions) {
        for endpoint in IntakeEndpoint.allCases {
            guard case .stored(let intake) = decodeIntake(endpoint, bytes, options: options) else { continue }
            #expect(intake.sampleCount == intake.batches.values.reduce(0) { $0 + $1.sampleCount })
            if endpoint == .ingest || endpoint == .multi { #expect(intake.sampleCount > 0) }
        }
    }

    @Test("random bytes never crash any decoder")
    func randomBytes() {
        var generator = SeededGenerator(seed: SeededGenerator.seed("blueflood intake random bytes"))
        for _ in 0..<3000 {
            var options = intakeOptions()
            options.maxValueDepth = Int.random(in: 0...3, using: &generator)
            options.maxMetricNameBytes = Int.random(in: 0...8, using: &generator)
            Self.decodeEverywhere(Self.randomBytes(&generator), options: options)
        }
    }

    static let seeds: [String] = [
        "[\(metricJSON("a.b", extra: ",\"unit\":\"ms\"")),\(metricJSON("c", value: "\"x\"", ttl: 2_147_483_647))]",
        "[\(metricJSON("a", extra: ",\"tenantId\":\"t\"")),{\"metricValue\":{\"x\":[null]}}]",
        (try? intakeFixture("sample_payload.json")) ?? "{}",
        "[{\"tenantId\":\"t\",\"timestamp\":\(intakeNow),\"sets\":[{\"name\":\"s\",\"values\":[\"a\",1,true]}]}]",
        "{\"what\":\"w\",\"when\":\(intakeNow),\"tags\":\"a b\",\"data\":\"d\"}",
    ]

    @Test("random mutations of valid payloads never crash any decoder")
    func mutations() {
        var generator = SeededGenerator(seed: SeededGenerator.seed("blueflood intake mutations"))
        for _ in 0..<3000 {
            var bytes = Array(Self.seeds.randomElement(using: &generator)!.utf8)
            for _ in 0..<Int.random(in: 1...4, using: &generator) where !bytes.isEmpty {
                let at = Int.random(in: 0..<bytes.count, using: &generator)
                let byte = Bool.random(using: &generator) ? Self.alphabet.randomElement(using: &generator)! : UInt8.random(in: 0...255, using: &generator)
                switch Int.random(in: 0..<4, using: &generator) {
                case 0: bytes[at] = byte
                case 1: bytes.insert(byte, at: at)
                case 2: bytes.remove(at: at)
                default: bytes.removeSubrange(at..<bytes.count)
                }
            }
            var options = intakeOptions(now: Bool.random(using: &generator) ? 1_500_000_000_000 : intakeNow)
            options.maxValueDepth = Int.random(in: 0...3, using: &generator)
            Self.decodeEverywhere(bytes, options: options)
        }
    }

    // MARK: Round trip

    static func randomName(_ generator: inout SeededGenerator) -> String {
        let pieces = ["a", "Z", "0", ".", "é", "\"", "\\", "\n", "😀", "_", " ", "\u{7}"]
        return (0..<Int.random(in: 1...10, using: &generator)).map { _ in pieces.randomElement(using: &generator)! }.joined()
    }

    static func jsonString(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    static func randomValue(_ generator: inout SeededGenerator) -> (text: String, value: Double) {
        switch Int.random(in: 0..<3, using: &generator) {
        case 0:
            let value = Int64.random(in: -1_000_000...1_000_000, using: &generator)
            return ("\(value)", Double(value))
        case 1:
            let value = Double.random(in: -1e6...1e6, using: &generator)
            return ("\(value)", value)
        default:
            let value = Double(sign: .plus, exponent: Int.random(in: -300...300, using: &generator), significand: Double.random(in: 1..<2, using: &generator))
            return ("\(value)", value)
        }
    }

    @Test("random valid metric arrays decode to exactly their samples", arguments: [false, true])
    func roundTrip(multiTenant: Bool) throws {
        var generator = SeededGenerator(seed: SeededGenerator.seed("blueflood intake round trip \(multiTenant)"))
        for _ in 0..<300 {
            var elements: [String] = []
            var expected: [String: [DecodedSample]] = [:]
            for _ in 0..<Int.random(in: 1...20, using: &generator) {
                let name = Self.randomName(&generator)
                let tenant = multiTenant ? ["t1", "t2", "9"].randomElement(using: &generator)! : "acTEST"
                let (text, value) = Self.randomValue(&generator)
                let time = intakeNow + Int64.random(in: -259_200_000...600_000, using: &generator)
                let ttl = Int64.random(in: 1...2_147_483_646, using: &generator)
                var members = ["\"metricName\":\(Self.jsonString(name))", "\"metricValue\":\(text)",
                               "\"collectionTime\":\(time)", "\"ttlInSeconds\":\(ttl)"]
                if Bool.random(using: &generator) { members.append("\"unit\":\(Self.jsonString(Self.randomName(&generator)))") }
                if multiTenant { members.append("\"tenantId\":\"\(tenant)\"") }
                members.shuffle(using: &generator)
                elements.append("{" + members.joined(separator: Bool.random(using: &generator) ? "," : " ,\n ") + "}")
                expected[tenant, default: []].append(DecodedSample(
                    tenant: tenant, series: Labels(metricName: name).description, kind: .gauge, timestampMillis: time, value: value))
            }
            let body = "[" + elements.joined(separator: ",") + "]"
            let intake = try #require(decodeIntake(multiTenant ? .multi : .ingest, body).intake, "\(body)")
            let all = expected.keys.sorted().flatMap { expected[$0]! }
            #expect(intake.samples == all)
            #expect(intake.errors.isEmpty)
        }
    }
}
