/// Limits of the trace intake. A request over ``maxSpansPerRequest`` or ``maxDepth`` is refused
/// whole (`400`, the message naming the limit); a span over a per-span limit is dropped and
/// reported under the backend's reason `spanTooLargeDropped`, the rest of the batch is kept.
public struct SignalFxTraceLimits: Sendable, Hashable {
    /// Spans one request may carry.
    public var maxSpansPerRequest: Int = 10_000
    /// Deepest JSON nesting (a Zipkin v1 binary annotation's endpoint sits at depth 5).
    public var maxDepth: Int = 8
    /// Bytes of a span name, a service name or an IP address.
    public var maxNameBytes: Int = 1024
    /// Tags one span may carry (v1 binary annotations included).
    public var maxTagsPerSpan: Int = 1024
    /// Bytes of a tag key.
    public var maxTagKeyBytes: Int = 256
    /// Bytes of a tag value or an annotation value.
    public var maxTagValueBytes: Int = 65_536
    /// Annotations one span may carry.
    public var maxAnnotationsPerSpan: Int = 1024

    public init() {}
}

/// Why the backend refuses a span: the keys of the `invalid` map of a trace response
/// (signalfx/golib `sfxclient/spanfilter`).
public enum SignalFxSpanRejection: String, Sendable, Hashable, CaseIterable {
    case invalidSpanID
    case invalidTraceID
    case zipkinV2BinaryAnnotations
    case zeroTraceID
    case zeroStartTime
    case spanTooLargeDropped
}

/// What one trace body decoded to: the valid spans and the refused ones.
public struct ZipkinDecodeResult: Sendable {
    /// Valid spans, in the order sent (a v1 span shared by client and server gives two).
    public var spans: [ZipkinSpan] = []
    /// Refused spans: the reason and the span id as sent.
    public var rejections: [(reason: SignalFxSpanRejection, spanId: String)] = []
    /// The first per-span limit that was passed, naming it (for the log and a response header).
    public var limitProblem: String?

    public init() {}
}
