/// How one ingest request is decoded: the query parameters and headers of
/// `POST /v1/datasets/{ds}/ingest` (spec `axiom.md` §5.1) plus the server's limits.
public struct AxiomIngestOptions: Sendable {
    /// The field holding the event time (`timestamp-field`, default `_time`). When it names
    /// another field, that field also stays in the event (§5.3).
    public var timestampField: String
    /// A Go reference-time layout (`timestamp-format`, e.g. `2/Jan/2006:15:04:05 +0000`);
    /// nil parses times heuristically (RFC 3339, ISO 8601 variants, epoch numbers).
    public var timestampFormat: String?
    /// The CSV separator (`csv-delimiter`), one ASCII byte; default `,`.
    public var csvDelimiter: UInt8
    /// Field names for headerless CSV (`X-Axiom-CSV-Fields`); empty means "the first row is the header".
    public var csvFields: [String]
    /// The raw `X-Axiom-Event-Labels` header value: a JSON object whose members are added to
    /// every event (an event's own field of the same name wins). Its byte length counts in
    /// `processedBytes`.
    public var eventLabels: String?
    /// The receive time, nanoseconds since the epoch: the `_time` of events without one, and
    /// the `_sysTime` of every event.
    public var nowNanos: Int64
    /// Whether every record gets a `_sysTime` field (the receive time, first among its fields),
    /// Axiom's system field (§5.2). An incoming `_sysTime` is renamed `_user_sysTime` either way.
    public var storesSysTime: Bool
    /// Size and shape limits.
    public var limits: AxiomIngestLimits

    /// Creates options; every parameter has Axiom's default.
    public init(
        timestampField: String = "_time", timestampFormat: String? = nil, csvDelimiter: UInt8 = UInt8(ascii: ","),
        csvFields: [String] = [], eventLabels: String? = nil, nowNanos: Int64, storesSysTime: Bool = true,
        limits: AxiomIngestLimits = AxiomIngestLimits()
    ) {
        self.timestampField = timestampField
        self.timestampFormat = timestampFormat
        self.csvDelimiter = csvDelimiter
        self.csvFields = csvFields
        self.eventLabels = eventLabels
        self.nowNanos = nowNanos
        self.storesSysTime = storesSysTime
        self.limits = limits
    }
}

/// Axiom's system-wide ingest limits (spec §5.2, DOC limits), all configurable.
public struct AxiomIngestLimits: Sendable, Equatable {
    /// Most events in one request (Axiom: 10,000); more fails the whole request with `413`.
    public var maxEventsPerRequest: Int = 10_000
    /// Most bytes of a field name, the dotted path of a nested member included (Axiom: 200);
    /// a longer one fails its event.
    public var maxFieldNameBytes: Int = 200
    /// Most bytes of a string value (Axiom: 1 MB); a longer one is stored as
    /// ``AxiomIngestLimits/tooLongPlaceholder``.
    public var maxStringBytes: Int = 1 << 20
    /// Deepest nesting of objects and arrays kept, the event object being level 1 (Axiom: 100);
    /// a container deeper than this is stored as `null`.
    public var maxNestingDepth: Int = 100
    /// Most fields in one event, counting every member of nested objects (flattened, as Axiom
    /// counts them); an event with more fails. Axiom's Cloud plan allows 1,024 per dataset.
    public var maxFieldsPerEvent: Int = 1024
    /// Nesting past which JSON is malformed rather than truncated (keeps the scanner's stack bounded).
    public var maxScanDepth: Int = 512

    /// What a string over ``maxStringBytes`` becomes.
    public static let tooLongPlaceholder = "<invalid string: too long>"

    /// Axiom's limits.
    public init() {}
}
