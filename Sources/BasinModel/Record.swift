/// A record: a time plus typed, possibly nested fields, in a named dataset.
///
/// Log events, Datadog events and service checks, SignalFx events and Blueflood annotations are
/// all records (the latter in reserved datasets, see ``ReservedDataset``). The time is not a
/// field: `_time` in a query names it.
public struct Record: Sendable, Hashable {
    /// The event time, nanoseconds since the Unix epoch, UTC.
    public var timeNanos: Int64
    /// The fields in the order they were sent.
    public var fields: [RecordField]

    public init(timeNanos: Int64, fields: [RecordField]) {
        self.timeNanos = timeNanos
        self.fields = fields
    }

    /// The field `name` (the first one when repeated), or nil.
    public subscript(field name: String) -> FieldValue? {
        fields.first { $0.name == name }?.value
    }
}

/// Datasets that dialects write into with a fixed field layout; users cannot create or
/// delete them, but can query them.
///
/// Layouts (every field optional unless said):
/// - `_events`: `title` (string, required), `text` (string), `tags` (array of strings),
///   `priority` (string), `alert_type` (string), `source` (string), `host` (string),
///   `aggregation_key` (string), `dialect` (string, required), `properties` (object).
/// - `_service_checks`: `check` (string, required), `status` (int 0–3, required), `host`
///   (string), `tags` (array of strings), `message` (string), `dialect` (string, required).
/// - `_annotations`: Blueflood annotations: `what` (string, required), `tags` (string),
///   `data` (string), `dialect` (string, required).
public enum ReservedDataset: String, Sendable, CaseIterable {
    case events = "_events"
    case serviceChecks = "_service_checks"
    case annotations = "_annotations"
}
