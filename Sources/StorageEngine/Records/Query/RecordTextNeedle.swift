import StorageAPI

/// The right-hand side of a string test, folded once per plan so a test against a literal
/// searches the row's bytes without building strings per row.
struct RecordTextNeedle {
    /// The needle as written.
    let text: String
    /// Its UTF-8 bytes.
    let bytes: [UInt8]
    /// Its UTF-8 bytes with ASCII letters lowered (for case-insensitive tests).
    let foldedBytes: [UInt8]
    /// Whether every byte is ASCII (so byte folding is exact).
    let isASCII: Bool
    /// The UTF-8 bytes of `text.lowercased()`, for case-insensitive tests on non-ASCII text.
    let loweredBytes: [UInt8]

    init(_ text: String) {
        self.text = text
        self.bytes = Array(text.utf8)
        self.foldedBytes = bytes.map(RecordTextNeedle.lower)
        self.isASCII = bytes.allSatisfy { $0 < 0x80 }
        self.loweredBytes = isASCII ? foldedBytes : Array(text.lowercased().utf8)
    }

    @inline(__always)
    static func lower(_ byte: UInt8) -> UInt8 {
        byte &- UInt8(ascii: "A") < 26 ? byte | 0x20 : byte
    }

    /// Whether `haystack` passes the test `op` against this needle.
    ///
    /// Case-insensitive tests fold ASCII bytes on the fly; when either side holds non-ASCII
    /// text both are lowered with `lowercased()` first (the rare, allocating path).
    func matches(_ haystack: String, _ op: RecordStringOp, caseSensitive: Bool) -> Bool {
        var haystack = haystack
        var needle = caseSensitive ? bytes : foldedBytes
        var fold = !caseSensitive
        if !caseSensitive && (!isASCII || !RecordTextNeedle.isASCII(haystack)) {
            haystack = haystack.lowercased()
            needle = loweredBytes
            fold = false
        }
        return haystack.withUTF8 { hay in
            needle.withUnsafeBufferPointer { pin in
                RecordTextNeedle.test(op, hay, pin, fold: fold)
            }
        }
    }

    static func isASCII(_ s: String) -> Bool {
        var s = s
        return s.withUTF8 { buffer in
            for byte in buffer where byte >= 0x80 { return false }
            return true
        }
    }

    private static func test(
        _ op: RecordStringOp, _ hay: UnsafeBufferPointer<UInt8>, _ pin: UnsafeBufferPointer<UInt8>, fold: Bool
    ) -> Bool {
        switch op {
        case .equals: return hay.count == pin.count && equal(hay, 0, pin, fold: fold)
        case .startsWith: return hay.count >= pin.count && equal(hay, 0, pin, fold: fold)
        case .endsWith: return hay.count >= pin.count && equal(hay, hay.count - pin.count, pin, fold: fold)
        case .contains: return find(hay, 0, hay.count, pin, fold: fold)
        case .has, .hasPrefix, .hasSuffix:
            if pin.isEmpty { return true }
            return anyTerm(hay) { start, end in
                let length = end - start
                guard length >= pin.count else { return false }
                switch op {
                case .has: return length == pin.count && equal(hay, start, pin, fold: fold)
                case .hasPrefix: return equal(hay, start, pin, fold: fold)
                default: return equal(hay, end - pin.count, pin, fold: fold)
                }
            }
        }
    }

    @inline(__always)
    private static func equal(
        _ hay: UnsafeBufferPointer<UInt8>, _ start: Int, _ pin: UnsafeBufferPointer<UInt8>, fold: Bool
    ) -> Bool {
        var i = 0
        while i < pin.count {
            let h = fold ? lower(hay[start + i]) : hay[start + i]
            if h != pin[i] { return false }
            i += 1
        }
        return true
    }

    private static func find(
        _ hay: UnsafeBufferPointer<UInt8>, _ from: Int, _ to: Int, _ pin: UnsafeBufferPointer<UInt8>, fold: Bool
    ) -> Bool {
        guard let first = pin.first else { return true }
        var i = from
        let last = to - pin.count
        while i <= last {
            let h = fold ? lower(hay[i]) : hay[i]
            if h == first && equal(hay, i, pin, fold: fold) { return true }
            i += 1
        }
        return false
    }

    /// Calls `body` with the bounds of each maximal run of letters and digits (non-ASCII
    /// bytes count as letters, as Kusto's term index treats non-ASCII text) until it says yes.
    @inline(__always)
    private static func anyTerm(_ hay: UnsafeBufferPointer<UInt8>, _ body: (Int, Int) -> Bool) -> Bool {
        var i = 0
        while i < hay.count {
            while i < hay.count, !isTermByte(hay[i]) { i += 1 }
            let start = i
            while i < hay.count, isTermByte(hay[i]) { i += 1 }
            if i > start, body(start, i) { return true }
        }
        return false
    }

    @inline(__always)
    private static func isTermByte(_ b: UInt8) -> Bool {
        b >= 0x80 || b &- UInt8(ascii: "0") < 10 || lower(b) &- UInt8(ascii: "a") < 26
    }
}

extension RecordTextNeedle {
    /// Equality ignoring case, folding ASCII bytes in place (no allocation) and lowering
    /// non-ASCII text with `lowercased()`.
    static func equalIgnoringCase(_ a: String, _ b: String) -> Bool {
        var a = a, b = b
        let result: Bool? = a.withUTF8 { x in
            b.withUTF8 { y in
                guard x.count == y.count else {
                    // Lowering non-ASCII text may change its length; ASCII text cannot.
                    return x.allSatisfy { $0 < 0x80 } && y.allSatisfy { $0 < 0x80 } ? false : nil
                }
                for i in 0..<x.count {
                    if x[i] >= 0x80 || y[i] >= 0x80 { return nil }
                    if lower(x[i]) != lower(y[i]) { return false }
                }
                return true
            }
        }
        if let result { return result }
        return a.lowercased() == b.lowercased()
    }
}
