// The parser as it was before the word-at-a-time fast paths, kept as the reference that
// DynatraceReferenceComparisonTests compares the parser with. Types are renamed with a Reference prefix.
@testable import DialectDynatrace
import BasinWire

extension ReferenceDynatraceLineState {
    /// A finite number in Dynatrace's syntax: an optional `+` or `-`, digits with an optional
    /// fraction, an optional exponent (`1.0e+10`, Java's `1.234567000000123E12`, Python's `1e-05`).
    /// Nil for anything else, NaN and infinities included.
    static func parseNumber(_ token: UnsafeRawBufferPointer) -> Double? {
        var text = token
        if let first = text.first, first == UInt8(ascii: "+") {
            text = UnsafeRawBufferPointer(rebasing: text[1...])
            if text.first == UInt8(ascii: "-") { return nil }
        }
        guard !text.isEmpty,
              let (decimal, end) = try? DecimalParser.parseJSONNumber(text, from: 0), end == text.count else { return nil }
        let value = DecimalParser.double(decimal, text: text)
        return value.isFinite ? value : nil
    }

    /// ``parseNumber(_:)`` that throws `invalidValue` naming the text.
    static func number(_ token: UnsafeRawBufferPointer) throws(DynatraceLineError) -> Double {
        guard let value = parseNumber(token) else {
            let text = String(decoding: token, as: UTF8.self)
            throw DynatraceLineError(.invalidValue, "invalid number '\(text)'")
        }
        return value
    }

    /// Parses `min=…,max=…,sum=…,count=…` (any order, each exactly once) and checks that the
    /// fields agree, with the texts and the 1e-6 tolerance of Dynatrace's validator.
    static func parseSummary(_ fields: UnsafeRawBufferPointer) throws(DynatraceLineError) -> ReferenceDynatracePayload {
        // Four locals, not an array: no allocation per summary line.
        var min = 0.0, max = 0.0, sum = 0.0, count = 0.0
        var seen = 0
        var start = 0
        while start <= fields.count {
            var stop = start
            while stop < fields.count, fields[stop] != UInt8(ascii: ",") { stop += 1 }
            let field = UnsafeRawBufferPointer(rebasing: fields[start..<stop])
            let index: Int
            if Self.hasPrefix(field, "min=") { index = 0 }
            else if Self.hasPrefix(field, "max=") { index = 1 }
            else if Self.hasPrefix(field, "sum=") { index = 2 }
            else if Self.hasPrefix(field, "count=") { index = 3 }
            else {
                throw DynatraceLineError(.invalidValue, "invalid summary field '\(String(decoding: field, as: UTF8.self))': expected min=, max=, sum= and count=")
            }
            guard seen & (1 << index) == 0 else {
                throw DynatraceLineError(.invalidValue, "repeated summary field '\(String(decoding: field, as: UTF8.self))'")
            }
            seen |= 1 << index
            let value = try Self.number(UnsafeRawBufferPointer(rebasing: field[(index == 3 ? 6 : 4)...]))
            switch index {
            case 0: min = value
            case 1: max = value
            case 2: sum = value
            default: count = value
            }
            start = stop + 1
        }
        guard seen == 0b1111 else {
            throw DynatraceLineError(.invalidValue, "a summary needs all of min, max, sum and count")
        }
        guard count >= 0, count == count.rounded(), count < 9.0e18 else {
            throw DynatraceLineError(.invalidValue, "summary count must be a non-negative integer, got \(count)")
        }
        try Self.checkConsistency(min: min, max: max, sum: sum, count: count)
        return .summary(min: min, max: max, sum: sum, count: count)
    }

    /// Dynatrace's summary checks: `count == 0` needs all zeros; otherwise `min <= sum/count <= max`
    /// within 1e-6 (which also rules out `min > max`).
    static func checkConsistency(min: Double, max: Double, sum: Double, count: Double) throws(DynatraceLineError) {
        typealias E = DynatraceLineError
        if count == 0 {
            guard min == 0, max == 0, sum == 0 else {
                throw E(.inconsistentSummary, "inconsistent gauge fields: count == 0 => min, max, sum == 0: min: \(E.fixed6(min)), max: \(E.fixed6(max)), sum: \(E.fixed6(sum)), count: 0")
            }
            return
        }
        let avg = sum / count
        let tolerance = 0.000001
        guard min - tolerance <= avg, avg <= max + tolerance, min <= max else {
            throw E(.inconsistentSummary, "inconsistent gauge fields: min <= avg <= max doesn't hold: min: \(E.fixed6(min)), max: \(E.fixed6(max)), sum: \(E.fixed6(sum)), count: \(Int64(count)), avg: \(E.fixed6(avg)), tolerance: 0.000001")
        }
    }
}
