import BasinWire

/// A scalar member of one `/ingest` element read as text, as Jackson binds a scalar to a
/// `String` field (`metricName`, `unit`, `tenantId`).
///
/// The text stays a slice of the body when the JSON string had no escapes: the body outlives
/// every element, so nothing is copied. Only text the scanner unescaped into its scratch
/// buffer (reused by the next string read) or a boolean's literal is copied, into a buffer
/// reused across elements.
struct BluefloodElementText {
    /// The full length in bytes; nil when the member was absent or `null`.
    private(set) var byteCount: Int?
    /// The kept bytes (at most the read's `limit`), when they are a slice of the body.
    private var slice = UnsafeRawBufferPointer(start: nil, count: 0)
    /// The kept bytes, when they had to be copied.
    private var copy: [UInt8] = []
    private var isCopied = false

    /// Forgets the previous element's text (keeping the buffer's capacity).
    mutating func reset() {
        byteCount = nil
    }

    /// Reads the member's value with ``BluefloodJSON/readScalarText(_:)``, keeping at most
    /// `limit` bytes of it.
    ///
    /// Static on purpose: a method on the element state taking `&self.name` makes the compiler
    /// copy the state for the call, which keeps the buffer shared and turns the reuse of
    /// ``copy`` into an allocation per element.
    static func read(_ scanner: inout JSONScanner, into text: inout BluefloodElementText, limit: Int) throws(WireError) {
        guard let value = try BluefloodJSON.readScalarText(&scanner) else {
            text.byteCount = nil
            return
        }
        text.byteCount = value.count
        let kept = UnsafeRawBufferPointer(rebasing: value[0..<min(value.count, max(limit, 0))])
        if isSlice(value, of: scanner.bytes) {
            text.slice = kept
            text.isCopied = false
        } else {
            text.copy.removeAll(keepingCapacity: true)
            text.copy.append(contentsOf: kept)
            text.isCopied = true
        }
    }

    /// Calls `body` with the kept bytes: empty when the member was absent or `null`; valid only
    /// during the call.
    @inline(__always)
    func withBytes<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R {
        guard byteCount != nil else { return body(UnsafeRawBufferPointer(start: nil, count: 0)) }
        if isCopied { return copy.withUnsafeBytes(body) }
        return body(slice)
    }

    /// The kept bytes as a `String` (for error entries).
    var string: String {
        withBytes { String(decoding: $0, as: UTF8.self) }
    }

    /// Whether `part` lies inside `whole` (a string read without unescaping, or a number).
    @inline(__always)
    static func isSlice(_ part: UnsafeRawBufferPointer, of whole: UnsafeRawBufferPointer) -> Bool {
        guard let p = part.baseAddress, let w = whole.baseAddress else { return false }
        return p >= w && p + part.count <= w + whole.count
    }
}
