// The parser as it was before the word-at-a-time fast paths, kept as the reference that
// DynatraceReferenceComparisonTests compares the parser with. Types are renamed with a Reference prefix.
@testable import DialectDynatrace
import BasinModel

/// A parsed payload.
enum ReferenceDynatracePayload: Equatable {
    case gauge(Double)
    case count(Double)
    case summary(min: Double, max: Double, sum: Double, count: Double)

    var isCount: Bool {
        if case .count = self { return true }
        return false
    }
}

/// The reusable scratch state of one ``ReferenceDynatraceLineParser/parse(_:into:)`` call.
struct ReferenceDynatraceLineState {
    let options: DynatraceIngestOptions
    /// The current data line's labels: its kept dimensions, then `__name__`.
    var builder = LabelsBuilder()
    /// Unescaped dimension and metadata values of the current line (only values that had
    /// quotes or escapes; the others are read from the line).
    var values: [UInt8] = []
    /// The current line's metric name as stored, when it is not the key as written: a renamed
    /// key, or the base a summary's suffixes are added to.
    var name: [UInt8] = []

    init(options: DynatraceIngestOptions) {
        self.options = options
        values.reserveCapacity(256)
        name.reserveCapacity(64)
    }

    /// Parses one line (without its `\n`) and records the outcome.
    mutating func handle(_ raw: UnsafeRawBufferPointer, number: Int, into batch: inout MetricBatch, result: inout DynatraceIngestResult) {
        var lower = 0
        var upper = raw.count
        if upper > lower, raw[upper - 1] == UInt8(ascii: "\r") { upper -= 1 }
        while lower < upper, Self.isBlank(raw[lower]) { lower += 1 }
        while upper > lower, Self.isBlank(raw[upper - 1]) { upper -= 1 }
        if lower == upper { return }
        let line = UnsafeRawBufferPointer(rebasing: raw[lower..<upper])
        do throws(DynatraceLineError) {
            try checkLength(line)
            if line[0] == UInt8(ascii: "#") {
                try parseMetadataLine(line, result: &result)
            } else {
                try parseDataLine(line, number: number, into: &batch, result: &result)
            }
            result.linesOk += 1
        } catch {
            result.linesInvalid += 1
            if result.invalidLines.count < options.limits.maxReportedErrors {
                result.invalidLines.append(DynatraceLineIssue(line: number, message: error.message))
            }
        }
    }

    /// Rejects a line over the character limit; characters are only counted when the bytes exceed it.
    func checkLength(_ line: UnsafeRawBufferPointer) throws(DynatraceLineError) {
        let limit = options.limits.maxLineCharacters
        guard line.count > limit else { return }
        let characters = Self.scalarCount(line, 0..<line.count)
        if characters > limit {
            throw DynatraceLineError(.lineTooLong, "line length exceeded: \(characters) > \(limit)")
        }
    }

    // MARK: Byte classes

    static func isBlank(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 }

    static func isLetter(_ b: UInt8) -> Bool { (b | 0x20) &- UInt8(ascii: "a") < 26 }

    static func isDigit(_ b: UInt8) -> Bool { b &- UInt8(ascii: "0") < 10 }

    /// The first non-blank offset at or after `start`.
    @inline(__always)
    static func skipBlanks(_ line: UnsafeRawBufferPointer, from start: Int) -> Int {
        var i = start
        while i < line.count, isBlank(line[i]) { i += 1 }
        return i
    }

    /// Unicode scalars in a range of UTF-8 bytes (bytes that are not continuation bytes).
    static func scalarCount(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) -> Int {
        var n = 0
        for i in range where bytes[i] & 0xC0 != 0x80 { n += 1 }
        return n
    }
}
