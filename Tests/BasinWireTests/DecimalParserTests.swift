import BasinTestKit
import BasinWire
import Testing

@Suite("Decimal parsing")
struct DecimalParserTests {
    static let doubles: [String] = [
        "0", "-0", "1", "-1", "1.5", "0.1", "0.3", "1e3", "1E-3", "2.5e+10", "123456789012345678901234567890",
        "0.000000000000000000000000000001234", "9007199254740993", "9007199254740992.5",
        "2.2250738585072014e-308", "2.2250738585072011e-308", "4.9e-324", "5e-324", "1e-400",
        "1.7976931348623157e308", "1.7976931348623159e308", "1e309", "23.690862264287354",
        "1795350967.7385583", "0.30000000000000004", "3.141592653589793238462643383279",
        "7.2057594037927933e16", "1448997445238699", "18446744073709551615", "18446744073709551616",
        "1.00000000000000011102230246251565404236316680908203125",
        "1.00000000000000011102230246251565404236316680908203124",
        "1.00000000000000011102230246251565404236316680908203126",
    ]

    @Test("parses numbers exactly like the standard library", arguments: doubles)
    func parsesLikeStandardLibrary(text: String) {
        let parsed = DecimalParser.double(from: text.utf8)
        let expected = Double(text)
        #expect(parsed?.bitPattern == expected?.bitPattern, "\(text): \(String(describing: parsed)) vs \(String(describing: expected))")
    }

    static let invalid: [String] = ["", "-", "01", "-01", "1.", ".5", "1e", "1e+", "+1", "0x10", "1.e3", "--1", "1 "]

    @Test("rejects text outside the JSON number grammar", arguments: invalid)
    func rejectsInvalid(text: String) {
        #expect(DecimalParser.double(from: text.utf8) == nil)
    }

    static let scaled: [(text: String, scale: Int, expected: Int64?)] = [
        ("1795350967.7385583", 3, 1_795_350_967_738),
        ("1795350967", 3, 1_795_350_967_000),
        ("1700000000.5", 3, 1_700_000_000_500),
        ("1.7e9", 3, 1_700_000_000_000),
        ("-1.5", 3, -1_500),
        ("-0.0009", 3, 0),
        ("0", 3, 0),
        ("10.0", 0, 10),
        ("9223372036854775807", 0, Int64.max),
        ("-9223372036854775808", 0, Int64.min),
        ("9223372036854775808", 0, nil),
        ("1e30", 3, nil),
        ("1e-30", 3, 0),
    ]

    @Test("scales decimals to integers exactly", arguments: scaled)
    func scalesExactly(text: String, scale: Int, expected: Int64?) {
        let bytes = Array(text.utf8)
        let decimal = bytes.withUnsafeBytes { try? DecimalParser.parseJSONNumber($0, from: 0).0 }
        #expect(decimal?.scaledInt64(byPowerOfTen: scale) == expected)
    }

    @Test("round-trips random doubles through their shortest text")
    func roundTripsRandomDoubles() {
        var rng = SeededGenerator(seed: SeededGenerator.seed("DecimalParser round trip"))
        for _ in 0..<20_000 {
            let value = Double(bitPattern: rng.next())
            guard value.isFinite else { continue }
            let text = value.description
            let parsed = DecimalParser.double(from: text.utf8)
            #expect(parsed?.bitPattern == value.bitPattern, "\(text)")
        }
    }

    @Test("agrees with the standard library on random decimal strings")
    func agreesOnRandomDecimals() {
        var rng = SeededGenerator(seed: SeededGenerator.seed("DecimalParser random decimals"))
        for _ in 0..<20_000 {
            let digits = Int.random(in: 1...24, using: &rng)
            var text = Bool.random(using: &rng) ? "-" : ""
            text += String(Int.random(in: 1...9, using: &rng))
            for _ in 1..<digits { text += String(Int.random(in: 0...9, using: &rng)) }
            if Bool.random(using: &rng) {
                let point = Int.random(in: 1...text.count - (text.hasPrefix("-") ? 1 : 0), using: &rng)
                let index = text.index(text.endIndex, offsetBy: -point)
                if index != text.startIndex, text[text.index(before: index)] != "-" {
                    text.insert(".", at: index)
                }
            }
            if Bool.random(using: &rng) { text += "e\(Int.random(in: -330...310, using: &rng))" }
            let expected = Double(text)
            let parsed = DecimalParser.double(from: text.utf8)
            #expect(parsed?.bitPattern == expected?.bitPattern, "\(text)")
        }
    }
}
