/// One span object as read from the wire, before it is known to be Zipkin v1 or v2: every
/// member of both shapes, still un-validated.
struct ZipkinRawSpan {
    /// A v1 annotation (`{timestamp, value, endpoint}`).
    struct Annotation {
        var timestampMicros: Int64?
        var value: String?
        var endpoint: ZipkinEndpoint?
    }

    /// A v1 binary annotation (`{key, value, type, endpoint}`), its value as text.
    struct BinaryAnnotation {
        var key: String?
        var value: String?
        /// The value was the JSON literal `true` (how `ca`, `sa` and `ma` addresses are marked).
        var isTrue = false
        var endpoint: ZipkinEndpoint?
    }

    var traceId: String?
    var id: String?
    var parentId: String?
    var name: String?
    var kind: String?
    var timestampMicros: Int64?
    var durationMicros: Int64?
    var localEndpoint: ZipkinEndpoint?
    var remoteEndpoint: ZipkinEndpoint?
    var annotations: [Annotation] = []
    var binaryAnnotations: [BinaryAnnotation] = []
    var tags: [String: String] = [:]
    var debug: Bool?
    var shared: Bool?
    /// A member only Zipkin v2 has was present (`kind`, `tags`, `localEndpoint`,
    /// `remoteEndpoint`): the gateway's test for the v2 shape.
    var hasV2Fields = false
    var hasBinaryAnnotations = false
    /// The first per-span limit passed, naming it; the span is then dropped.
    var tooLarge: String?
}
