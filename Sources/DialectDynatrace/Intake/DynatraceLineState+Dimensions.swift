#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import BasinModel

extension DynatraceLineState {
    /// Parses `k=v[,k=v…]` from `start` up to the first unescaped blank; returns that offset (or the end).
    ///
    /// Kept dimensions go straight into ``builder``. A value without escapes is passed as a slice
    /// of the line; only quoted and escaped values are unescaped into ``values``.
    ///
    /// The usual dimension takes a short path: a key of up to fifteen bytes of `[a-z0-9_:-]`,
    /// whose end, checks and prefix word one or two words give, and an unquoted value ended by a
    /// comma or a space (``plainValueRun(_:from:)``). Every other dimension goes through the
    /// general checks, in the same order, so the errors and their precedence are unchanged.
    mutating func parseDimensions(_ line: UnsafeRawBufferPointer, from start: Int) throws(DynatraceLineError) -> Int {
        // The limits the usual dimension needs, in locals; the slow paths read `options.limits`.
        let maxDimensions = options.limits.maxDimensions
        let maxDimensionKeyBytes = options.limits.maxDimensionKeyBytes
        // Whether every key of one to seven bytes is short enough.
        let shortKeysFit = maxDimensionKeyBytes >= 7
        // An ASCII value of at most this many bytes passes both length limits.
        let plainValueLimit = Swift.min(options.limits.maxDimensionValueCharacters, options.limits.maxDimensionValueBytes)
        let end = line.count
        // The line holds at least the metric key and the comma before `start`.
        guard let base = line.baseAddress else { return start }
        var i = start
        var count = 0
        // The greatest ``prefixWord(_:_:)`` of a kept key; 0 (below every key's) when none is kept.
        var keptPrefix: UInt64 = 0
        while true {
            let keyStart = i
            var keyEnd = 0
            var keyPrefix: UInt64 = 0
            var shortKey = false
            if i &+ 8 <= end {
                let w = Self.word(line, at: i)
                // Dots stop here too: a dotted key takes the general path.
                let stops = ~Self.dimensionKeyBytesButDots(w) & Self.highBits
                let length = stops.trailingZeroBitCount &>> 3
                // A key of one to seven bytes of `[a-z0-9_:-]` ended by `=`: nothing else to
                // check (it is neither empty, too long, sectioned nor `__name__`).
                if stops != 0, length != 0, (w &>> UInt64(truncatingIfNeeded: length &<< 3)) & 0xFF == UInt64(UInt8(ascii: "=")),
                   shortKeysFit {
                    // The bytes below the stop, as a byte mask.
                    let below = ((stops & (0 &- stops)) &- 1) &>> 7
                    keyEnd = i &+ length
                    keyPrefix = (w & below).byteSwapped
                    shortKey = true
                } else if stops == 0, i &+ 16 <= end {
                    // A key of 8 to 15 bytes: the same in the next word; the first one is the prefix.
                    let next = Self.word(line, at: i &+ 8)
                    let nextStops = ~Self.dimensionKeyBytesButDots(next) & Self.highBits
                    let nextLength = nextStops.trailingZeroBitCount &>> 3
                    if nextStops != 0, (next &>> UInt64(truncatingIfNeeded: nextLength &<< 3)) & 0xFF == UInt64(UInt8(ascii: "=")),
                       8 &+ nextLength <= maxDimensionKeyBytes,
                       // `__name__` as a little-endian word.
                       nextLength != 0 || w != 0x5F5F_656D_616E_5F5F {
                        keyEnd = i &+ 8 &+ nextLength
                        keyPrefix = w.byteSwapped
                        shortKey = true
                    }
                }
            }
            if !shortKey {
                let (runEnd, hasDot) = Self.dimensionKeyRun(line, from: i)
                guard runEnd < end, base.load(fromByteOffset: runEnd, as: UInt8.self) == UInt8(ascii: "=") else {
                    throw Self.invalidDimensionKey(line, at: runEnd)
                }
                try Self.validateDimensionKey(line, keyStart..<runEnd, hasDot: hasDot, options.limits)
                keyEnd = runEnd
                keyPrefix = Self.prefixWord(line, keyStart..<keyEnd)
            }
            count &+= 1
            if count > maxDimensions {
                throw DynatraceLineError(.tooManyDimensions, "too many dimensions: more than \(maxDimensions)")
            }
            let key = Range(uncheckedBounds: (keyStart, keyEnd))
            i = keyEnd &+ 1
            if i < end, base.load(fromByteOffset: i, as: UInt8.self) == UInt8(ascii: "\"") {
                i = try readEscapedValue(line, key: key, keyPrefix: keyPrefix, from: i, dimensionsStart: start, options.limits, prefix: &keptPrefix)
            } else if let (runEnd, ascii, comma) = Self.plainValueRun(line, from: i) {
                // The usual value: a plain run ended by a comma or a space.
                let length = runEnd &- i
                let value = UnsafeRawBufferPointer(start: base + i, count: length)
                if !ascii || length > plainValueLimit {
                    try Self.checkDimensionValueFully(value, ascii: ascii, options.limits)
                }
                if length > 0 {
                    keepDimension(line, key: key, keyPrefix: keyPrefix, value: value, dimensionsStart: start, prefix: &keptPrefix)
                }
                if comma {
                    i = runEnd &+ 1
                    continue
                }
                return runEnd
            } else {
                let (runEnd, ascii) = Self.unquotedRun(line, from: i)
                let stop = runEnd < end ? base.load(fromByteOffset: runEnd, as: UInt8.self) : 0
                if stop == UInt8(ascii: "\\") {
                    i = try readEscapedValue(line, key: key, keyPrefix: keyPrefix, from: i, dimensionsStart: start, options.limits, prefix: &keptPrefix)
                } else {
                    let length = runEnd &- i
                    let value = UnsafeRawBufferPointer(start: base + i, count: length)
                    if !ascii || length > plainValueLimit {
                        try Self.checkDimensionValueFully(value, ascii: ascii, options.limits)
                    }
                    if length > 0 {
                        keepDimension(line, key: key, keyPrefix: keyPrefix, value: value, dimensionsStart: start, prefix: &keptPrefix)
                    }
                    // The run stops only at a comma, a blank, a backslash or the end.
                    i = runEnd
                    if stop == UInt8(ascii: ",") {
                        i &+= 1
                        continue
                    }
                    return i
                }
            }
            if i == end { return i }
            let next = base.load(fromByteOffset: i, as: UInt8.self)
            if Self.isBlank(next) { return i }
            guard next == UInt8(ascii: ",") else {
                throw DynatraceLineError(.invalidDimensionValue, "invalid dimension value in message '\(DynatraceLineError.quote(line))': unexpected '\(Character(Unicode.Scalar(next)))' after a quoted value (index \(i))")
            }
            i &+= 1
        }
    }

