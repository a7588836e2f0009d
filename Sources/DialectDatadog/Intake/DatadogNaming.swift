/// Datadog's documented rewriting of metric names and tags, applied to ASCII bytes.
///
/// - Metric names: characters other than ASCII letters, digits, `_` and `.` become `_`
///   (docs.datadoghq.com custom_metrics: "other characters are converted to underscores");
///   case is kept. Names are not rejected for their first character.
/// - Tags: ASCII letters are lower-cased and characters other than letters, digits,
///   `_ - : . /` become `_` (Datadog lower-cases tags; datadogpy already sends them this way).
///
/// Deliberate deviation: bytes ≥ 0x80 (non-ASCII UTF-8, already validated) are kept as they are,
/// so Unicode tag values survive instead of turning into runs of `_`.
enum DatadogNaming {
    /// For each byte value, 1 when a tag keeps it unchanged (`0-9 a-z _ - : . /`, bytes ≥ 0x80), else 0.
    ///
    /// A never-freed pointer rather than an array: reading it in a loop costs one load per
    /// byte, with no retain, uniqueness or bounds check. Written once at initialisation and
    /// only read afterwards, hence `nonisolated(unsafe)`.
    nonisolated(unsafe) static let tagKept: UnsafePointer<UInt8> = table(Array("0123456789abcdefghijklmnopqrstuvwxyz_-:./".utf8))
    /// For each byte value, 1 when a metric name keeps it (`0-9 A-Z a-z _ .`, bytes ≥ 0x80), else 0.
    nonisolated(unsafe) static let metricNameKept: UnsafePointer<UInt8> = table(Array("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_.".utf8))

    private static func table(_ kept: [UInt8]) -> UnsafePointer<UInt8> {
        let table = UnsafeMutablePointer<UInt8>.allocate(capacity: 256)
        table.initialize(repeating: 0, count: 256)
        for b in 0x80...0xFF { table[b] = 1 }
        for b in kept { table[Int(b)] = 1 }
        return UnsafePointer(table)
    }

    /// Appends a tag to `output`, lower-casing ASCII letters and replacing other disallowed bytes with `_`.
    static func appendTag(_ source: UnsafeRawBufferPointer, to output: inout [UInt8]) {
        let kept = tagKept
        for b in source {
            if kept[Int(b)] != 0 {
                output.append(b)
            } else if b >= UInt8(ascii: "A"), b <= UInt8(ascii: "Z") {
                output.append(b | 0x20)
            } else {
                output.append(UInt8(ascii: "_"))
            }
        }
    }

    /// Appends a metric name to `output`, replacing disallowed bytes with `_`.
    static func appendMetricName(_ source: UnsafeRawBufferPointer, to output: inout [UInt8]) {
        let kept = metricNameKept
        for b in source {
            output.append(kept[Int(b)] != 0 ? b : UInt8(ascii: "_"))
        }
    }
}
