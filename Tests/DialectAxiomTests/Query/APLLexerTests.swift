import BasinModel
import Testing
@testable import DialectAxiom

@Suite struct APLLexerTests {
    static let cases: [(String, [APLToken])] = [
        ("['logs']", [.symbol("["), .string("logs"), .symbol("]")]),
        ("a | where b", [.identifier("a"), .symbol("|"), .identifier("where"), .identifier("b")]),
        ("== != <> < <= > >= =~ !~ = ..", ["==", "!=", "<>", "<", "<=", ">", ">=", "=~", "!~", "=", ".."].map { .symbol($0) }),
        ("( ) [ ] { } , ; : . + - * / %", ["(", ")", "[", "]", "{", "}", ",", ";", ":", ".", "+", "-", "*", "/", "%"].map { .symbol($0) }),
        ("!contains !in !in~ in~ has_cs", ["!contains", "!in", "!in~", "in~", "has_cs"].map { .identifier($0) }),
        ("project-away mv-expand make-series", ["project-away", "mv-expand", "make-series"].map { .identifier($0) }),
        ("a-b", [.identifier("a"), .symbol("-"), .identifier("b")]),
        ("42 0x1F 1.5 .5 1e3 2.5E-1", [.int(42), .int(31), .real(1.5), .real(0.5), .real(1000), .real(0.25)]),
        ("1d 1.5h 30m 10s 100ms 1us 1tick 1y 2ns",
         [.timespan(86_400_000_000_000), .timespan(5_400_000_000_000), .timespan(1_800_000_000_000),
          .timespan(10_000_000_000), .timespan(100_000_000), .timespan(1_000), .timespan(100),
          .timespan(31_536_000_000_000_000), .timespan(2)]),
        ("1..10", [.int(1), .symbol(".."), .int(10)]),
        (#"'it\'s' "a\"b\\c\n" @"C:\x""y" h'secret'"#, [.string("it's"), .string("a\"b\\c\n"), .string("C:\\x\"y"), .string("secret")]),
        (#""\u00e9""#, [.string("é")]),
        ("datetime(2024-01-01T10:00:00Z) datetime( \"2024-01-01\" ) datetime(null)",
         [.datetime("2024-01-01T10:00:00Z"), .datetime("2024-01-01"), .datetime("null")]),
        ("datetime == 1", [.identifier("datetime"), .symbol("=="), .int(1)]),
        ("a // comment | where\n| b", [.identifier("a"), .symbol("|"), .identifier("b")]),
        ("a / b", [.identifier("a"), .symbol("/"), .identifier("b")]),
        ("_time $x café", [.identifier("_time"), .identifier("$x"), .identifier("café")]),
    ]

    @Test("tokens", arguments: cases)
    func tokens(input: String, expected: [APLToken]) throws {
        var lexer = APLLexer(input)
        let tokens = try lexer.tokenize().map(\.token)
        #expect(tokens == expected + [.end])
    }

    @Test func lexemesCarryByteOffsets() throws {
        var lexer = APLLexer("ab | 'c'")
        let lexemes = try lexer.tokenize()
        #expect(lexemes.map(\.offset) == [0, 3, 5, 8])
        #expect(lexemes.map(\.endOffset) == [2, 4, 8, 8])
    }

    static let failures: [(String, String, Int, Int)] = [
        ("a ~ b", "unexpected character `~`", 1, 3),
        ("a ! b", "unexpected character `!`", 1, 3),
        ("'abc", "unterminated string literal", 1, 1),
        ("x\n  \"abc\\q\"", "invalid escape `\\q`", 2, 7),
        ("12abc", "invalid number or timespan literal `12abc`", 1, 1),
        ("99999999999999999999", "out of range", 1, 1),
        ("datetime(2024", "expected `)` to close `datetime(`", 1, 9),
        ("é ~", "unexpected character `~`", 1, 3),
    ]

    @Test("lexer errors", arguments: failures)
    func errors(input: String, message: String, line: Int, column: Int) {
        var lexer = APLLexer(input)
        let error = #expect(throws: APLError.self) { _ = try lexer.tokenize() }
        #expect(error?.message.contains(message) == true, "\(String(describing: error))")
        #expect(error?.line == line)
        #expect(error?.column == column)
        #expect(error?.kind == .badRequest)
    }
}
