import BasinTestKit
@testable import DialectDynatrace
import Testing

/// The plain-number fast path (`plainNumber`, `plainNumberPrefix`) against the general decimal
/// parser it stands in for: wherever it answers, the double is the same to the bit, and
/// wherever it declines, the general parser decides.
@Suite("Dynatrace number fast path")
struct DynatraceNumberFastPathTests {
    static let digits = Array("0123456789")

    static func digitRun(_ length: ClosedRange<Int>, _ random: inout SeededGenerator) -> String {
        String((0..<Int.random(in: length, using: &random)).map { _ in digits.randomElement(using: &random)! })
    }

    /// Tokens around the fast path's edges: signs, 1–22 digits (it takes at most 19), fractions,
    /// leading zeros, `0.000…`, and shapes only the general parser accepts or refuses.
    static func token(_ random: inout SeededGenerator) -> String {
        let sign = ["", "", "", "-", "+"].randomElement(using: &random)!
        switch Int.random(in: 0..<10, using: &random) {
        case 0..<3: return sign + digitRun(1...22, &random)
        case 3..<6: return sign + digitRun(1...12, &random) + "." + digitRun(0...12, &random)
        case 6: return sign + "0." + String(repeating: "0", count: Int.random(in: 0...6, using: &random)) + digitRun(1...21, &random)
        case 7: return sign + digitRun(1...4, &random) + ["e", "E"].randomElement(using: &random)! + ["", "-", "+"].randomElement(using: &random)! + digitRun(1...3, &random)
        case 8: return String((0..<Int.random(in: 1...8, using: &random)).map { _ in Array("0123456789.-+eE").randomElement(using: &random)! })
        default:
            return ["0", "-0", "+0", "00", "01", "0.", ".5", "1.", "+-1", "-+1", "NaN", "1e400", "9007199254740993",
                    "9999999999999999999", "10000000000000000000", "18446744073709551615", "0.1", "0.30000000000000004",
                    "123456789012345678.9", "1234567890123456789.0"].randomElement(using: &random)!
        }
    }

    static func bits(_ value: Double?) -> UInt64? { value.map(\.bitPattern) }

    @Test("the fast path gives the general parser's double, bit for bit, or declines", arguments: 0..<8)
    func matchesGeneralParser(seed: UInt64) {
        var random = SeededGenerator(seed: seed)
        for _ in 0..<4_000 {
            let text = Self.token(&random)
            let token = Array(text.utf8)
            token.withUnsafeBytes { raw in
                let full = DynatraceLineState.parseNumberInFull(raw)
                if let fast = DynatraceLineState.plainNumber(raw) {
                    #expect(Self.bits(fast) == Self.bits(full), "seed \(seed): \(text)")
                }
                #expect(Self.bits(DynatraceLineState.parseNumber(raw)) == Self.bits(full), "seed \(seed): \(text)")
            }
            // Inside a line: the number ends at the byte after it, and reads the same.
            let line = Array("gauge,".utf8) + token + Array([" ", ",", "\t"].randomElement(using: &random)!.utf8) + Array("1700000000000".utf8)
            line.withUnsafeBytes { raw in
                if let (value, end) = DynatraceLineState.plainNumberPrefix(raw, from: 6), end == 6 + token.count {
                    token.withUnsafeBytes { #expect(Self.bits(value) == Self.bits(DynatraceLineState.parseNumberInFull($0)), "seed \(seed): \(text)") }
                }
            }
        }
    }
}
