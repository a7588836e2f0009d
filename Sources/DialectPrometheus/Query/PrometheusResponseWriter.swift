import BasinModel
import BasinWire
import NIOCore

/// Renders Prometheus HTTP API bodies: `{"status":"success","data":...}` and the error envelope.
///
/// Sample values are strings in Go's `strconv.FormatFloat(v, 'f', -1, 64)` form (`"1.5"`,
/// `"0.00001"`, `"NaN"`, `"+Inf"`, `"-Inf"`); timestamps are numbers of seconds with up to three
/// decimals, as Prometheus writes them.
public enum PrometheusResponseWriter {
    /// The body of a successful `query` or `query_range`.
    public static func render(_ result: PrometheusResult) -> ByteBuffer {
        var w = JSONWriter(capacity: 4096)
        w.raw("{\"status\":\"success\",\"data\":{\"resultType\":")
        w.string(result.resultType)
        w.raw(",\"result\":")
        switch result {
        case .scalar(let t, let v):
            writePoint(&w, t, valueText(v))
        case .string(let t, let s):
            writePoint(&w, t, s)
        case .vector(let samples):
            w.raw("[")
            var needComma = false
            for sample in samples {
                w.comma(&needComma)
                w.raw("{\"metric\":")
                writeLabels(&w, sample.labels)
                w.raw(",\"value\":")
                writePoint(&w, sample.timestampMillis, value: sample.value)
                w.raw("}")
            }
            w.raw("]")
        case .matrix(let series):
            w.raw("[")
            var needComma = false
            for s in series {
                w.comma(&needComma)
                w.raw("{\"metric\":")
                writeLabels(&w, s.labels)
                w.raw(",\"values\":[")
                var needPointComma = false
                for (t, v) in zip(s.timestampsMillis, s.values) {
                    w.comma(&needPointComma)
                    writePoint(&w, t, value: v)
                }
                w.raw("]}")
            }
            w.raw("]")
        }
        w.raw("}}")
        return w.buffer
    }

    /// `{"status":"success","data":[...strings...]}` (labels, label values).
    public static func renderStrings(_ values: [String]) -> ByteBuffer {
        var w = JSONWriter(capacity: 256 + values.count * 16)
        w.raw("{\"status\":\"success\",\"data\":[")
        var needComma = false
        for v in values {
            w.comma(&needComma)
            w.string(v)
        }
        w.raw("]}")
        return w.buffer
    }

    /// `{"status":"success","data":[{...labels...}, ...]}` (series).
    public static func renderLabelSets(_ sets: [Labels]) -> ByteBuffer {
        var w = JSONWriter(capacity: 256 + sets.count * 64)
        w.raw("{\"status\":\"success\",\"data\":[")
        var needComma = false
        for labels in sets {
            w.comma(&needComma)
            writeLabels(&w, labels)
        }
        w.raw("]}")
        return w.buffer
    }

    /// `{"status":"error","errorType":"bad_data","error":"..."}`.
    public static func renderError(type: String, message: String) -> ByteBuffer {
        var w = JSONWriter(capacity: 128 + message.utf8.count)
        w.raw("{\"status\":\"error\",\"errorType\":")
        w.string(type)
        w.raw(",\"error\":")
        w.string(message)
        w.raw("}")
        return w.buffer
    }

    static func writeLabels(_ w: inout JSONWriter, _ labels: Labels) {
        w.raw("{")
        var needComma = false
        labels.forEach { name, value in
            w.comma(&needComma)
            w.key(name)
            w.string(value)
        }
        w.raw("}")
    }

    static func writePoint(_ w: inout JSONWriter, _ timestampMillis: Int64, _ text: String) {
        w.raw("[")
        w.buffer.writeString(timestampText(timestampMillis))
        w.raw(",")
        w.string(text)
        w.raw("]")
    }

