/// A span in the Zipkin v2 shape (`zipkin2.Span`, https://zipkin.io/zipkin-api/), the one model
/// every trace format Basin accepts on the SignalFx trace intake is converted to.
///
/// Identifiers are validated and normalised by ``ZipkinSpanDecoder``: ``traceId`` is 32
/// lower-case hex digits (a 64-bit id is left-padded with zeros, as Zipkin does when it compares
/// ids), ``id`` and ``parentId`` are 16 lower-case hex digits. Absent optional fields stay nil
/// so that a span encoded and decoded again is equal to itself.
public struct ZipkinSpan: Sendable, Hashable {
    /// The trace id, 32 lower-case hex digits.
    public var traceId: String
    /// The trace id as the sender wrote it, when it differs from ``traceId`` (a 16-digit id, or
    /// upper-case hex); Zipkin answers with the id as reported.
    public var originalTraceId: String?
    /// The span id, 16 lower-case hex digits.
    public var id: String
    /// The parent span id, 16 lower-case hex digits; nil for a root span (an all-zero parent is
    /// read as none, like the gateway's `normalizeParentSpanID`).
    public var parentId: String?
    /// The operation name.
    public var name: String?
    public var kind: ZipkinSpanKind?
    /// Start of the span, microseconds since the epoch.
    public var timestampMicros: Int64
    /// Duration, microseconds.
    public var durationMicros: Int64?
    public var localEndpoint: ZipkinEndpoint?
    public var remoteEndpoint: ZipkinEndpoint?
    /// Events within the span, in the order sent.
    public var annotations: [ZipkinAnnotation]
    /// String tags; Zipkin renders them sorted by key.
    public var tags: [String: String]
    public var debug: Bool?
    public var shared: Bool?

    /// Creates a span.
    public init(
        traceId: String, originalTraceId: String? = nil, id: String, parentId: String? = nil, name: String? = nil,
        kind: ZipkinSpanKind? = nil, timestampMicros: Int64, durationMicros: Int64? = nil,
        localEndpoint: ZipkinEndpoint? = nil, remoteEndpoint: ZipkinEndpoint? = nil,
        annotations: [ZipkinAnnotation] = [], tags: [String: String] = [:], debug: Bool? = nil, shared: Bool? = nil
    ) {
        self.traceId = traceId
        self.originalTraceId = originalTraceId
        self.id = id
        self.parentId = parentId
        self.name = name
        self.kind = kind
        self.timestampMicros = timestampMicros
        self.durationMicros = durationMicros
        self.localEndpoint = localEndpoint
        self.remoteEndpoint = remoteEndpoint
        self.annotations = annotations
        self.tags = tags
        self.debug = debug
        self.shared = shared
    }

    /// The trace id to show a reader: as reported when it was reported differently.
    public var reportedTraceId: String { originalTraceId ?? traceId }
}

/// Zipkin v2 span kinds.
public enum ZipkinSpanKind: String, Sendable, Hashable, CaseIterable {
    case client = "CLIENT"
    case server = "SERVER"
    case producer = "PRODUCER"
    case consumer = "CONSUMER"
}

/// A network endpoint (`zipkin2.Endpoint`).
public struct ZipkinEndpoint: Sendable, Hashable {
    public var serviceName: String?
    public var ipv4: String?
    public var ipv6: String?
    public var port: Int?

    public init(serviceName: String? = nil, ipv4: String? = nil, ipv6: String? = nil, port: Int? = nil) {
        self.serviceName = serviceName
        self.ipv4 = ipv4
        self.ipv6 = ipv6
        self.port = port
    }

    /// Whether no member is set (Zipkin drops such endpoints).
    public var isEmpty: Bool { serviceName == nil && ipv4 == nil && ipv6 == nil && port == nil }
}

/// A timestamped event within a span.
public struct ZipkinAnnotation: Sendable, Hashable {
    /// Microseconds since the epoch.
    public var timestampMicros: Int64
    public var value: String

    public init(timestampMicros: Int64, value: String) {
        self.timestampMicros = timestampMicros
        self.value = value
    }
}
