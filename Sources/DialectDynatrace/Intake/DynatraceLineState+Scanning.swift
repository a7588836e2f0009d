/// Word-at-a-time (SWAR) scanning of the runs a data line is made of: metric keys, dimension
/// keys, unquoted values and blank-separated tokens.
///
/// A classifier maps eight bytes, loaded as one little-endian word (byte `i` in lane 0), to two
/// masks with the high bit set in chosen bytes: `stops`, the bytes that end the run (a delimiter
/// or a byte the run may not hold), and `marks`, bytes worth noting inside the run (a dot, a
/// non-ASCII byte). ``scan(_:from:to:_:)`` applies it while a whole word fits before the end of
/// the range and then once to the remaining bytes, taken from the range's last eight bytes
/// shifted down (or from a zero-padded copy when the range is shorter than a word), so no load
/// reads past the range.
///
/// The cheap equality test (``bytes(_:equalTo:)``) borrows across bytes, so its mask is only
/// exact up to its lowest set byte; the bytes above may be false positives. It serves for stops
/// and marks only: the scanners use the lowest stop and the marks below it, which are exact,
/// and a false mark above a true one changes nothing (a false mark of a metric key's section
/// only sends the key to the bytewise check). Classes of valid bytes use the exact forms. The
/// range test is exact for bytes below 0x80 only: every classifier also stops at, or masks out,
/// bytes with the high bit set.
extension DynatraceLineState {
    /// 0x01 in every byte.
    static let lowBits: UInt64 = 0x0101_0101_0101_0101
    /// 0x80 in every byte.
    static let highBits: UInt64 = 0x8080_8080_8080_8080

