#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension DynatraceLineState {
    /// Parses `k=v[,k=v…]` from `start` up to the first unescaped blank; returns that offset (or the end).
    mutating func parseDimensions(_ line: UnsafeRawBufferPointer, from start: Int) throws(DynatraceLineError) -> Int {
        var i = start
        var count = 0
        while true {
            let keyStart = i
            while i < line.count, line[i] != UInt8(ascii: "=") {
                guard Self.isDimensionKeyByte(line[i]) else { throw Self.invalidDimensionKey(line, at: i) }
                i += 1
            }
            guard i < line.count else { throw Self.invalidDimensionKey(line, at: i) }
            let keyEnd = i
            try validateDimensionKey(line, keyStart..<keyEnd)
            count += 1
            if count > options.limits.maxDimensions {
                throw DynatraceLineError(.tooManyDimensions, "too many dimensions: more than \(options.limits.maxDimensions)")
            }
            i += 1
            let valueStart = values.count
            if i < line.count, line[i] == UInt8(ascii: "\"") {
                i = try readQuoted(line, from: i + 1, newlineEscapes: false)
            } else {
                i = try readUnquoted(line, from: i, newlineEscapes: false)
            }
            try checkDimensionValue(from: valueStart)
            keepDimension(line, keyStart: keyStart, keyEnd: keyEnd, valueStart: valueStart)
            if i == line.count || Self.isBlank(line[i]) { return i }
            guard line[i] == UInt8(ascii: ",") else {
                throw DynatraceLineError(.invalidDimensionValue, "invalid dimension value in message '\(DynatraceLineError.quote(line))': unexpected '\(Character(Unicode.Scalar(line[i])))' after a quoted value (index \(i))")
            }
            i += 1
        }
    }

    /// Records a dimension unless its value is empty or its key was already seen on this line
    /// (the first value is kept; Dynatrace keeps one and does not say which).
    mutating func keepDimension(_ line: UnsafeRawBufferPointer, keyStart: Int, keyEnd: Int, valueStart: Int) {
        guard values.count > valueStart else { return }
        let length = keyEnd - keyStart
        if let base = line.baseAddress {
            for kept in dimensions where kept.keyEnd - kept.keyStart == length && memcmp(base + kept.keyStart, base + keyStart, length) == 0 {
                values.removeLast(values.count - valueStart)
                return
            }
        }
        dimensions.append(DynatraceDimensionSpan(keyStart: keyStart, keyEnd: keyEnd, valueStart: valueStart, valueEnd: values.count))
    }

    /// Dimension keys: `[a-z0-9_:.-]`, non-empty sections, at most `maxDimensionKeyBytes`, not `__name__`.
    func validateDimensionKey(_ line: UnsafeRawBufferPointer, _ range: Range<Int>) throws(DynatraceLineError) {
        guard !range.isEmpty else { throw Self.invalidDimensionKey(line, at: range.lowerBound) }
        let limit = options.limits.maxDimensionKeyBytes
        if range.count > limit {
            throw DynatraceLineError(.invalidDimensionKey, "dimension key length exceeded: \(range.count) > \(limit)")
        }
        var previous = UInt8(ascii: ".")
        for i in range {
            if line[i] == UInt8(ascii: "."), previous == UInt8(ascii: ".") { throw Self.invalidDimensionKey(line, at: i) }
            previous = line[i]
        }
        if previous == UInt8(ascii: ".") { throw Self.invalidDimensionKey(line, at: range.upperBound - 1) }
        // `__name__` as a little-endian word.
        if range.count == 8, line.loadUnaligned(fromByteOffset: range.lowerBound, as: UInt64.self) == 0x5F5F_656D_616E_5F5F {
            throw DynatraceLineError(.invalidDimensionKey, "invalid dimension key '__name__': reserved for the metric name")
        }
    }

    /// Reads an unquoted value into ``values`` up to an unescaped `,` or blank; returns the offset there.
    mutating func readUnquoted(_ line: UnsafeRawBufferPointer, from start: Int, newlineEscapes: Bool) throws(DynatraceLineError) -> Int {
        var i = start
        while i < line.count {
            // A run of plain bytes is copied in one append.
            let run = i
            while i < line.count, Self.isPlainUnquotedByte(line[i]) { i += 1 }
            if i > run { values.append(contentsOf: UnsafeRawBufferPointer(rebasing: line[run..<i])) }
            guard i < line.count else { break }
            let b = line[i]
            if b == UInt8(ascii: "\\") {
                guard i + 1 < line.count else {
                    throw DynatraceLineError(.invalidDimensionValue, "invalid dimension value in message '\(DynatraceLineError.quote(line))': dangling backslash at the end")
                }
                values.append(Self.unescaped(line[i + 1], newlineEscapes: newlineEscapes))
                i += 2
            } else if b == UInt8(ascii: ",") || Self.isBlank(b) {
                break
            } else {
                values.append(b)
                i += 1
            }
        }
        return i
    }

    /// Reads a quoted value (after its opening `"`) into ``values``; returns the offset after the closing `"`.
    mutating func readQuoted(_ line: UnsafeRawBufferPointer, from start: Int, newlineEscapes: Bool) throws(DynatraceLineError) -> Int {
        var i = start
        while i < line.count {
            // A run of bytes that are neither a quote nor a backslash is copied in one append.
            let run = i
            while i < line.count, line[i] != UInt8(ascii: "\""), line[i] != UInt8(ascii: "\\") { i += 1 }
            if i > run { values.append(contentsOf: UnsafeRawBufferPointer(rebasing: line[run..<i])) }
            guard i < line.count else { break }
            let b = line[i]
            if b == UInt8(ascii: "\"") { return i + 1 }
            if b == UInt8(ascii: "\\"), i + 1 < line.count {
                values.append(Self.unescaped(line[i + 1], newlineEscapes: newlineEscapes))
                i += 2
            } else {
                values.append(b)
                i += 1
            }
        }
        throw DynatraceLineError(.invalidDimensionValue, "invalid dimension value in message '\(DynatraceLineError.quote(line))': missing closing quote")
    }

    /// Checks the value just read (from `valueStart` to the end of ``values``): length and UTF-8.
    func checkDimensionValue(from valueStart: Int) throws(DynatraceLineError) {
        let limits = options.limits
        let byteCount = values.count - valueStart
        let (characters, valid) = values.withUnsafeBytes { bytes in
            let range = valueStart..<bytes.count
            let characters = range.count > limits.maxDimensionValueCharacters ? Self.scalarCount(bytes, range) : range.count
            return (characters, Self.isValidUTF8(bytes, range))
        }
        if characters > limits.maxDimensionValueCharacters {
            throw DynatraceLineError(.dimensionValueTooLong, "dimension value length exceeded: \(characters) > \(limits.maxDimensionValueCharacters)")
        }
        if byteCount > limits.maxDimensionValueBytes {
            throw DynatraceLineError(.dimensionValueTooLong, "dimension value length exceeded: \(byteCount) bytes > \(limits.maxDimensionValueBytes) bytes")
        }
        guard valid else { throw DynatraceLineError(.invalidDimensionValue, "dimension value is not valid UTF-8") }
    }

    /// `\n` inside metadata values is a newline (the Java utils write multi-line descriptions so);
    /// any other escaped byte stands for itself.
    static func unescaped(_ b: UInt8, newlineEscapes: Bool) -> UInt8 {
        newlineEscapes && b == UInt8(ascii: "n") ? 0x0A : b
    }

    /// A byte an unquoted value takes as itself: not a backslash, comma or blank.
    @inline(__always)
    static func isPlainUnquotedByte(_ b: UInt8) -> Bool {
        b != UInt8(ascii: "\\") && b != UInt8(ascii: ",") && b != 0x20 && b != 0x09
    }

    static func isDimensionKeyByte(_ b: UInt8) -> Bool {
        b &- UInt8(ascii: "a") < 26 || isDigit(b) || b == UInt8(ascii: "_") || b == UInt8(ascii: "-")
            || b == UInt8(ascii: ".") || b == UInt8(ascii: ":")
    }

    /// `invalid dimension key in message '<line up to the culprit>'; error at 'M'  (index 31)`:
    /// the shape of Dynatrace's own message (two spaces before the parenthesis included).
    static func invalidDimensionKey(_ line: UnsafeRawBufferPointer, at index: Int) -> DynatraceLineError {
        let shown = DynatraceLineError.quote(UnsafeRawBufferPointer(rebasing: line[0..<Swift.min(line.count, index + 1)]))
        let culprit = index < line.count ? String(decoding: UnsafeRawBufferPointer(rebasing: line[index..<(index + 1)]), as: UTF8.self) : ""
        return DynatraceLineError(.invalidDimensionKey, "invalid dimension key in message '\(shown)'; error at '\(culprit)'  (index \(index))")
    }

    /// Whether a range of bytes is well-formed UTF-8 (no overlongs, surrogates or values past U+10FFFF).
    static func isValidUTF8(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) -> Bool {
        var i = range.lowerBound
        let end = range.upperBound
        // ASCII eight bytes at a time.
        while i + 8 <= end, bytes.loadUnaligned(fromByteOffset: i, as: UInt64.self) & 0x8080_8080_8080_8080 == 0 { i += 8 }
        while i < end {
            let b = bytes[i]
            if b < 0x80 { i += 1; continue }
            let length: Int
            var lowest: UInt8 = 0x80, highest: UInt8 = 0xBF
            switch b {
            case 0xC2...0xDF: length = 2
            case 0xE0: length = 3; lowest = 0xA0
            case 0xE1...0xEC, 0xEE...0xEF: length = 3
            case 0xED: length = 3; highest = 0x9F
            case 0xF0: length = 4; lowest = 0x90
            case 0xF1...0xF3: length = 4
            case 0xF4: length = 4; highest = 0x8F
            default: return false
            }
            guard i + length <= end, bytes[i + 1] >= lowest, bytes[i + 1] <= highest else { return false }
            for k in 2..<max(2, length) where bytes[i + k] & 0xC0 != 0x80 { return false }
            i += length
        }
        return true
    }
}
