import BasinModel
import BasinTestKit
import DialectDynatrace
import Foundation
import Testing

/// Seeded properties: the parser never traps on hostile bytes and accounts for every line, and
/// what a client escapes comes back unchanged.
@Suite("Dynatrace line parser properties")
struct DynatracePropertyTests {
    static let interesting: [UInt8] = Array(",= \"\\\n\r\t#.-_:09azAZ+eE".utf8) + [0x00, 0x7F, 0x80, 0xC3, 0xBF, 0xE2, 0xF0, 0xFF]
    static let seedBody = Array("""
    capture.cpu.temperature,env=prod,host=web-1,cpu=1 gauge,55 \(testNowMillis)
    capture.latency,env=prod,route=/a\\ b\\"c gauge,min=1,max=9,sum=20,count=4
    w,team="devops\\\\x",p="\\"q\\"" count,delta=-1.5e3
    #capture.latency gauge dt.meta.unit=ms,dt.meta.description="multi\\nline"
    """.utf8)

    /// Non-blank lines as the parser sees them: one trailing `\r` dropped, then spaces and tabs.
    static func nonBlankLines(_ body: [UInt8]) -> Int {
        body.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
            .map { $0.last == 0x0D ? $0.dropLast() : $0 }
            .filter { line in line.contains { $0 != 0x20 && $0 != 0x09 } }
            .count
    }

    static func check(_ body: [UInt8], seed: UInt64) {
        var batch = MetricBatch()
        let parser = DynatraceLineParser(options: DynatraceIngestOptions(nowMillis: testNowMillis))
        do throws(DynatraceLineError) {
            let result = try parser.parse(body, into: &batch)
            #expect(result.linesOk + result.linesInvalid == nonBlankLines(body), "seed \(seed)")
            #expect(result.samplesAccepted == batch.sampleCount, "seed \(seed)")
            #expect(result.invalidLines.count == min(result.linesInvalid, 10), "seed \(seed)")
        } catch {
            #expect(error == .emptyRequest, "seed \(seed)")
            #expect(nonBlankLines(body) == 0, "seed \(seed)")
        }
    }

    @Test("random bytes and mutated client bodies never trap, and every line is OK or invalid")
    func hostileBytes() {
        let seed = SeededGenerator.seed("dynatrace hostile bytes")
        var random = SeededGenerator(seed: seed)
        for _ in 0..<2_000 {
            let length = Int.random(in: 0...300, using: &random)
            Self.check((0..<length).map { _ in Self.interesting.randomElement(using: &random)! }, seed: seed)
            var mutated = Self.seedBody
            for _ in 0..<Int.random(in: 1...8, using: &random) {
                let at = Int.random(in: 0..<mutated.count, using: &random)
                switch Int.random(in: 0..<3, using: &random) {
                case 0: mutated[at] = Self.interesting.randomElement(using: &random)!
                case 1: mutated.insert(Self.interesting.randomElement(using: &random)!, at: at)
                default: if mutated.count > 1 { mutated.remove(at: at) }
                }
            }
            Self.check(mutated, seed: seed)
        }
    }

    /// Escapes a value the way dynatrace-metric-utils does (`_normalize.py` `escape_dimension_value`).
    static func escape(_ value: String) -> String {
        var out = ""
        for character in value {
            if "= ,\\\"".contains(character) { out.append("\\") }
            out.append(character)
        }
        return out
    }

    @Test("escaped and quoted dimension values round-trip")
    func valuesRoundTrip() throws {
        let seed = SeededGenerator.seed("dynatrace value round trip")
        var random = SeededGenerator(seed: seed)
        let alphabet: [Character] = ["a", "Z", "0", " ", ",", "=", "\\", "\"", "é", "日", "🙂", "/", ":", "-"]
        for _ in 0..<500 {
            let value = String((0..<Int.random(in: 1...40, using: &random)).map { _ in alphabet.randomElement(using: &random)! })
            let quoted = "\"" + value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
            let body = "m,u=\(Self.escape(value)),q=\(quoted) 1"
            let (batch, result) = try parseLines(body).get()
            #expect(result.linesOk == 1, "seed \(seed): \(body) \(result.invalidLines)")
            #expect(batch.series.first?["u"] == value, "seed \(seed): \(body)")
            #expect(batch.series.first?["q"] == value, "seed \(seed): \(body)")
        }
    }
}
