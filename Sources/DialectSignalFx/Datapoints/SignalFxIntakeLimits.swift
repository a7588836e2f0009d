/// The per-point limits of SignalFx intake (spec §3.4), lowered to the server's where those are
/// stricter. A point that breaks one is dropped and counted, never a `400` (spec §3.5).
public struct SignalFxIntakeLimits: Sendable, Equatable {
    /// Longest metric name in bytes (SignalFx: 1,024).
    public var maxMetricNameBytes: Int = 1_024
    /// Longest metric name in Unicode scalars (SignalFx: 256 characters).
    public var maxMetricNameCharacters: Int = 256
    /// Most dimensions on one point (SignalFx: 36).
    public var maxDimensions: Int = 36
    /// Longest dimension key in bytes (SignalFx: 512).
    public var maxDimensionKeyBytes: Int = 512
    /// Longest dimension key in Unicode scalars (SignalFx: 128 characters).
    public var maxDimensionKeyCharacters: Int = 128
    /// Longest dimension value in bytes (SignalFx: 1,024).
    public var maxDimensionValueBytes: Int = 1_024
    /// Longest dimension value in Unicode scalars (SignalFx: 256 characters).
    public var maxDimensionValueCharacters: Int = 256
    /// Longest event type in bytes (SignalFx: 256).
    public var maxEventTypeBytes: Int = 256

    /// SignalFx's own limits.
    public init() {}

    /// SignalFx's limits lowered to a server's: `maxLabels` counts the metric name.
    public init(serverMaxLabels: Int, serverMaxLabelNameBytes: Int, serverMaxLabelValueBytes: Int, serverMaxMetricNameBytes: Int) {
        self.init()
        maxDimensions = max(0, min(maxDimensions, serverMaxLabels - 1))
        maxDimensionKeyBytes = min(maxDimensionKeyBytes, serverMaxLabelNameBytes)
        maxDimensionValueBytes = min(maxDimensionValueBytes, serverMaxLabelValueBytes)
        maxMetricNameBytes = min(maxMetricNameBytes, serverMaxMetricNameBytes)
    }
}

/// Why a point (or an event) was dropped while the rest of its request was stored.
public enum SignalFxDropReason: String, Sendable, CaseIterable {
    /// No `metric`.
    case missingMetric = "missing_metric"
    /// An empty, over-long or non-UTF-8 metric name, or one that is not a string.
    case invalidMetric = "invalid_metric"
    /// No `value` (protobuf `Datum` unset, JSON `value` absent or null).
    case missingValue = "missing_value"
    /// A value that is no finite number (bool, object, non-numeric string, NaN, ±Inf).
    case invalidValue = "invalid_value"
    /// Protobuf `ENUM` or an unknown `metricType`, or a JSON array under an unknown type key.
    case unsupportedType = "unknown_metric_type"
    /// More dimensions than allowed.
    case tooManyDimensions = "too_many_dimensions"
    /// A dimension key or value over its limit, a key `__name__`, an empty key, a nested value.
    case invalidDimension = "invalid_dimension"
    /// A timestamp that is not an integer count of milliseconds in range.
    case invalidTimestamp = "invalid_timestamp"
    /// An event without a usable `eventType`, or with a property that has no value.
    case invalidEvent = "invalid_event"
}
