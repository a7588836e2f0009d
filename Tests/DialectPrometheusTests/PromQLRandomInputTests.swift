import BasinTestKit
import DialectPrometheus
import QueryEngine
import Testing

@Suite("PromQL on random input")
struct PromQLRandomInputTests {
    static let fragments = [
        "sum", "rate", "(", ")", "{", "}", "[", "]", "5m", "1h30m", ",", "=", "!=", "=~", "!~", "\"a\"", "'b'", "`c`",
        "foo", "by", "without", "on", "ignoring", "group_left", "bool", "offset", "@", "start()", "+", "-", "*", "/",
        "^", "%", "==", "<=", "and", "or", "unless", "1", "0x1f", "1e3", "Inf", "NaN", ":", "topk", "quantile",
        "\"sys.cpu\"", " ", "\n", "#x\n", "\\", "\"", "é", "\u{0}",
    ]

    @Test("Random token soup never traps the parser or the lowering")
    func tokenSoup() {
        let seed = UInt64.random(in: 0...UInt64.max)
        print("PromQL token soup seed: \(seed)")
        var rng = SeededGenerator(state: seed)
        for _ in 0..<3000 {
            let count = Int.random(in: 1...12, using: &rng)
            let query = (0..<count).map { _ in Self.fragments.randomElement(using: &rng) ?? "" }.joined()
            do {
                _ = try PromQLLowering.compile(query)
            } catch {
                #expect(!error.message.isEmpty, "seed \(seed) query \(query)")
            }
        }
    }

    @Test("Random bytes never trap the lexer")
    func randomBytes() {
        let seed = UInt64.random(in: 0...UInt64.max)
        print("PromQL random bytes seed: \(seed)")
        var rng = SeededGenerator(state: seed)
        for _ in 0..<2000 {
            let bytes = (0..<Int.random(in: 0...40, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            var lexer = PromQLLexer(String(decoding: bytes, as: UTF8.self))
            _ = try? lexer.tokenize()
            _ = try? PromQLParser.parse(String(decoding: bytes, as: UTF8.self))
        }
    }
}
