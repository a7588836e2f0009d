import BasinModel

/// A Blueflood annotation (`POST /events`, §6): what happened, when, free-text tags and data.
///
/// Stored as a ``BasinModel/Record`` in the reserved dataset `_annotations` of the tenant's
/// organisation (layout in `Sources/BasinModel/Record.swift`).
public struct BluefloodEvent: Sendable, Hashable {
    /// What happened (required, non-empty).
    public var what: String
    /// When, in milliseconds since the Unix epoch.
    public var when: Int64
    /// One free-text string (not a list), `""` when not sent.
    public var tags: String
    /// Free text, `""` when not sent.
    public var data: String
    /// The tenant (the path tenant of the `POST`).
    public var tenantId: String

    /// Creates an event.
    public init(what: String, when: Int64, tags: String = "", data: String = "", tenantId: String) {
        self.what = what
        self.when = when
        self.tags = tags
        self.data = data
        self.tenantId = tenantId
    }

    /// The record stored in ``BasinModel/ReservedDataset/annotations``: time = `when` in
    /// nanoseconds (clamped to the `Int64` range), string fields `what`, `tags`, `data`, and
    /// `dialect` = `blueflood`.
    public var record: Record {
        let (nanos, overflow) = when.multipliedReportingOverflow(by: 1_000_000)
        let time = overflow ? (when < 0 ? Int64.min : Int64.max) : nanos
        return Record(timeNanos: time, fields: [
            RecordField("what", .string(what)),
            RecordField("tags", .string(tags)),
            RecordField("data", .string(data)),
            RecordField("dialect", .string(Blueflood.dialect)),
        ])
    }

    /// Reads an event back from its stored record.
    ///
    /// - Returns: nil when the record has no string `what`; `tags` and `data` default to `""`,
    ///   `when` is the record time floored to milliseconds.
    public init?(record: Record, tenantId: String) {
        guard case .string(let what)? = record[field: "what"] else { return nil }
        self.what = what
        let (quotient, remainder) = record.timeNanos.quotientAndRemainder(dividingBy: 1_000_000)
        self.when = remainder < 0 ? quotient - 1 : quotient
        if case .string(let tags)? = record[field: "tags"] { self.tags = tags } else { self.tags = "" }
        if case .string(let data)? = record[field: "data"] { self.data = data } else { self.data = "" }
        self.tenantId = tenantId
    }
}