    /// Reads a quoted value (at its opening `"`) or an unquoted one with backslash escapes (at
    /// its first byte) into ``values``, checks and keeps it; returns the offset after it.
    mutating func readEscapedValue(
        _ line: UnsafeRawBufferPointer, key: Range<Int>, keyPrefix: UInt64, from start: Int, dimensionsStart: Int,
        _ limits: DynatraceIngestLimits, prefix: inout UInt64
    ) throws(DynatraceLineError) -> Int {
        let valueStart = values.count
        let end: Int
        if line[start] == UInt8(ascii: "\"") {
            end = try readQuoted(line, from: start + 1, newlineEscapes: false)
        } else {
            end = try readUnquoted(line, from: start, newlineEscapes: false)
        }
        // A local reference to the scratch, so reading it does not overlap the mutation of `self`.
        let scratch = values
        let failure = scratch.withUnsafeBytes { bytes -> DynatraceLineError? in
            let value = UnsafeRawBufferPointer(rebasing: bytes[valueStart...])
            do throws(DynatraceLineError) {
                try Self.checkDimensionValue(value, ascii: false, limits)
            } catch {
                return error
            }
            if !value.isEmpty {
                keepDimension(line, key: key, keyPrefix: keyPrefix, value: value, dimensionsStart: dimensionsStart, prefix: &prefix)
            }
            return nil
        }
        if let failure { throw failure }
        return end
    }

    /// Adds a dimension with a non-empty value to ``builder`` unless its key was already kept on
    /// this line (the first value is kept; Dynatrace keeps one and does not say which).
    ///
    /// `keyPrefix` is the key's ``prefixWord(_:_:)``; `prefix` is the greatest prefix word of the
    /// keys kept so far: a key above it (the usual case, keys arriving sorted) cannot repeat one;
    /// otherwise the line is looked at again from `dimensionsStart`.
    @inline(__always)
    mutating func keepDimension(
        _ line: UnsafeRawBufferPointer, key: Range<Int>, keyPrefix: UInt64, value: UnsafeRawBufferPointer, dimensionsStart: Int,
        prefix: inout UInt64
    ) {
        if keyPrefix > prefix {
            prefix = keyPrefix
        } else if Self.isKeptEarlier(line, key: key, dimensionsStart: dimensionsStart) {
            return
        }
        builder.add(name: UnsafeRawBufferPointer(rebasing: line[key]), value: value)
    }

