import BasinTestKit
import BasinWire
import Testing

@Suite("JSON scanner")
struct JSONScannerTests {
    static let strings: [(json: String, expected: String)] = [
        (#""plain""#, "plain"),
        (#""""#, ""),
        (#""a\"b\\c\/d""#, "a\"b\\c/d"),
        (#""\b\f\n\r\t""#, "\u{8}\u{C}\n\r\t"),
        (#""caf\u00e9""#, "café"),
        (#""\u20AC and €""#, "€ and €"),
        (#""\ud83d\ude00""#, "😀"),
        (#""lone \ud83d here""#, "lone \u{FFFD} here"),
        (#""lone \ude00 low""#, "lone \u{FFFD} low"),
        (#""x\ud83dy""#, "x\u{FFFD}y"),
        (#""tab:\u0009.""#, "tab:\t."),
    ]

    @Test("reads strings with and without escapes", arguments: strings)
    func readsStrings(json: String, expected: String) {
        let result = scan(json) { (s: inout JSONScanner) throws(WireError) -> String in
            let bytes = try s.readString()
            try s.readEnd()
            return String(decoding: bytes, as: UTF8.self)
        }
        #expect(result.value == expected)
    }

    static let badStrings: [(json: [UInt8], code: WireError.Code, offset: Int)] = [
        (Array(#""abc"#.utf8), .unexpectedEnd, 0),
        (Array(#""a\x""#.utf8), .invalidString, 2),
        (Array(#""a\u12G4""#.utf8), .invalidString, 2),
        (Array("\"a\nb\"".utf8), .invalidString, 2),
        ([0x22, 0x61, 0xC3, 0x28, 0x22], .invalidString, 2),          // bad continuation
        ([0x22, 0xED, 0xA0, 0x80, 0x22], .invalidString, 1),          // UTF-8 encoded surrogate
        ([0x22, 0xC0, 0xAF, 0x22], .invalidString, 1),                // overlong
        ([0x22, 0xF4, 0x90, 0x80, 0x80, 0x22], .invalidString, 1),    // past U+10FFFF
        ([0x22, 0xE2, 0x82, 0x22], .invalidString, 1),                // truncated sequence
        (Array("42".utf8), .typeMismatch, 0),
    ]

    @Test("rejects malformed strings with a position", arguments: badStrings)
    func rejectsBadStrings(json: [UInt8], code: WireError.Code, offset: Int) {
        let error = scan(json) { (s: inout JSONScanner) throws(WireError) in _ = try s.readString() }.failure
        #expect(error?.code == code)
        #expect(error?.offset == offset)
        #expect(error?.message.contains("at byte \(offset)") == true)
    }

    @Test("walks objects and arrays and skips nested values")
    func walksContainers() {
        let json = #" { "a" : [1, 2.5, {"b": null, "c": [true, false]}], "s": "x", "n": -3e2 , "e": {} , "l": [] } "#
        let result = scan(json) { (s: inout JSONScanner) throws(WireError) -> [String] in
            var keys: [String] = []
            try s.readObjectStart()
            var first = true
            while try s.readNextObjectMember(isFirst: &first) {
                keys.append(String(decoding: try s.readKey(), as: UTF8.self))
                if keys.last == "n" {
                    #expect(try s.readDouble() == -300)
                } else {
                    try s.skipValue()
                }
            }
            #expect(s.depth == 0)
            try s.readEnd()
            return keys
        }
        #expect(result.value == ["a", "s", "n", "e", "l"])
    }

    static let malformed: [(json: String, code: WireError.Code, offset: Int)] = [
        ("", .unexpectedEnd, 0),
        ("[1,]", .unexpectedByte, 3),
        ("[1 2]", .unexpectedByte, 3),
        (#"{"a" 1}"#, .unexpectedByte, 5),
        (#"{"a":1,}"#, .unexpectedByte, 7),
        (#"{1:2}"#, .typeMismatch, 1),
        ("[fals]", .unexpectedByte, 1),
        ("[tru]", .unexpectedByte, 1),
        ("[nul", .unexpectedEnd, 1),
        ("[1", .unexpectedEnd, 2),
        ("{} x", .trailingData, 3),
        ("]", .unexpectedByte, 0),
        ("[NaN]", .unexpectedByte, 1),
    ]

    @Test("rejects malformed JSON with the offending offset", arguments: malformed)
    func rejectsMalformed(json: String, code: WireError.Code, offset: Int) {
        let error = scan(json) { (s: inout JSONScanner) throws(WireError) in
            try s.skipValue()
            try s.readEnd()
        }.failure
        #expect(error?.code == code, "\(String(describing: error))")
        #expect(error?.offset == offset, "\(String(describing: error))")
    }

    @Test("enforces the nesting limit")
    func enforcesDepth() {
        let deep = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
        let error = scan(deep, maxDepth: 64) { (s: inout JSONScanner) throws(WireError) in try s.skipValue() }.failure
        #expect(error?.code == .depthExceeded)
        #expect(error?.offset == 64)
        let fine = scan(deep, maxDepth: 100) { (s: inout JSONScanner) throws(WireError) in try s.skipValue() }
        #expect(fine.failure == nil)
    }

    @Test("reads Python's non-finite literals only when allowed")
    func nonFiniteLiterals() {
        let values = scan("[NaN, Infinity, -Infinity, null, 2]", nonFinite: true) { (s: inout JSONScanner) throws(WireError) -> [Double?] in
            var out: [Double?] = []
            try s.readArrayStart()
            var first = true
            while try s.readNextArrayElement(isFirst: &first) { out.append(try s.readDoubleOrNull()) }
            return out
        }.value
        #expect(values?.count == 5)
        #expect(values?[0]?.isNaN == true)
        #expect(values?[1] == .infinity)
        #expect(values?[2] == -.infinity)
        #expect(values?[3] == .some(nil))
        #expect(values?[4] == 2)
        let refused = scan("Infinity") { (s: inout JSONScanner) throws(WireError) in _ = try s.readDouble() }.failure
        #expect(refused?.code == .unexpectedByte)
    }

    @Test("reports type mismatches by JSON type")
    func typeMismatch() {
        let error = scan(#"{"a": 1}"#) { (s: inout JSONScanner) throws(WireError) in try s.readArrayStart() }.failure
        #expect(error?.code == .typeMismatch)
        #expect(error?.message == "expected an array, found an object at byte 0")
    }

    @Test("reuses the scratch buffer across escaped strings")
    func scratchReuse() {
        let long = String(repeating: "\\n", count: 500)
        let json = "[\"\(long)\", \"a\\tb\", \"\(long)x\"]"
        let result = scan(json) { (s: inout JSONScanner) throws(WireError) -> [Int] in
            var lengths: [Int] = []
            try s.readArrayStart()
            var first = true
            while try s.readNextArrayElement(isFirst: &first) { lengths.append(try s.readString().count) }
            return lengths
        }
        #expect(result.value == [500, 3, 501])
    }

    @Test("never traps on random bytes")
    func randomBytes() {
        var rng = SeededGenerator(seed: SeededGenerator.seed("JSONScanner random bytes"))
        let alphabet = Array(#"{}[]:,"\ u0123456789.eE+-tfnrualsNIy"#.utf8) + [0x00, 0x0A, 0xC3, 0xA9, 0xED, 0xF0, 0xFF]
        for _ in 0..<3000 {
            let count = Int.random(in: 0..<64, using: &rng)
            let bytes = (0..<count).map { _ in
                Bool.random(using: &rng) ? alphabet.randomElement(using: &rng)! : UInt8.random(in: 0...255, using: &rng)
            }
            for nonFinite in [false, true] {
                _ = scan(bytes, nonFinite: nonFinite, maxDepth: 8) { (s: inout JSONScanner) throws(WireError) in
                    try s.skipValue()
                    try s.readEnd()
                }
            }
        }
    }
}
