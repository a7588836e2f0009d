import BasinModel
import BasinWire
import NIOCore

/// Decodes a Datadog `POST /api/v1/series` body into a ``MetricBatch``.
///
/// Body shape: `{"series": [{"metric", "points": [[ts, value], …], "type", "interval", "host",
/// "tags", "device", …}, …]}` (Datadog API reference `MetricsPayload`, plus the Agent's
/// `device`). Mapping:
/// - `metric` → label `__name__`, rewritten per ``DatadogNaming`` (case kept).
/// - `host` → label `host`; `null`, `""` or absent: no label. `device` → label `device` likewise.
///   Both win over a `host:`/`device:` tag in `tags` (the field is what Datadog keys the series by).
/// - `tags`: `key:value` is split at the first `:` (`url:http://x` → `url` = `http://x`); a bare
///   tag `foo` (or `foo:`) becomes label `foo` with an empty value, so it renders back to
///   Datadog as `foo` (spec §2.7); a tag with an empty key (`:bar`) or an empty tag is dropped,
///   since a label needs a name. Tags are lower-cased and rewritten per ``DatadogNaming``.
///   Repeated keys (`env:a`, `env:b`) keep the last one: a label set holds one value per name.
/// - `type`: `gauge`, `count`, `rate` map to ``MetricKind``; missing, `null`, `""` and anything
///   else (`counter`, `histogram`) become ``MetricKind/unspecified``, never an error.
/// - `interval`: integer seconds or `null`, reported in ``DatadogIntakeResult/intervalsSeconds``.
/// - points: timestamps in seconds, integer or fractional, become milliseconds (truncated);
///   timestamps ≤ 0 become the receive time; a `null` value, `NaN`/`Infinity` (Python's
///   `json.dumps` writes them bare) or a timestamp outside the configured window drops the point.
/// - Other members (`unit`, `source_type_name`, `metadata`, …) are checked for syntax and ignored.
///
/// `{}` is an empty payload (the Agent's connectivity probe). Whole-request errors: an empty
/// body, malformed JSON, a top level that is not an object, `series` not an array, a series that
/// is not an object or lacks `metric` or `points`, a member of the wrong type, a point that is not
/// `[number, number|null]`. A series over a limit is rejected alone (see ``DatadogIntakeResult``).
///
/// - Complexity: O(n) in the body size; allocation per request and per series (its label set),
///   never per point.
public struct DatadogSeriesV1Decoder: Sendable {
    /// Settings applied to every request.
    public var options: DatadogIntakeOptions

    /// Creates a decoder.
    public init(options: DatadogIntakeOptions) {
        self.options = options
    }

    /// Decodes a body held in a `ByteBuffer` (its readable bytes).
    ///
    /// - Parameters:
    ///   - body: the decompressed request body.
    ///   - batch: samples are appended here; on a thrown error it is left as it was.
    /// - Returns: counts of accepted, rejected and dropped samples.
    /// - Throws: ``WireError`` for anything that rejects the whole request.
    public func decode(_ body: ByteBuffer, into batch: inout MetricBatch) throws(WireError) -> DatadogIntakeResult {
        try DatadogSeriesState.decode(body, format: .v1, options: options, into: &batch)
    }

    /// Decodes a body from raw bytes.
    ///
    /// - Parameters:
    ///   - body: the decompressed request body; only read during the call.
    ///   - batch: samples are appended here; on a thrown error it is left as it was.
    /// - Returns: counts of accepted, rejected and dropped samples.
    /// - Throws: ``WireError`` for anything that rejects the whole request.
    public func decode(_ body: UnsafeRawBufferPointer, into batch: inout MetricBatch) throws(WireError) -> DatadogIntakeResult {
        try DatadogSeriesState.decode(body, format: .v1, options: options, into: &batch)
    }
}
