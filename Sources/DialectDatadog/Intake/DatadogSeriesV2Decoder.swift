import BasinModel
import BasinWire
import NIOCore

/// Decodes a Datadog `POST /api/v2/series` JSON body (API reference `MetricPayload`) into a
/// ``MetricBatch``.
///
/// Body shape: `{"series": [{"metric", "points": [{"timestamp", "value"}, …], "type": 0-3,
/// "interval", "resources": [{"type": "host", "name"}, …], "tags", "unit", …}, …]}`.
/// Everything maps as in ``DatadogSeriesV1Decoder`` except:
/// - `type` is an integer: 0 unspecified, 1 count, 2 rate, 3 gauge; other values are tolerated as
///   unspecified.
/// - The host is the first `resources` entry of type `host` (label `host`), likewise `device`;
///   other resource types are ignored. A resource wins over a `host:` tag.
/// - Points are objects; a point without `timestamp` rejects the request, a missing or `null`
///   `value` drops the point.
///
/// - `unit` is reported in ``DatadogIntakeResult/units`` for the metric's metadata.
///
/// The protobuf form of the same endpoint (the Agent's default, `application/x-protobuf`,
/// agent-payload `MetricPayload`, ``DatadogProtobufSchema``) is read by
/// ``decodeProtobuf(_:into:)`` into the same batch and result a JSON body with the same
/// content gives: both share ``DatadogSeriesState`` for names, tags, resources, limits, the
/// window and completion. Protobuf differences: an absent `value` is 0 and an absent
/// `timestamp` is "now" (proto3 defaults); a series without points is accepted and adds
/// nothing; an empty body is an empty payload; invalid UTF-8 in a string refuses the request.
public struct DatadogSeriesV2Decoder: Sendable {
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
        try DatadogSeriesState.decode(body, format: .v2, options: options, into: &batch)
    }

    /// Decodes a body from raw bytes.
    ///
    /// - Parameters:
    ///   - body: the decompressed request body; only read during the call.
    ///   - batch: samples are appended here; on a thrown error it is left as it was.
    /// - Returns: counts of accepted, rejected and dropped samples.
    /// - Throws: ``WireError`` for anything that rejects the whole request.
    public func decode(_ body: UnsafeRawBufferPointer, into batch: inout MetricBatch) throws(WireError) -> DatadogIntakeResult {
        try DatadogSeriesState.decode(body, format: .v2, options: options, into: &batch)
    }

    /// Decodes a protobuf `MetricPayload` held in a `ByteBuffer` (its readable bytes).
    ///
    /// - Parameters:
    ///   - body: the decompressed request body.
    ///   - batch: samples are appended here; on a thrown error it is left as it was.
    /// - Returns: counts of accepted, rejected and dropped samples.
    /// - Throws: ``WireError`` for malformed protobuf, a series without `metric`, invalid UTF-8,
    ///   an out-of-range timestamp, or a zstd frame sent without `Content-Encoding`.
    public func decodeProtobuf(_ body: ByteBuffer, into batch: inout MetricBatch) throws(WireError) -> DatadogIntakeResult {
        var outcome: Result<DatadogIntakeResult, WireError> = .success(DatadogIntakeResult())
        body.withUnsafeReadableBytes { raw in
            do throws(WireError) {
                outcome = .success(try DatadogSeriesState.decodeProtobuf(raw, options: options, into: &batch))
            } catch {
                outcome = .failure(error)
            }
        }
        return try outcome.get()
    }

    /// Decodes a protobuf `MetricPayload` from raw bytes (only read during the call).
    ///
    /// - Parameters:
    ///   - body: the decompressed request body.
    ///   - batch: samples are appended here; on a thrown error it is left as it was.
    /// - Returns: counts of accepted, rejected and dropped samples.
    /// - Throws: ``WireError`` as the `ByteBuffer` overload.
    public func decodeProtobuf(_ body: UnsafeRawBufferPointer, into batch: inout MetricBatch) throws(WireError) -> DatadogIntakeResult {
        try DatadogSeriesState.decodeProtobuf(body, options: options, into: &batch)
    }
}
