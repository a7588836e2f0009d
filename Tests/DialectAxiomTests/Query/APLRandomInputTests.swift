import BasinTestKit
import Testing
@testable import DialectAxiom

/// Random bytes and random token soups never trap the lexer, parser or lowering: each input
/// either lowers or fails with an ``APLError`` (typed throws make that the only way out).
@Suite struct APLRandomInputTests {
    static let iterations = 10_000

    static let vocabulary: [String] = [
        "logs", "['ds']", "[\"a-b\"]", "|", "where", "project", "project-away", "extend", "summarize", "by", "sort",
        "order", "take", "limit", "top", "count", "distinct", "search", "kind=case_sensitive", "in", "asc", "desc",
        "and", "or", "not", "(", ")", "[", "]", "{", "}", ",", ";", ":", ".", "..", "=", "==", "!=", "<>", "<", "<=",
        ">", ">=", "=~", "!~", "+", "-", "*", "/", "%", "contains", "!contains", "has", "has_cs", "startswith",
        "!in", "in~", "between", "matches", "regex", "has_any", "a", "b", "_time", "geo.city", "a[0]", "a['b']",
        "0", "1", "-1", "9223372036854775807", "1.5", "1e308", "1d", "1.5h", "10s", "1tick", "99999999999d",
        "'x'", "\"y\"", "'", "\"", "@'v'", "datetime(2024-01-01)", "datetime(", "datetime(null)", "dynamic([1,2])",
        "dynamic(", "ago(1h)", "now()", "bin(_time, 1m)", "bin_auto(_time)", "count()", "countif(", "sum(",
        "percentile(", "percentiles(", "topk(", "iff(", "case(", "strcat(", "tostring(", "floor(", "long(",
        "real(", "null", "true", "false", "//", "\n", "!", "~", "@", "#", "é", "\u{0}",
    ]

    static func check(_ apl: String) {
        do {
            _ = try APLLowering.lower(apl, startNanos: .min, endNanos: .max, nowNanos: .max)
            _ = try APLLowering.lower(apl, startNanos: 0, endNanos: 60_000_000_000, nowNanos: .min)
        } catch {
            #expect(!error.message.isEmpty)
            #expect(error.line >= 1 && error.column >= 1)
        }
    }

    @Test func randomBytesNeverTrap() {
        var rng = SeededGenerator(seed: SeededGenerator.seed("APL random bytes"))
        for _ in 0..<Self.iterations {
            let length = Int.random(in: 0...64, using: &rng)
            var bytes: [UInt8] = []
            for _ in 0..<length {
                // Bias towards printable ASCII, where the grammar lives.
                bytes.append(Bool.random(using: &rng) ? UInt8.random(in: 32...126, using: &rng) : UInt8.random(in: 0...255, using: &rng))
            }
            Self.check(String(decoding: bytes, as: UTF8.self))
        }
    }

    @Test func randomTokenSoupsNeverTrap() {
        var rng = SeededGenerator(seed: SeededGenerator.seed("APL token soup"))
        for _ in 0..<Self.iterations {
            var apl = Bool.random(using: &rng) ? "logs | " : ""
            for _ in 0..<Int.random(in: 0...24, using: &rng) {
                apl += Self.vocabulary.randomElement(using: &rng) ?? ""
                if Int.random(in: 0..<4, using: &rng) > 0 { apl += " " }
            }
            Self.check(apl)
        }
    }
}
