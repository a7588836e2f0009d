/// The body of `POST /views`: a JSON array of metric names, read as leniently as Blueflood's
/// Gson does (§9): single-quoted and unquoted strings, and numbers taken as their text.
enum BluefloodMetricNameList: Equatable {
    /// No body at all (or only whitespace): `400` with the JSON error `Invalid body. Expected JSON array of metrics.`
    case empty
    /// Something other than an array of names: `400` with this plain text, as Blueflood answers.
    case notAnArray(String)
    /// The names, in the order sent.
    case names([String])

    /// Most bytes of one name (longer names cannot be stored, so they cannot match).
    static let maxNameBytes = 4_096

    static func parse(_ bytes: UnsafeRawBufferPointer) -> BluefloodMetricNameList {
        var p = 0
        let n = bytes.count
        func skipSpace() {
            while p < n, bytes[p] == 0x20 || bytes[p] == 0x0A || bytes[p] == 0x0D || bytes[p] == 0x09 { p += 1 }
        }
        skipSpace()
        guard p < n else { return .empty }
        guard bytes[p] == UInt8(ascii: "[") else { return .notAnArray("This is not a JSON Array.") }
        p += 1
        var names: [String] = []
        skipSpace()
        if p < n, bytes[p] == UInt8(ascii: "]") {
            p += 1
            skipSpace()
            return p == n ? .names([]) : .notAnArray("This is not a JSON Array.")
        }
        while true {
            skipSpace()
            guard p < n else { return .notAnArray("Unterminated array at character \(p)") }
            var name: [UInt8] = []
            let c = bytes[p]
            if c == UInt8(ascii: "\"") || c == UInt8(ascii: "'") {
                p += 1
                var closed = false
                while p < n {
                    let b = bytes[p]
                    p += 1
                    if b == c { closed = true; break }
                    if b == UInt8(ascii: "\\"), p < n {
                        let e = bytes[p]
                        p += 1
                        switch e {
                        case UInt8(ascii: "n"): name.append(0x0A)
                        case UInt8(ascii: "t"): name.append(0x09)
                        case UInt8(ascii: "r"): name.append(0x0D)
                        case UInt8(ascii: "b"): name.append(0x08)
                        case UInt8(ascii: "f"): name.append(0x0C)
                        case UInt8(ascii: "u"):
                            guard p + 4 <= n, let code = UInt32(String(decoding: UnsafeRawBufferPointer(rebasing: bytes[p..<(p + 4)]), as: UTF8.self), radix: 16),
                                  let scalar = Unicode.Scalar(code) else {
                                return .notAnArray("Malformed Unicode escape at character \(p)")
                            }
                            p += 4
                            name.append(contentsOf: Array(String(Character(scalar)).utf8))
                        default: name.append(e)
                        }
                    } else {
                        name.append(b)
                    }
                    if name.count > maxNameBytes { return .notAnArray("Metric name longer than \(maxNameBytes) bytes at character \(p)") }
                }
                guard closed else { return .notAnArray("Unterminated string at character \(p)") }
            } else if c == UInt8(ascii: "[") || c == UInt8(ascii: "{") {
                return .notAnArray("Expected a metric name string at character \(p)")
            } else {
                // Gson's lenient literal: up to a delimiter; numbers and bare words become their text.
                while p < n {
                    let b = bytes[p]
                    if b == UInt8(ascii: ",") || b == UInt8(ascii: "]") || b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09
                        || b == UInt8(ascii: "{") || b == UInt8(ascii: "}") || b == UInt8(ascii: "[") || b == UInt8(ascii: ":") {
                        break
                    }
                    name.append(b)
                    p += 1
                    if name.count > maxNameBytes { return .notAnArray("Metric name longer than \(maxNameBytes) bytes at character \(p)") }
                }
                if name.isEmpty { return .notAnArray("Expected a metric name string at character \(p)") }
                if name == Array("null".utf8) { return .notAnArray("Expected a metric name string, found null at character \(p)") }
            }
            names.append(String(decoding: name, as: UTF8.self))
            skipSpace()
            guard p < n else { return .notAnArray("Unterminated array at character \(p)") }
            if bytes[p] == UInt8(ascii: ",") || bytes[p] == UInt8(ascii: ";") {
                p += 1
                continue
            }
            if bytes[p] == UInt8(ascii: "]") {
                p += 1
                skipSpace()
                return p == n ? .names(names) : .notAnArray("This is not a JSON Array.")
            }
            return .notAnArray("Unterminated array at character \(p)")
        }
    }
}
