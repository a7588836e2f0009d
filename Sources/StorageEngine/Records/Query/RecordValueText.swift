import BasinModel

/// Text renderings and parsings of field values, as APL's `tostring`, `toint` and friends see them.
enum RecordValueText {
    /// The text of a value for `tostring`, `strcat` and string tests: strings as they are,
    /// numbers and bools as literals, timestamps in RFC 3339, arrays and objects as compact
    /// JSON, null as the empty string.
    static func text(of value: FieldValue) -> String {
        switch value {
        case .null: ""
        case .string(let s): s
        case .bool(let b): b ? "true" : "false"
        case .int(let i): String(i)
        case .float(let d): text(of: d)
        case .timestamp(let ns): RFC3339Nanos.format(ns)
        case .array, .object: json(value)
        }
    }

    /// A double as APL prints a real: integral values without a fraction (`1`, not `1.0`).
    static func text(of value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value < 0 ? "-Infinity" : "Infinity" }
        if value == value.rounded(.towardZero), abs(value) < 1e15 { return String(Int64(value)) }
        return String(value)
    }

    /// Compact JSON of a value (timestamps as RFC 3339 strings).
    static func json(_ value: FieldValue) -> String {
        var out = ""
        writeJSON(value, to: &out)
        return out
    }

    private static func writeJSON(_ value: FieldValue, to out: inout String) {
        switch value {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .int(let i): out += String(i)
        case .float(let d): out += d.isFinite ? text(of: d) : "null"
        case .string(let s): writeJSONString(s, to: &out)
        case .timestamp(let ns): writeJSONString(RFC3339Nanos.format(ns), to: &out)
        case .array(let items):
            out += "["
            for (i, item) in items.enumerated() {
                if i > 0 { out += "," }
                writeJSON(item, to: &out)
            }
            out += "]"
        case .object(let members):
            out += "{"
            for (i, member) in members.enumerated() {
                if i > 0 { out += "," }
                writeJSONString(member.name, to: &out)
                out += ":"
                writeJSON(member.value, to: &out)
            }
            out += "}"
        }
    }

    private static func writeJSONString(_ s: String, to out: inout String) {
        out += "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        out += "\""
    }

    /// An integer from text: an integer literal, or a real literal truncated toward zero.
    static func parseInt(_ text: String) -> Int64? {
        let trimmed = trim(text)
        if let i = Int64(trimmed) { return i }
        if let d = Double(trimmed), d.isFinite, abs(d) < 9.2e18 { return Int64(d) }
        return nil
    }

    /// A real from text (integer or real literal).
    static func parseDouble(_ text: String) -> Double? {
        Double(trim(text))
    }

    private static func trim(_ text: Substring) -> Substring {
        var s = text
        while let f = s.first, f == " " || f == "\t" || f == "\n" || f == "\r" { s.removeFirst() }
        while let l = s.last, l == " " || l == "\t" || l == "\n" || l == "\r" { s.removeLast() }
        return s
    }

    private static func trim(_ text: String) -> Substring {
        trim(text[...])
    }
}