    /// Whether a dimension before `key`, from `dimensionsStart` on, has the same key and a
    /// non-empty value (so it was kept). Those dimensions were parsed already, so each is
    /// `key=value,` with a quoted or unquoted value; only their extent is walked again.
    @inline(never)
    static func isKeptEarlier(_ line: UnsafeRawBufferPointer, key: Range<Int>, dimensionsStart: Int) -> Bool {
        let end = key.lowerBound
        var i = dimensionsStart
        while i < end {
            let keyStart = i
            while i < end, line[i] != UInt8(ascii: "=") { i += 1 }
            let earlierKey = keyStart..<i
            i += 1
            guard i < end else { return false }
            let empty: Bool
            if line[i] == UInt8(ascii: "\"") {
                i += 1
                empty = i < end && line[i] == UInt8(ascii: "\"")
                while i < end, line[i] != UInt8(ascii: "\"") { i += line[i] == UInt8(ascii: "\\") ? 2 : 1 }
                i += 1
            } else {
                empty = line[i] == UInt8(ascii: ",")
                while i < end, line[i] != UInt8(ascii: ",") { i += line[i] == UInt8(ascii: "\\") ? 2 : 1 }
            }
            // `i` is at the `,` before the next dimension.
            i += 1
            if !empty, earlierKey.count == key.count, let base = line.baseAddress,
               memcmp(base + earlierKey.lowerBound, base + key.lowerBound, key.count) == 0 {
                return true
            }
        }
        return false
    }

    /// Dimension keys: `[a-z0-9_:.-]`, non-empty sections, at most `maxDimensionKeyBytes`, not `__name__`.
    /// The bytes were checked while finding the key's end, which also told whether it has a dot.
    @inline(__always)
    static func validateDimensionKey(
        _ line: UnsafeRawBufferPointer, _ range: Range<Int>, hasDot: Bool, _ limits: DynatraceIngestLimits
    ) throws(DynatraceLineError) {
        // `__name__` as a little-endian word.
        if range.isEmpty || range.count > limits.maxDimensionKeyBytes || hasDot
            || (range.count == 8 && line.loadUnaligned(fromByteOffset: range.lowerBound, as: UInt64.self) == 0x5F5F_656D_616E_5F5F) {
            try validateDimensionKeyFully(line, range, limits)
        }
    }

    /// ``validateDimensionKey(_:_:hasDot:_:)`` for the keys that need more than a length check.
    @inline(never)
    static func validateDimensionKeyFully(_ line: UnsafeRawBufferPointer, _ range: Range<Int>, _ limits: DynatraceIngestLimits) throws(DynatraceLineError) {
        guard !range.isEmpty else { throw Self.invalidDimensionKey(line, at: range.lowerBound) }
        let limit = limits.maxDimensionKeyBytes
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

    /// Checks a dimension value after unescaping: length and UTF-8. `ascii` says the bytes are
    /// known to be ASCII (one character each, valid UTF-8), which skips counting and validation.
    @inline(__always)
    static func checkDimensionValue(_ value: UnsafeRawBufferPointer, ascii: Bool, _ limits: DynatraceIngestLimits) throws(DynatraceLineError) {
        if ascii, value.count <= limits.maxDimensionValueCharacters, value.count <= limits.maxDimensionValueBytes { return }
        try checkDimensionValueFully(value, ascii: ascii, limits)
    }

    /// ``checkDimensionValue(_:ascii:_:)`` for values that are long or not known to be ASCII.
    @inline(never)
    static func checkDimensionValueFully(_ value: UnsafeRawBufferPointer, ascii: Bool, _ limits: DynatraceIngestLimits) throws(DynatraceLineError) {
        let byteCount = value.count
        let characters = !ascii && byteCount > limits.maxDimensionValueCharacters ? Self.scalarCount(value, 0..<byteCount) : byteCount
        if characters > limits.maxDimensionValueCharacters {
            throw DynatraceLineError(.dimensionValueTooLong, "dimension value length exceeded: \(characters) > \(limits.maxDimensionValueCharacters)")
        }
        if byteCount > limits.maxDimensionValueBytes {
            throw DynatraceLineError(.dimensionValueTooLong, "dimension value length exceeded: \(byteCount) bytes > \(limits.maxDimensionValueBytes) bytes")
        }
        guard ascii || Self.isValidUTF8(value, 0..<byteCount) else {
            throw DynatraceLineError(.invalidDimensionValue, "dimension value is not valid UTF-8")
        }
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
