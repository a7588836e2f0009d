import BasinTestKit
import BasinWire
import Testing

/// ``DecimalParser`` reads runs of eight digits at once; every run length, on either side of
/// the point and across the 19-significant-digit limit, must give the standard library's value.
@Suite("DecimalParser digit runs")
struct DecimalParserDigitRunTests {
    /// `count` digits cycling through 1…9 and 0, starting at `first`.
    static func digits(_ count: Int, first: Int = 1) -> String {
        String((0..<count).map { Character(String((first + $0) % 10)) })
    }

    @Test("integers of 1 to 30 digits, then any character, parse like Double(String)")
    func integerRuns() {
        for count in 1...30 {
            for suffix in ["", ",", "]", ".5", "e2", "x"] {
                let number = Self.digits(count)
                let text = number + suffix
                let bytes = Array(text.utf8)
                let parsed = bytes.withUnsafeBytes { try? DecimalParser.parseJSONNumber($0, from: 0) }
                let expectedEnd = suffix == ".5" || suffix == "e2" ? bytes.count : number.utf8.count
                #expect(parsed?.1 == expectedEnd, "\(text)")
                if let (decimal, end) = parsed {
                    let value = bytes.withUnsafeBytes { DecimalParser.double(decimal, text: UnsafeRawBufferPointer(rebasing: $0[0..<end])) }
                    #expect(value == Double(String(text.prefix(end))), "\(text)")
                }
            }
        }
    }

    @Test("fractions with 0 to 30 digits after 0 to 12 leading zeros parse like Double(String)")
    func fractionRuns() {
        for zeros in 0...12 {
            for count in 1...30 {
                for integer in ["0", "7", "1234567890"] {
                    let text = integer + "." + String(repeating: "0", count: zeros) + Self.digits(count, first: 3)
                    #expect(DecimalParser.double(from: text.utf8) == Double(text), "\(text)")
                    #expect(DecimalParser.double(from: ("-" + text).utf8) == Double("-" + text), "-\(text)")
                }
            }
        }
    }

    @Test("a non-digit anywhere in the first eight bytes ends the run there", arguments: Array(0..<8))
    func nonDigitInRun(_ position: Int) {
        var bytes = Array("12345678901234567890".utf8)
        bytes[position + 1] = UInt8(ascii: ":")
        let parsed = bytes.withUnsafeBytes { try? DecimalParser.parseJSONNumber($0, from: 0) }
        #expect(parsed?.1 == position + 1)
        #expect(parsed?.0.scaledInt64(byPowerOfTen: 0) == Int64(String(decoding: bytes[0...position], as: UTF8.self)))
    }

    @Test("bytes just outside '0'…'9' are not digits", arguments: [UInt8(0x2F), 0x3A, 0x3F, 0xB0, 0xB9, 0x20])
    func nearDigits(_ byte: UInt8) {
        var bytes = Array("1234567890123456".utf8)
        bytes[5] = byte
        let parsed = bytes.withUnsafeBytes { try? DecimalParser.parseJSONNumber($0, from: 0) }
        #expect(parsed?.1 == 5)
        #expect(parsed?.0.mantissa == 12_345)
    }
}
