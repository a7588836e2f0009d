/// Converts a Zipkin v1 span (core annotations `cs`/`sr`/`ss`/`cr`/`ms`/`mr` with endpoints,
/// binary annotations) to the v2 shape, after Zipkin's `V1SpanConverter` (ported by
/// signalfx/gateway):
///
/// - `cs`/`cr` make a `CLIENT` span, `sr`/`ss` a `SERVER` span, `ms` a `PRODUCER`, `mr` a
///   `CONSUMER`; the core annotation's endpoint becomes `localEndpoint`, the start annotation
///   the `timestamp`, start to end the `duration` (the v1 span's own `timestamp`/`duration` win
///   when set and the span is not shared).
/// - A span with both client and server annotations (a v1 shared span) becomes two spans with
///   the same id: the client one, and the server one with `shared: true`.
/// - Binary annotations `ca`, `sa`, `ma` (addresses) become the `remoteEndpoint` of the server,
///   client and messaging side; every other binary annotation becomes a tag (its value as
///   text). Other annotations stay annotations.
/// - Without core annotations, the first endpoint seen is the `localEndpoint`.
enum ZipkinV1Converter {
    /// A converted span without its ids.
    struct Draft {
        var name: String?
        var kind: ZipkinSpanKind?
        var timestampMicros: Int64?
        var durationMicros: Int64?
        var localEndpoint: ZipkinEndpoint?
        var remoteEndpoint: ZipkinEndpoint?
        var annotations: [ZipkinAnnotation] = []
        var tags: [String: String] = [:]
        var debug: Bool?
        var shared: Bool?

        func fill(_ span: inout ZipkinSpan) {
            span.name = name.flatMap { $0.isEmpty ? nil : $0 }
            span.kind = kind
            span.durationMicros = durationMicros
            span.localEndpoint = localEndpoint
            span.remoteEndpoint = remoteEndpoint
            span.annotations = annotations
            span.tags = tags
            span.debug = debug
            span.shared = shared
        }
    }

    private struct Core {
        var cs, sr, ss, cr, ms, mr: ZipkinRawSpan.Annotation?
    }

    static func convert(_ raw: ZipkinRawSpan) -> [Draft] {
        var core = Core()
        var others: [(ZipkinAnnotation, ZipkinEndpoint?)] = []
        for a in raw.annotations {
            guard let t = a.timestampMicros, let value = a.value else { continue }
            switch value {
            case "cs" where core.cs == nil: core.cs = a
            case "sr" where core.sr == nil: core.sr = a
            case "ss" where core.ss == nil: core.ss = a
            case "cr" where core.cr == nil: core.cr = a
            case "ms" where core.ms == nil: core.ms = a
            case "mr" where core.mr == nil: core.mr = a
            default: others.append((ZipkinAnnotation(timestampMicros: t, value: value), a.endpoint))
            }
        }
        var ca, sa, ma: ZipkinEndpoint?
        var tags: [(String, String, ZipkinEndpoint?)] = []
        for b in raw.binaryAnnotations {
            guard let key = b.key else { continue }
            switch key {
            case "ca" where b.endpoint != nil: ca = b.endpoint
            case "sa" where b.endpoint != nil: sa = b.endpoint
            case "ma" where b.endpoint != nil: ma = b.endpoint
            default: if let value = b.value { tags.append((key, value, b.endpoint)) }
            }
        }
        let isClient = core.cs != nil || core.cr != nil
        let isServer = core.sr != nil || core.ss != nil
        var drafts: [Draft] = []
        if isClient {
            var d = base(raw)
            d.kind = .client
            d.localEndpoint = (core.cs ?? core.cr)?.endpoint
            d.remoteEndpoint = sa
            span(&d, start: core.cs, end: core.cr, raw: raw, useRaw: !isServer)
            drafts.append(d)
        }
        if isServer {
            var d = base(raw)
            d.kind = .server
            d.localEndpoint = (core.sr ?? core.ss)?.endpoint
            d.remoteEndpoint = ca
            if isClient { d.shared = true }
            span(&d, start: core.sr, end: core.ss, raw: raw, useRaw: !isClient)
            drafts.append(d)
        }
        if !isClient, !isServer {
            var d = base(raw)
            if core.ms != nil {
                d.kind = .producer
                d.localEndpoint = core.ms?.endpoint
                d.remoteEndpoint = ma
                span(&d, start: core.ms, end: nil, raw: raw, useRaw: true)
            } else if core.mr != nil {
                d.kind = .consumer
                d.localEndpoint = core.mr?.endpoint
                d.remoteEndpoint = ma
                span(&d, start: core.mr, end: nil, raw: raw, useRaw: true)
            } else {
                d.remoteEndpoint = sa ?? ca ?? ma
                d.timestampMicros = raw.timestampMicros ?? others.map(\.0.timestampMicros).min()
                d.durationMicros = raw.durationMicros
            }
            drafts.append(d)
        }
        attach(others: others, tags: tags, to: &drafts)
        return drafts
    }

    private static func base(_ raw: ZipkinRawSpan) -> Draft {
        var d = Draft()
        d.name = raw.name
        d.debug = raw.debug
        d.shared = raw.shared
        return d
    }

    /// Timestamp and duration from the core annotations, or the v1 span's own when `useRaw`.
    private static func span(_ d: inout Draft, start: ZipkinRawSpan.Annotation?, end: ZipkinRawSpan.Annotation?, raw: ZipkinRawSpan, useRaw: Bool) {
        let begin = start?.timestampMicros
        let finish = end?.timestampMicros
        d.timestampMicros = (useRaw ? raw.timestampMicros : nil) ?? begin
        if useRaw, let duration = raw.durationMicros {
            d.durationMicros = duration
        } else if let begin, let finish, finish > begin {
            d.durationMicros = finish - begin
        }
        if d.timestampMicros == nil { d.timestampMicros = raw.timestampMicros }
        if let duration = d.durationMicros, duration <= 0 { d.durationMicros = nil }
    }

    /// Gives each plain annotation and tag to the draft whose local service matches its
    /// endpoint (the first draft otherwise), and a local endpoint to drafts without one.
    private static func attach(others: [(ZipkinAnnotation, ZipkinEndpoint?)], tags: [(String, String, ZipkinEndpoint?)], to drafts: inout [Draft]) {
        guard !drafts.isEmpty else { return }
        func owner(_ endpoint: ZipkinEndpoint?) -> Int {
            if drafts[0].localEndpoint == nil, let endpoint { drafts[0].localEndpoint = endpoint }
            guard let service = endpoint?.serviceName else { return 0 }
            return drafts.firstIndex { $0.localEndpoint?.serviceName == service } ?? 0
        }
        for (annotation, endpoint) in others {
            drafts[owner(endpoint)].annotations.append(annotation)
        }
        for (key, value, endpoint) in tags {
            drafts[owner(endpoint)].tags[key] = value
        }
    }
}
