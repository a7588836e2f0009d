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
/// The protobuf form of the same endpoint (the Agent's default) is not decoded here.
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
}