    /// The eight bytes at `offset` as a little-endian word; `offset + 8` must not pass the range.
    @inline(__always)
    static func word(_ buffer: UnsafeRawBufferPointer, at offset: Int) -> UInt64 {
        UInt64(littleEndian: buffer.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }

    /// High bit of the bytes of `word` equal to `byte` (exact up to the lowest one).
    @inline(__always)
    static func bytes(_ word: UInt64, equalTo byte: UInt8) -> UInt64 {
        let x = word ^ (lowBits &* UInt64(byte))
        return (x &- lowBits) & ~x & highBits
    }

    /// High bit of the bytes of `word` equal to `byte`, exactly: for classes of valid bytes,
    /// where a false positive would let a byte through.
    @inline(__always)
    static func bytes(_ word: UInt64, exactlyEqualTo byte: UInt8) -> UInt64 {
        let x = word ^ (lowBits &* UInt64(byte))
        return ~(((x & ~highBits) &+ ~highBits) | x) & highBits
    }

    /// High bit of the bytes in `low...high` of `raised` (the word with all high bits set, so
    /// subtraction never borrows across bytes); `1 <= low <= high < 0x80`. Bytes of the original
    /// word with the high bit set may match too and must be masked out by the caller.
    @inline(__always)
    static func bytes(_ raised: UInt64, from low: UInt8, through high: UInt8) -> UInt64 {
        let atLeastLow = raised &- lowBits &* UInt64(low)
        let aboveHigh = raised &- lowBits &* UInt64(high &+ 1)
        return atLeastLow & ~aboveHigh & highBits
    }

    /// The bytes of a metric key, `[A-Za-z0-9_.-]`.
    @inline(__always)
    static func metricKeyBytes(_ word: UInt64) -> UInt64 {
        let raised = word | highBits
        // `| 0x20` folds A-Z onto a-z and moves no other byte into a-z.
        let keyBytes = bytes(raised | 0x2020_2020_2020_2020, from: 0x61, through: 0x7A)
            | bytes(raised, from: 0x2D, through: 0x2E) | bytes(raised, from: 0x30, through: 0x39)
            | bytes(word, exactlyEqualTo: UInt8(ascii: "_"))
        return keyBytes & ~word & highBits
    }

    /// The bytes of a dimension key, `[a-z0-9_:.-]`.
    @inline(__always)
    static func dimensionKeyBytes(_ word: UInt64) -> UInt64 {
        let raised = word | highBits
        let keyBytes = bytes(raised, from: 0x61, through: 0x7A) | bytes(raised, from: 0x2D, through: 0x2E)
            | bytes(raised, from: 0x30, through: 0x3A) | bytes(word, exactlyEqualTo: UInt8(ascii: "_"))
        return keyBytes & ~word & highBits
    }

    /// The bytes of a dimension key but dots, `[a-z0-9_:-]`.
    @inline(__always)
    static func dimensionKeyBytesButDots(_ word: UInt64) -> UInt64 {
        let raised = word | highBits
        let keyBytes = bytes(raised, from: 0x61, through: 0x7A) | bytes(raised, from: 0x2D, through: 0x2D)
            | bytes(raised, from: 0x30, through: 0x3A) | bytes(word, exactlyEqualTo: UInt8(ascii: "_"))
        return keyBytes & ~word & highBits
    }

    /// Blanks: space and tab.
    @inline(__always)
    static func blanks(_ word: UInt64) -> UInt64 {
        bytes(word, equalTo: 0x20) | bytes(word, equalTo: 0x09)
    }

    /// Finds the first byte in `start..<end` that `classify` stops at (or `end`) and whether it
    /// marked a byte before it.
    @inline(__always)
    static func scan(
        _ buffer: UnsafeRawBufferPointer, from start: Int, to end: Int, _ classify: (UInt64) -> (stops: UInt64, marks: UInt64)
    ) -> (end: Int, marked: Bool) {
        var i = start
        var marked: UInt64 = 0
        while i &+ 8 <= end {
            let (stops, marks) = classify(word(buffer, at: i))
            if stops != 0 {
                // `(stops & -stops) - 1`: the bits below the lowest stop.
                let before = (stops & (0 &- stops)) &- 1
                return (i &+ (stops.trailingZeroBitCount &>> 3), marked | (marks & before) != 0)
            }
            marked |= marks
            i &+= 8
        }
        guard i < end else { return (end, marked != 0) }
        let remaining = end &- i
        var tail: UInt64 = 0
        if end >= 8 {
            // The last word overlaps bytes already scanned: shift them out.
            tail = word(buffer, at: end &- 8) &>> UInt64(truncatingIfNeeded: (8 &- remaining) &* 8)
        } else if let base = buffer.baseAddress {
            withUnsafeMutableBytes(of: &tail) { $0.baseAddress!.copyMemory(from: base + i, byteCount: remaining) }
            tail = UInt64(littleEndian: tail)
        }
        var (stops, marks) = classify(tail)
        // The lanes past the end (zeros) stop at the end.
        stops |= 0x80 &<< UInt64(truncatingIfNeeded: remaining &* 8)
        let before = (stops & (0 &- stops)) &- 1
        return (i &+ (stops.trailingZeroBitCount &>> 3), marked | (marks & before) != 0)
    }

    /// The end of a metric key starting at `start` (the first byte outside `[A-Za-z0-9_.-]`,
    /// or `end`) and whether a section starts wrongly: with `.` or `-` at `start` or after a dot.
    @inline(__always)
    static func metricKeyRun(_ line: UnsafeRawBufferPointer, from start: Int, to end: Int) -> (end: Int, badSection: Bool) {
        // The dot lane of the previous word's last byte, moved to lane 0; the key starts as if after a dot.
        var carry: UInt64 = 0x80
        let (stop, marked) = scan(line, from: start, to: end) { word in
            let dots = bytes(word, equalTo: UInt8(ascii: "."))
            let afterDot = (dots &<< 8) | carry
            carry = dots &>> 56
            return (~metricKeyBytes(word) & highBits, afterDot & (dots | bytes(word, equalTo: UInt8(ascii: "-"))))
        }
        return (stop, marked)
    }

    /// The end of a dimension key starting at `start` (the first byte outside `[a-z0-9_:.-]`,
    /// normally its `=`, or the line's end) and whether the key has a dot.
    @inline(__always)
    static func dimensionKeyRun(_ line: UnsafeRawBufferPointer, from start: Int) -> (end: Int, hasDot: Bool) {
        let (stop, marked) = scan(line, from: start, to: line.count) { word in
            (~dimensionKeyBytes(word) & highBits, bytes(word, equalTo: UInt8(ascii: ".")))
        }
        return (stop, marked)
    }

    /// The end of the plain run of an unquoted value starting at `start` (the first `,`, blank or
    /// `\`, or the line's end) and whether the run is all ASCII.
    @inline(__always)
    static func unquotedRun(_ line: UnsafeRawBufferPointer, from start: Int) -> (end: Int, ascii: Bool) {
        let (stop, marked) = scan(line, from: start, to: line.count) { word in
            (bytes(word, equalTo: UInt8(ascii: ",")) | blanks(word) | bytes(word, equalTo: UInt8(ascii: "\\")), word & highBits)
        }
        return (stop, !marked)
    }

    /// ``unquotedRun(_:from:)`` for the usual value, ended by a comma or a space (and which of
    /// the two). A cheaper test finds the first byte below `-` or equal to `\\` (the four stops
    /// are among them) while a whole word fits; nil when that byte is another one (a tab, a
    /// backslash, `"`, `#` and such) or the value reaches the line's last eight bytes, and the
    /// caller takes the exact scan.
    @inline(__always)
    static func plainValueRun(_ line: UnsafeRawBufferPointer, from start: Int) -> (end: Int, ascii: Bool, comma: Bool)? {
        var i = start
        var high: UInt64 = 0
        let end = line.count
        while i &+ 8 <= end {
            let w = word(line, at: i)
            // Bytes below 0x2D (exact up to the lowest one, and never a byte with the high bit set).
            let low = (w &- lowBits &* 0x2D) & ~w
            let candidates = (low | bytes(w, equalTo: UInt8(ascii: "\\"))) & highBits
            if candidates != 0 {
                let stop = i &+ (candidates.trailingZeroBitCount &>> 3)
                let b = line[stop]
                guard b == UInt8(ascii: ",") || b == 0x20 else { return nil }
                // The high bits of the bytes below the stop.
                high |= w & ((candidates & (0 &- candidates)) &- 1)
                return (stop, high & highBits == 0, b == UInt8(ascii: ","))
            }
            high |= w
            i &+= 8
        }
        return nil
    }

    /// The end of the token starting at `start`: the next blank or the end of the line.
    @inline(__always)
    static func tokenEnd(_ line: UnsafeRawBufferPointer, from start: Int) -> Int {
        scan(line, from: start, to: line.count) { word in (blanks(word), 0) }.end
    }

    /// The first eight bytes of a non-empty range as a big-endian word, zero-padded: a name that
    /// is greater than another in this word is greater as bytes, and equal names have equal words.
    @inline(__always)
    static func prefixWord(_ line: UnsafeRawBufferPointer, _ range: Range<Int>) -> UInt64 {
        let length = Swift.min(range.count, 8)
        var raw: UInt64 = 0
        if range.lowerBound &+ 8 <= line.count {
            raw = line.loadUnaligned(fromByteOffset: range.lowerBound, as: UInt64.self)
        } else if let base = line.baseAddress {
            withUnsafeMutableBytes(of: &raw) { $0.baseAddress!.copyMemory(from: base + range.lowerBound, byteCount: length) }
        }
        let prefix = UInt64(bigEndian: raw)
        return length == 8 ? prefix : prefix & ~(UInt64.max &>> UInt64(truncatingIfNeeded: length &* 8))
    }
}
