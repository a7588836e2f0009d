import NIOCore

/// Writes JSON straight into a `ByteBuffer`, with no intermediate strings or dictionaries.
///
/// The writer does not track nesting: callers emit `{`, `,` and `}` through the small helpers
/// here in the right order. Numbers follow the formats vendors' clients parse: integers as
/// digits, doubles with the shortest round-tripping form, non-finite values by the caller's
/// choice (Prometheus writes them as strings, `"NaN"`, `"+Inf"`, `"-Inf"`).
public struct JSONWriter: Sendable {
    /// The bytes written so far.
    public var buffer: ByteBuffer

    /// Starts a writer over a new buffer with `capacity` bytes reserved.
    public init(capacity: Int = 1024) {
        buffer = ByteBufferAllocator().buffer(capacity: capacity)
    }

    /// Appends raw bytes that are already valid JSON (punctuation, literals).
    @inlinable
    public mutating func raw(_ text: StaticString) {
        buffer.writeStaticString(text)
    }

    /// Appends a JSON string literal with the escapes RFC 8259 requires.
    public mutating func string(_ value: some StringProtocol) {
        buffer.writeInteger(UInt8(ascii: "\""))
        var value = String(value)
        value.withUTF8 { bytes in
            var runStart = 0
            for i in 0..<bytes.count {
                let b = bytes[i]
                if b >= 0x20, b != UInt8(ascii: "\""), b != UInt8(ascii: "\\") { continue }
                if runStart < i { buffer.writeBytes(UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: bytes[runStart..<i]))) }
                switch b {
                case UInt8(ascii: "\""): buffer.writeStaticString("\\\"")
                case UInt8(ascii: "\\"): buffer.writeStaticString("\\\\")
                case 0x0A: buffer.writeStaticString("\\n")
                case 0x0D: buffer.writeStaticString("\\r")
                case 0x09: buffer.writeStaticString("\\t")
                default:
                    let hex: [UInt8] = Array("0123456789abcdef".utf8)
                    buffer.writeStaticString("\\u00")
                    buffer.writeInteger(hex[Int(b >> 4)])
                    buffer.writeInteger(hex[Int(b & 0xF)])
                }
                runStart = i + 1
            }
            if runStart < bytes.count { buffer.writeBytes(UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: bytes[runStart..<bytes.count]))) }
        }
        buffer.writeInteger(UInt8(ascii: "\""))
    }

    /// Appends `"key":`.
    public mutating func key(_ name: some StringProtocol) {
        string(name)
        buffer.writeInteger(UInt8(ascii: ":"))
    }

    /// Appends an integer.
    public mutating func integer(_ value: some BinaryInteger) {
        buffer.writeString(String(value))
    }

    /// Appends a finite double in its shortest round-tripping form (`1`, `0.5`, `1e+21`);
    /// a non-finite value is written as `null`.
    public mutating func number(_ value: Double) {
        guard value.isFinite else {
            buffer.writeStaticString("null")
            return
        }
        if value == value.rounded(.towardZero), abs(value) < 1e15 {
            buffer.writeString(String(Int64(value)))
        } else {
            buffer.writeString(value.description)
        }
    }

    /// Appends `true` or `false`.
    public mutating func bool(_ value: Bool) {
        if value { buffer.writeStaticString("true") } else { buffer.writeStaticString("false") }
    }

    /// Appends `null`.
    public mutating func null() {
        buffer.writeStaticString("null")
    }

    /// Appends a comma when `needed` is true and sets it to true (for list and object members).
    @inlinable
    public mutating func comma(_ needed: inout Bool) {
        if needed { buffer.writeInteger(UInt8(ascii: ",")) }
        needed = true
    }
}
