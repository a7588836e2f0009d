import BasinTestKit
import BasinWire
import Testing

/// The inline fast paths of ``JSONScanner`` (plain ASCII strings and keys, compact separators,
/// known keys, plain integers) must give exactly what the general paths give, wherever in a
/// word the interesting byte falls.
@Suite("JSON scanner fast paths")
struct JSONScannerFastPathTests {
    /// A string value of `length` ASCII letters with `special` spliced in at `position`.
    static func text(length: Int, special: String = "", at position: Int = 0) -> String {
        var letters = String((0..<length).map { Character(Unicode.Scalar(UInt8(ascii: "a") + UInt8($0 % 26))) })
        if !special.isEmpty {
            letters.insert(contentsOf: special, at: letters.index(letters.startIndex, offsetBy: position))
        }
        return letters
    }

    static let specials: [(json: String, decoded: String)] = [
        ("", ""), (#"\""#, "\""), (#"\\"#, "\\"), (#"\n"#, "\n"), (#"\u00e9"#, "é"), ("é", "é"), ("€", "€"), ("😀", "😀"),
    ]

    @Test("strings read the same whatever their length and wherever an escape or non-ASCII byte sits")
    func stringsAtEveryOffset() {
        for length in 0..<24 {
            for special in Self.specials {
                for position in 0...length {
                    let json = "\"" + Self.text(length: length, special: special.json, at: position) + "\""
                    let expected = Self.text(length: length, special: special.decoded, at: position)
                    // Alone (the string ends the input) and followed by more input (a word past the quote).
                    for suffix in ["", ",\"after\",1234567"] {
                        let result = scan("[" + json + suffix + "]") { (s: inout JSONScanner) throws(WireError) -> String in
                            try s.readArrayStart()
                            var first = true
                            _ = try s.readNextArrayElement(isFirst: &first)
                            return String(decoding: try s.readString(), as: UTF8.self)
                        }
                        #expect(result.value == expected, "length \(length), \(special.json) at \(position), suffix \(suffix)")
                    }
                }
            }
        }
    }

    @Test("a control byte or an invalid UTF-8 byte is an error at any offset of a word")
    func badBytesAtEveryOffset() {
        for position in 0..<16 {
            var control = Array("\"\(Self.text(length: 16))\" ".utf8)
            control[1 + position] = 0x01
            #expect(scan(control) { (s: inout JSONScanner) throws(WireError) in _ = try s.readString() }.failure?.code == .invalidString)
            var invalid = Array("\"\(Self.text(length: 16))\" ".utf8)
            invalid[1 + position] = 0xFF
            #expect(scan(invalid) { (s: inout JSONScanner) throws(WireError) in _ = try s.readString() }.failure?.code == .invalidString)
        }
    }

    @Test("keys read the same with and without whitespace around the colon")
    func keys() {
        for length in 1..<20 {
            let key = Self.text(length: length)
            for json in ["{\"\(key)\":1}", "{ \"\(key)\" : 1 }", "{\"\(key)\"\n:1}", "{\"\(Self.escapedFirst(key))\":1}"] {
                let result = scan(json) { (s: inout JSONScanner) throws(WireError) -> String in
                    try s.readObjectStart()
                    var first = true
                    _ = try s.readNextObjectMember(isFirst: &first)
                    let name = String(decoding: try s.readKey(), as: UTF8.self)
                    _ = try s.readDouble()
                    #expect(try s.readNextObjectMember(isFirst: &first) == false)
                    return name
                }
                #expect(result.value == key, "\(json)")
            }
        }
    }

    /// `key` with its first letter written as a `\u` escape.
    static func escapedFirst(_ key: String) -> String {
        let first = key.unicodeScalars.first!.value
        return "\\u00" + String(first, radix: 16) + key.dropFirst()
    }

    @Test("a key without its colon is still an error", arguments: [#"{"a" 1}"#, #"{"a""#, #"{"abcdefghij"}"#, #"{"a","b":1}"#])
    func keyWithoutColon(_ json: String) {
        let result = scan(json) { (s: inout JSONScanner) throws(WireError) in
            try s.readObjectStart()
            var first = true
            _ = try s.readNextObjectMember(isFirst: &first)
            _ = try s.readKey()
        }
        #expect(result.failure != nil)
    }

    static let knownKeys: [(json: String, matches: Bool, next: String)] = [
        (#""metricName":1"#, true, "1"),
        (#""metricName" : 1"#, true, "1"),
        (#"  "metricName":1"#, true, "1"),
        (#""metricNames":1"#, false, ""),
        (#""metricNam":1"#, false, ""),
        (#""metric\u004eame":1"#, false, ""),
        (#""metricName""#, false, ""),
        (#""metricName" 1"#, false, ""),
        (#""ttl":1"#, false, ""),
        (#""unit":"ms""#, false, ""),
    ]

    @Test("readKey(ifEqualTo:) consumes exactly the key and its colon, or nothing but whitespace", arguments: knownKeys)
    func knownKey(json: String, matches: Bool, next: String) {
        let result = scan(json) { (s: inout JSONScanner) throws(WireError) -> (Bool, Int) in
            (s.readKey(ifEqualTo: "metricName"), s.position)
        }
        let (matched, position) = result.value!
        #expect(matched == matches)
        if matches {
            #expect(String(json.utf8.dropFirst(position).map { Character(Unicode.Scalar($0)) }).trimmingPrefixWhitespace() == next)
        } else {
            // Nothing but the leading whitespace was consumed: the general path reads the key.
            #expect(json.utf8.prefix(position).allSatisfy { $0 == 0x20 })
        }
    }

    @Test("short known keys compare every byte", arguments: ["unit", "unix", "uniT", "xnit", "unita"])
    func shortKnownKey(_ key: String) {
        let result = scan("\"\(key)\":1") { (s: inout JSONScanner) throws(WireError) -> Bool in s.readKey(ifEqualTo: "unit") }
        #expect(result.value == (key == "unit"))
    }

    static let separators: [(json: String, count: Int?)] = [
        ("[1,2,3]", 3), ("[1 ,2, 3 ]", 3), ("[]", 0), ("[ ]", 0), ("[1,]", nil), ("[1, ]", nil), ("[,1]", nil),
        ("[1 2]", nil), ("[1,,2]", nil), ("[1", nil), ("[1,", nil), ("[[],[1],{}]", 3),
    ]

    @Test("array separators: compact and spaced forms read alike, malformed ones fail", arguments: separators)
    func arraySeparators(json: String, count: Int?) {
        let result = scan(json) { (s: inout JSONScanner) throws(WireError) -> Int in
            try s.readArrayStart()
            var first = true
            var n = 0
            while try s.readNextArrayElement(isFirst: &first) {
                try s.skipValue()
                n += 1
            }
            try s.readEnd()
            return n
        }
        #expect(result.value == count)
    }

    @Test("object separators: a trailing comma is an error", arguments: [#"{"a":1,}"#, #"{"a":1 ,}"#, #"{"a":1,"#])
    func objectTrailingComma(_ json: String) {
        #expect(scan(json) { (s: inout JSONScanner) throws(WireError) in try s.skipValue() }.failure != nil)
    }

    static let integers: [(json: String, value: Int64?, position: Int)] = [
        ("0", 0, 1), ("-0", 0, 2), ("7", 7, 1), ("12345678", 12_345_678, 8), ("123456789", 123_456_789, 9),
        ("1796139524000", 1_796_139_524_000, 13), ("-1796139524000", -1_796_139_524_000, 14),
        ("999999999999999999", 999_999_999_999_999_999, 18), ("-999999999999999999", -999_999_999_999_999_999, 19),
        ("1234567890123456789", nil, 0), ("01", nil, 0), ("-", nil, 0), ("-a", nil, 0), ("1.5", nil, 0),
        ("1e3", nil, 0), ("1E3", nil, 0), ("12345678.0", nil, 0), ("\"1\"", nil, 0), ("null", nil, 0), ("", nil, 0),
        (" 42,", 42, 3), ("42}", 42, 2), ("123abc", 123, 3),
    ]

    @Test("readPlainInteger reads plain integers of up to 18 digits and leaves everything else", arguments: integers)
    func plainIntegers(json: String, value: Int64?, position: Int) {
        let result = scan(json) { (s: inout JSONScanner) throws(WireError) -> (Int64?, Int) in (s.readPlainInteger(), s.position) }
        #expect(result.value?.0 == value)
        if value != nil {
            #expect(result.value?.1 == position)
        } else {
            // Nothing but whitespace consumed: readDecimal() still sees the whole number.
            #expect(json.utf8.prefix(result.value!.1).allSatisfy { $0 == 0x20 })
        }
    }

    @Test("readPlainInteger agrees with readDecimal on random integers")
    func plainIntegersAgreeWithDecimals() {
        var generator = SeededGenerator(seed: SeededGenerator.seed("JSONScanner plain integers"))
        for _ in 0..<2_000 {
            let digits = Int.random(in: 1...18, using: &generator)
            var text = String(Int.random(in: 1...9, using: &generator))
            for _ in 1..<digits { text += String(Int.random(in: 0...9, using: &generator)) }
            if Bool.random(using: &generator) { text = "-" + text }
            let fast = scan(text) { (s: inout JSONScanner) throws(WireError) -> Int64? in s.readPlainInteger() }.value!
            let slow = scan(text) { (s: inout JSONScanner) throws(WireError) -> Int64? in try s.readDecimal().scaledInt64(byPowerOfTen: 0) }.value!
            #expect(fast == slow, "\(text)")
        }
    }
}

extension String {
    /// The string without leading spaces.
    func trimmingPrefixWhitespace() -> String {
        String(drop { $0 == " " })
    }
}
