import BasinModel

/// Why one line of a Dynatrace ingest body is invalid, or why the whole body is.
///
/// Thrown with typed throws inside ``DynatraceLineParser`` and caught per line: an invalid line
/// becomes an entry of ``DynatraceIngestResult/invalidLines`` and the other lines are still
/// stored, as Dynatrace does. Only ``Code/emptyRequest`` escapes ``DynatraceLineParser/parse(_:into:)``.
///
/// Messages follow the texts a real Dynatrace server returns where they are known
/// (`invalid metric key`, `invalid dimension key in message '…'; error at 'M'  (index 42)`,
/// `invalid metric type in message '…'`, `dimension value length exceeded: 401 > 250`, the two
/// `inconsistent gauge fields: …` texts); the rest are Basin's own stable texts.
public struct DynatraceLineError: ClassifiedError, Equatable, CustomStringConvertible {
    /// What went wrong.
    public enum Code: String, Sendable, Hashable {
        /// The body holds no line at all (empty, or only blank lines).
        case emptyRequest = "empty_request"
        /// The metric key breaks the key rules.
        case invalidMetricKey = "invalid_metric_key"
        /// The metric key starts with the reserved `dt.`.
        case reservedMetricKey = "reserved_metric_key"
        /// A dimension key breaks the key rules (upper case, bad character, no `=`).
        case invalidDimensionKey = "invalid_dimension_key"
        /// A dimension value is malformed (unterminated quote, dangling backslash, bad UTF-8).
        case invalidDimensionValue = "invalid_dimension_value"
        /// A dimension value is longer than the limit.
        case dimensionValueTooLong = "dimension_value_too_long"
        /// More dimensions than the limit.
        case tooManyDimensions = "too_many_dimensions"
        /// The line is longer than the limit.
        case lineTooLong = "line_too_long"
        /// The payload is not `gauge`, `count,delta=` or a bare number.
        case invalidMetricType = "invalid_metric_type"
        /// A number is malformed, NaN or infinite, or a summary field is missing or repeated.
        case invalidValue = "invalid_value"
        /// A summary whose fields contradict each other.
        case inconsistentSummary = "inconsistent_summary"
        /// The timestamp is not an integer number of milliseconds, or text follows it.
        case invalidTimestamp = "invalid_timestamp"
        /// The timestamp lies outside the accepted window.
        case timestampOutOfRange = "timestamp_out_of_range"
        /// A `#` line that is not a valid metadata line.
        case invalidMetadata = "invalid_metadata"
    }

    /// What went wrong.
    public let code: Code
    /// The text reported in `invalidLines[].error`.
    public let message: String

    /// Creates an error.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// Limits are `limitExceeded`; everything else is a malformed request.
    public var kind: ErrorKind {
        switch code {
        case .lineTooLong, .tooManyDimensions, .dimensionValueTooLong: .limitExceeded
        default: .badRequest
        }
    }

    public var description: String { "\(code.rawValue): \(message)" }

    /// The top-level error of a body without lines (Dynatrace: `empty request`).
    public static let emptyRequest = DynatraceLineError(.emptyRequest, "empty request")
}

extension DynatraceLineError {
    /// A number printed like C's `%f` (six decimals), as Dynatrace prints summary fields.
    ///
    /// Only used to build error messages; values too large for exact scaling fall back to Swift's
    /// shortest form.
    static func fixed6(_ value: Double) -> String {
        guard value.isFinite else { return value.description }
        let scaled = (value.magnitude * 1_000_000).rounded()
        guard scaled < 9.0e18 else { return value.description }
        let units = UInt64(scaled)
        let fraction = String(units % 1_000_000)
        let padding = String(repeating: "0", count: 6 - fraction.count)
        return (value < 0 ? "-" : "") + String(units / 1_000_000) + "." + padding + fraction
    }

    /// Up to `limit` bytes of a line as text, for messages that quote the line.
    static func quote(_ line: UnsafeRawBufferPointer, limit: Int = 100) -> String {
        let end = Swift.min(line.count, limit)
        return String(decoding: UnsafeRawBufferPointer(rebasing: line[0..<end]), as: UTF8.self)
    }
}
