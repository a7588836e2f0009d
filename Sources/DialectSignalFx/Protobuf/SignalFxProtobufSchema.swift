/// The SignalFx protobuf schema this dialect decodes, as field numbers (spec §3.2 and §4.2).
///
/// Source: signalfx/com_signalfx_metrics_protobuf `proto/signalfx_metrics.proto` (proto2; the
/// package name, `com.signalfx.metrics.protobuf` in signalfx-python's copy, does not affect the
/// wire format). Written out here because the decoders are hand-written (``ProtobufReader``):
///
/// ```proto
/// syntax = "proto2";
///
/// enum MetricType {
///   GAUGE = 0; COUNTER = 1; ENUM = 2; CUMULATIVE_COUNTER = 3;
/// }
/// message Datum {
///   optional string strValue    = 1;   // tag 0x0A
///   optional double doubleValue = 2;   // tag 0x11
///   optional int64  intValue    = 3;   // tag 0x18 (negatives: 10-byte varint, not zig-zag)
/// }
/// message Dimension {
///   optional string key   = 1;         // tag 0x0A
///   optional string value = 2;         // tag 0x12
/// }
/// message DataPoint {
///   optional string     source     = 1;  // 0x0A  legacy, becomes dimension sf_source
///   optional string     metric     = 2;  // 0x12
///   optional int64      timestamp  = 3;  // 0x18  ms since epoch; 0/absent = receipt time
///   optional Datum      value      = 4;  // 0x22  absent = point dropped
///   optional MetricType metricType = 5;  // 0x28  absent = GAUGE
///   repeated Dimension  dimensions = 6;  // 0x32
/// }
/// message DataPointUploadMessage {
///   repeated DataPoint datapoints = 1;   // 0x0A
/// }
///
/// enum EventCategory {
///   USER_DEFINED = 1000000; ALERT = 100000; AUDIT = 200000; JOB = 300000;
///   COLLECTD = 400000; SERVICE_DISCOVERY = 500000; EXCEPTION = 700000; AGENT = 2000000;
/// }
/// message PropertyValue {
///   optional string strValue    = 1;   // 0x0A
///   optional double doubleValue = 2;   // 0x11
///   optional int64  intValue    = 3;   // 0x18
///   optional bool   boolValue   = 4;   // 0x20
/// }
/// message Property {
///   optional string        key   = 1;  // 0x0A
///   optional PropertyValue value = 2;  // 0x12
/// }
/// message Event {
///   required string        eventType  = 1;  // 0x0A  missing = whole message invalid
///   repeated Dimension     dimensions = 2;  // 0x12
///   repeated Property      properties = 3;  // 0x1A
///   optional EventCategory category   = 4;  // 0x20
///   optional int64         timestamp  = 5;  // 0x28  ms; 0/absent = receipt time
/// }
/// message EventUploadMessage {
///   repeated Event events = 1;  // 0x0A
/// }
/// ```
///
/// Decoding rules kept from protobuf runtimes: the last occurrence of a singular scalar wins;
/// a repeated singular message field (`DataPoint.value`, `Property.value`) merges; unknown
/// fields, and known fields arriving with another wire type, are skipped.
enum SignalFxProtobufSchema {
    /// `DataPointUploadMessage` and `EventUploadMessage`: field 1 is the repeated payload.
    enum UploadMessage {
        static let items: UInt64 = 1
    }

    /// `DataPoint` fields.
    enum DataPoint {
        static let source: UInt64 = 1
        static let metric: UInt64 = 2
        static let timestamp: UInt64 = 3
        static let value: UInt64 = 4
        static let metricType: UInt64 = 5
        static let dimensions: UInt64 = 6
    }

    /// `Datum` and `PropertyValue` fields (`boolValue` only in the latter).
    enum Datum {
        static let strValue: UInt64 = 1
        static let doubleValue: UInt64 = 2
        static let intValue: UInt64 = 3
        static let boolValue: UInt64 = 4
    }

    /// `Dimension` and `Property` fields.
    enum Pair {
        static let key: UInt64 = 1
        static let value: UInt64 = 2
    }

    /// `Event` fields.
    enum Event {
        static let eventType: UInt64 = 1
        static let dimensions: UInt64 = 2
        static let properties: UInt64 = 3
        static let category: UInt64 = 4
        static let timestamp: UInt64 = 5
    }
}
