import BasinWire

/// The Datadog Agent's protobuf messages this dialect decodes, as field numbers (spec §3.2, §3.4).
///
/// Source: DataDog/agent-payload `proto/metrics/agent_payload.proto`, package
/// `datadog.agentpayload` (proto3). Written out here because the decoders are hand-written over
/// ``ProtobufReader``:
///
/// ```proto
/// message MetricPayload {
///   enum MetricType { UNSPECIFIED = 0; COUNT = 1; RATE = 2; GAUGE = 3; }
///   message MetricPoint { double value = 1; int64 timestamp = 2; }   // 0x09, 0x10
///   message Resource { string type = 1; string name = 2; }           // 0x0A, 0x12
///   message MetricSeries {
///     repeated Resource resources = 1;        // 0x0A
///     string metric = 2;                      // 0x12
///     repeated string tags = 3;               // 0x1A
///     repeated MetricPoint points = 4;        // 0x22
///     MetricType type = 5;                    // 0x28
///     string unit = 6;                        // 0x32
///     string source_type_name = 7;            // 0x3A (ignored)
///     int64 interval = 8;                     // 0x40 seconds
///     Metadata metadata = 9;                  // 0x4A (origin; ignored)
///   }
///   repeated MetricSeries series = 1;         // 0x0A
/// }
///
/// message SketchPayload {
///   message Sketch {
///     message Dogsketch {
///       int64 ts = 1; int64 cnt = 2;                              // 0x08, 0x10
///       double min = 3; double max = 4; double avg = 5; double sum = 6;  // 0x19, 0x21, 0x29, 0x31
///       repeated sint32 k = 7;                                    // 0x3A packed (0x38 unpacked)
///       repeated uint32 n = 8;                                    // 0x42 packed (0x40 unpacked)
///     }
///     string metric = 1;                      // 0x0A
///     string host = 2;                        // 0x12
///     repeated Distribution distributions = 3;// legacy GK sketches (ignored)
///     repeated string tags = 4;               // 0x22
///     repeated Dogsketch dogsketches = 7;     // 0x3A
///     Metadata metadata = 8;                  // ignored
///   }
///   repeated Sketch sketches = 1;             // 0x0A
///   CommonMetadata metadata = 2;              // ignored
/// }
/// ```
///
/// Unknown fields of any wire type are skipped, and so are known fields sent with an
/// unexpected wire type (as protobuf runtimes do).
public enum DatadogProtobufSchema {
    /// `MetricPayload` fields.
    public enum MetricPayload {
        public static let series: UInt64 = 1
    }

    /// `MetricPayload.MetricSeries` fields.
    public enum MetricSeries {
        public static let resources: UInt64 = 1
        public static let metric: UInt64 = 2
        public static let tags: UInt64 = 3
        public static let points: UInt64 = 4
        public static let type: UInt64 = 5
        public static let unit: UInt64 = 6
        public static let sourceTypeName: UInt64 = 7
        public static let interval: UInt64 = 8
        public static let metadata: UInt64 = 9
    }

    /// `MetricPayload.MetricPoint` fields.
    public enum MetricPoint {
        public static let value: UInt64 = 1
        public static let timestamp: UInt64 = 2
    }

    /// `MetricPayload.Resource` fields.
    public enum Resource {
        public static let type: UInt64 = 1
        public static let name: UInt64 = 2
    }

    /// `SketchPayload` fields.
    public enum SketchPayload {
        public static let sketches: UInt64 = 1
        public static let metadata: UInt64 = 2
    }

    /// `SketchPayload.Sketch` fields.
    public enum Sketch {
        public static let metric: UInt64 = 1
        public static let host: UInt64 = 2
        public static let distributions: UInt64 = 3
        public static let tags: UInt64 = 4
        public static let dogsketches: UInt64 = 7
        public static let metadata: UInt64 = 8
    }

    /// `SketchPayload.Sketch.Dogsketch` fields.
    public enum Dogsketch {
        public static let ts: UInt64 = 1
        public static let cnt: UInt64 = 2
        public static let min: UInt64 = 3
        public static let max: UInt64 = 4
        public static let avg: UInt64 = 5
        public static let sum: UInt64 = 6
        public static let k: UInt64 = 7
        public static let n: UInt64 = 8
    }

    /// The first four bytes of a zstd frame: a body that starts so was sent compressed without a
    /// `Content-Encoding` header (the classic "unknown wireType=6" failure, spec §3.2).
    static let zstdMagic: [UInt8] = [0x28, 0xB5, 0x2F, 0xFD]

    /// Refuses a body that is a zstd frame, with a message that says what to fix.
    static func refuseCompressed(_ body: UnsafeRawBufferPointer) throws(WireError) {
        guard body.count >= 4, body[0] == zstdMagic[0], body[1] == zstdMagic[1], body[2] == zstdMagic[2], body[3] == zstdMagic[3] else { return }
        throw WireError(.unexpectedByte, "the body is a zstd frame, not protobuf; send it with Content-Encoding: zstd", offset: 0)
    }
}
