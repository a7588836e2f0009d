import BasinModel

/// How a span is stored: one record of the `traces` dataset, its time the span start.
///
/// Fields (absent members are not stored): `traceId` (32 hex), `traceIdOriginal` (as reported,
/// when it differs), `id`, `parentId`, `name`, `kind`, `duration` (µs, int),
/// `localEndpoint`/`remoteEndpoint` (`{serviceName, ipv4, ipv6, port}`), `tags` (object of
/// strings), `annotations` (array of `{timestamp µs, value}`), `shared`, `debug`.
extension ZipkinSpan {
    /// Record field names.
    enum Field {
        static let traceId = "traceId"
        static let traceIdOriginal = "traceIdOriginal"
        static let id = "id"
        static let parentId = "parentId"
        static let name = "name"
        static let kind = "kind"
        static let duration = "duration"
        static let localEndpoint = "localEndpoint"
        static let remoteEndpoint = "remoteEndpoint"
        static let tags = "tags"
        static let annotations = "annotations"
        static let shared = "shared"
        static let debug = "debug"
        static let serviceName = "serviceName"
    }

    /// The span as a record (time: the start in nanoseconds, clamped to the representable range).
    public var record: Record {
        var fields: [RecordField] = [RecordField(Field.traceId, .string(traceId))]
        if let originalTraceId { fields.append(RecordField(Field.traceIdOriginal, .string(originalTraceId))) }
        fields.append(RecordField(Field.id, .string(id)))
        if let parentId { fields.append(RecordField(Field.parentId, .string(parentId))) }
        if let name { fields.append(RecordField(Field.name, .string(name))) }
        if let kind { fields.append(RecordField(Field.kind, .string(kind.rawValue))) }
        if let durationMicros { fields.append(RecordField(Field.duration, .int(durationMicros))) }
        if let localEndpoint { fields.append(RecordField(Field.localEndpoint, Self.value(localEndpoint))) }
        if let remoteEndpoint { fields.append(RecordField(Field.remoteEndpoint, Self.value(remoteEndpoint))) }
        if !tags.isEmpty {
            let members = tags.sorted { $0.key < $1.key }.map { RecordField($0.key, .string($0.value)) }
            fields.append(RecordField(Field.tags, .object(members)))
        }
        if !annotations.isEmpty {
            fields.append(RecordField(Field.annotations, .array(annotations.map {
                .object([RecordField("timestamp", .int($0.timestampMicros)), RecordField("value", .string($0.value))])
            })))
        }
        if let shared { fields.append(RecordField(Field.shared, .bool(shared))) }
        if let debug { fields.append(RecordField(Field.debug, .bool(debug))) }
        let (nanos, overflow) = timestampMicros.multipliedReportingOverflow(by: 1000)
        return Record(timeNanos: overflow ? (timestampMicros < 0 ? .min : .max) : nanos, fields: fields)
    }

    /// The span a record of the `traces` dataset holds; nil for a record that is not one.
    public init?(record: Record) {
        var traceId: String?
        var id: String?
        var span = ZipkinSpan(traceId: "", id: "", timestampMicros: record.timeNanos / 1000)
        for field in record.fields {
            switch (field.name, field.value) {
            case (Field.traceId, .string(let s)): traceId = s
            case (Field.traceIdOriginal, .string(let s)): span.originalTraceId = s
            case (Field.id, .string(let s)): id = s
            case (Field.parentId, .string(let s)): span.parentId = s
            case (Field.name, .string(let s)): span.name = s
            case (Field.kind, .string(let s)): span.kind = ZipkinSpanKind(rawValue: s)
            case (Field.duration, .int(let d)): span.durationMicros = d
            case (Field.duration, .float(let d)) where d.isFinite && abs(d) < 9e18: span.durationMicros = Int64(d)
            case (Field.localEndpoint, let v): span.localEndpoint = Self.endpoint(v)
            case (Field.remoteEndpoint, let v): span.remoteEndpoint = Self.endpoint(v)
            case (Field.tags, .object(let members)):
                for m in members { if case .string(let s) = m.value { span.tags[m.name] = s } }
            case (Field.annotations, .array(let items)):
                span.annotations = items.compactMap { item in
                    guard case .int(let t)? = item[member: "timestamp"], case .string(let v)? = item[member: "value"] else { return nil }
                    return ZipkinAnnotation(timestampMicros: t, value: v)
                }
            case (Field.shared, .bool(let b)): span.shared = b
            case (Field.debug, .bool(let b)): span.debug = b
            default: continue
            }
        }
        guard let traceId, let id else { return nil }
        span.traceId = traceId
        span.id = id
        self = span
    }

    static func value(_ endpoint: ZipkinEndpoint) -> FieldValue {
        var members: [RecordField] = []
        if let s = endpoint.serviceName { members.append(RecordField(Field.serviceName, .string(s))) }
        if let s = endpoint.ipv4 { members.append(RecordField("ipv4", .string(s))) }
        if let s = endpoint.ipv6 { members.append(RecordField("ipv6", .string(s))) }
        if let p = endpoint.port { members.append(RecordField("port", .int(Int64(p)))) }
        return .object(members)
    }

    static func endpoint(_ value: FieldValue) -> ZipkinEndpoint? {
        guard case .object = value else { return nil }
        var endpoint = ZipkinEndpoint()
        if case .string(let s)? = value[member: Field.serviceName] { endpoint.serviceName = s }
        if case .string(let s)? = value[member: "ipv4"] { endpoint.ipv4 = s }
        if case .string(let s)? = value[member: "ipv6"] { endpoint.ipv6 = s }
        if case .int(let p)? = value[member: "port"], p > 0, p <= 65_535 { endpoint.port = Int(p) }
        return endpoint.isEmpty ? nil : endpoint
    }
}