    /// `[seconds,"value"]` for a sample, the value's digits written straight into the buffer
    /// (they never need JSON escapes) without building an intermediate string per point.
    static func writePoint(_ w: inout JSONWriter, _ timestampMillis: Int64, value v: Double) {
        w.raw("[")
        writeTimestamp(&w, timestampMillis)
        w.raw(",\"")
        if v.isFinite {
            var text = v.description
            let general = text.withUTF8 { bytes -> Bool in
                // As in valueText: without an exponent, Swift's digits are Go's but for ".0".
                if bytes.contains(UInt8(ascii: "e")) || bytes.contains(UInt8(ascii: "E")) { return true }
                var n = bytes.count
                if n >= 2, bytes[n - 1] == UInt8(ascii: "0"), bytes[n - 2] == UInt8(ascii: ".") { n -= 2 }
                w.buffer.writeBytes(UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: bytes[0..<n])))
                return false
            }
            if general { w.buffer.writeString(generalValueText(text)) }
        } else {
            w.buffer.writeString(valueText(v))
        }
        w.raw("\"]")
    }

    /// ``timestampText(_:)`` written as digits straight into the buffer (no strings).
    static func writeTimestamp(_ w: inout JSONWriter, _ millis: Int64) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 32) { digits in
            var i = digits.count
            var seconds = millis.magnitude / 1000
            var fraction = millis.magnitude % 1000
            if fraction != 0 {
                var places = 3
                while fraction % 10 == 0 {
                    fraction /= 10
                    places -= 1
                }
                for _ in 0..<places {
                    i -= 1
                    digits[i] = UInt8(ascii: "0") + UInt8(fraction % 10)
                    fraction /= 10
                }
                i -= 1
                digits[i] = UInt8(ascii: ".")
            }
            repeat {
                i -= 1
                digits[i] = UInt8(ascii: "0") + UInt8(seconds % 10)
                seconds /= 10
            } while seconds > 0
            if millis < 0 {
                i -= 1
                digits[i] = UInt8(ascii: "-")
            }
            w.buffer.writeBytes(UnsafeRawBufferPointer(UnsafeMutableBufferPointer(rebasing: digits[i...])))
        }
    }

    /// Seconds with up to three decimals and no trailing zeros: `1700000000`, `1700000000.5`.
    public static func timestampText(_ millis: Int64) -> String {
        let negative = millis < 0
        let magnitude = millis.magnitude
        var text = (negative ? "-" : "") + String(magnitude / 1000)
        var fraction = magnitude % 1000
        if fraction != 0 {
            var digits = 3
            while fraction % 10 == 0 {
                fraction /= 10
                digits -= 1
            }
            let s = String(fraction)
            text += "." + String(repeating: "0", count: digits - s.count) + s
        }
        return text
    }

    /// Go's `FormatFloat(v, 'f', -1, 64)`: the shortest round-tripping digits, never an exponent.
    public static func valueText(_ v: Double) -> String {
        if v.isNaN { return "NaN" }
        if v == .infinity { return "+Inf" }
        if v == -.infinity { return "-Inf" }
        var text = v.description
        // Swift's shortest round-trip digits without an exponent already are Go's form, but
        // for the ".0" of integral values: skip the general rewriting below (most values).
        let (hasExponent, pointZero) = text.withUTF8 { bytes in
            (bytes.contains(UInt8(ascii: "e")) || bytes.contains(UInt8(ascii: "E")),
             bytes.count >= 2 && bytes[bytes.count - 1] == UInt8(ascii: "0") && bytes[bytes.count - 2] == UInt8(ascii: "."))
        }
        if hasExponent { return generalValueText(text) }
        if pointZero { text.removeLast(2) }
        return text
    }

    /// ``valueText(_:)`` for any finite value's Swift description (exponent or not).
    static func generalValueText(_ description: String) -> String {
        var text = description
        let negative = text.hasPrefix("-")
        if negative { text.removeFirst() }
        var exponent = 0
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            exponent = Int(text[text.index(after: e)...]) ?? 0
            text = String(text[..<e])
        }
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        let integerPart = String(parts[0])
        let fractionPart = parts.count > 1 ? String(parts[1]) : ""
        var digits = integerPart + fractionPart
        var pointPosition = integerPart.count + exponent
        // Normalise: strip leading zeros (keeping the point where it belongs) and trailing zeros.
        while digits.count > 1, digits.first == "0" {
            digits.removeFirst()
            pointPosition -= 1
        }
        while digits.count > 1, digits.last == "0", digits.count > max(pointPosition, 1) { digits.removeLast() }
        var result: String
        if digits == "0" {
            result = "0"
        } else if pointPosition <= 0 {
            result = "0." + String(repeating: "0", count: -pointPosition) + digits
        } else if pointPosition >= digits.count {
            result = digits + String(repeating: "0", count: pointPosition - digits.count)
        } else {
            let index = digits.index(digits.startIndex, offsetBy: pointPosition)
            result = String(digits[..<index]) + "." + String(digits[index...])
        }
        return (negative && result != "0" ? "-" : (negative ? "-" : "")) + result
    }
}
