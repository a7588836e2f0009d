import BasinModel

/// One Datadog event: what `POST /api/v1/events` (API reference `EventCreateRequest`) and the
/// Agent's `/intake/` carry, and what `GET /api/v1/events` returns.
///
/// Stored as a record of the reserved `_events` dataset in its documented layout
/// (`BasinModel/Record.swift`), see ``record(nowMillis:)``; ``init(record:)`` reads any record of
/// that dataset back, whichever dialect wrote it (SignalFx events have only `title`, `tags`,
/// `host`), so one event list serves every dialect.
public struct DatadogEvent: Sendable, Hashable {
    /// The 64-bit id (see ``DatadogEventID``); nil before the event is stored.
    public var id: Int64?
    /// `title` (required).
    public var title: String
    /// `text` (required on the API; cut to 4000 Unicode scalars).
    public var text: String
    /// `date_happened`, seconds since the epoch; nil means the receipt time.
    public var dateHappenedSeconds: Int64?
    /// `priority`: `normal` or `low`; nil when not given (Datadog's default is `normal`).
    public var priority: String?
    /// `host`.
    public var host: String?
    /// `tags` as sent (`key:value` or bare).
    public var tags: [String]
    /// `alert_type`: `error`, `warning`, `info`, `success`, `user_update`, `recommendation`,
    /// `snapshot`; nil when not given (Datadog's default is `info`).
    public var alertType: String?
    /// `aggregation_key`.
    public var aggregationKey: String?
    /// `source_type_name` (stored as the layout's `source`).
    public var sourceTypeName: String?
    /// `related_event_id`.
    public var relatedEventID: Int64?
    /// `device_name`.
    public var deviceName: String?
    /// The dialect that wrote the event (`datadog`, `signalfx`, …).
    public var dialect: String

    /// The `priority` values Datadog accepts.
    public static let priorities: Set<String> = ["normal", "low"]
    /// The `alert_type` values Datadog accepts (API reference `EventAlertType`).
    public static let alertTypes: Set<String> = ["error", "warning", "info", "success", "user_update", "recommendation", "snapshot"]
    /// Datadog refuses events whose `date_happened` is more than 18 hours old (recorded `400`).
    public static let maxPastSeconds: Int64 = 18 * 3600

    /// Creates an event; everything but the title and text is optional.
    public init(
        id: Int64? = nil, title: String, text: String, dateHappenedSeconds: Int64? = nil, priority: String? = nil,
        host: String? = nil, tags: [String] = [], alertType: String? = nil, aggregationKey: String? = nil,
        sourceTypeName: String? = nil, relatedEventID: Int64? = nil, deviceName: String? = nil, dialect: String = "datadog"
    ) {
        self.id = id
        self.title = title
        self.text = text
        self.dateHappenedSeconds = dateHappenedSeconds
        self.priority = priority
        self.host = host
        self.tags = tags
        self.alertType = alertType
        self.aggregationKey = aggregationKey
        self.sourceTypeName = sourceTypeName
        self.relatedEventID = relatedEventID
        self.deviceName = deviceName
        self.dialect = dialect
    }

    /// The record time in nanoseconds: `date_happened`, else the receipt time.
    public func timeNanos(nowMillis: Int64) -> Int64 {
        if let seconds = dateHappenedSeconds {
            let (nanos, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
            if !overflow { return nanos }
        }
        return nowMillis &* 1_000_000
    }

    /// The record of `_events`, in the shared layout: `title`, `text`, `tags`, `priority`,
    /// `alert_type`, `source` (from `source_type_name`), `host`, `aggregation_key`,
    /// `dialect` = `datadog`; plus two members outside the shared layout: `id` (int, the event id,
    /// so `GET /api/v1/events/{id}` finds it) and `properties` {`related_event_id`,
    /// `device_name`} when either was sent. Absent optional members are left out, not `null`.
    ///
    /// - Parameter nowMillis: the receipt time, used when there is no `date_happened`.
    public func record(nowMillis: Int64) -> Record {
        var fields: [RecordField] = [RecordField("title", .string(title)), RecordField("text", .string(text))]
        if !tags.isEmpty { fields.append(RecordField("tags", .array(tags.map { .string($0) }))) }
        if let priority { fields.append(RecordField("priority", .string(priority))) }
        if let alertType { fields.append(RecordField("alert_type", .string(alertType))) }
        if let sourceTypeName { fields.append(RecordField("source", .string(sourceTypeName))) }
        if let host { fields.append(RecordField("host", .string(host))) }
        if let aggregationKey { fields.append(RecordField("aggregation_key", .string(aggregationKey))) }
        fields.append(RecordField("dialect", .string(dialect)))
        if let id { fields.append(RecordField("id", .int(id))) }
        var properties: [RecordField] = []
        if let relatedEventID { properties.append(RecordField("related_event_id", .int(relatedEventID))) }
        if let deviceName { properties.append(RecordField("device_name", .string(deviceName))) }
        if !properties.isEmpty { fields.append(RecordField("properties", .object(properties))) }
        return Record(timeNanos: timeNanos(nowMillis: nowMillis), fields: fields)
    }

    /// Reads a record of `_events` written by any dialect; nil when it has no string `title`.
    ///
    /// The id is the record's `id` member when it has one, else derived from the record
    /// (``DatadogEventID/derived(for:)``). Missing members read as nil / empty; a SignalFx
    /// `host` dimension is in `host` already.
    public init?(record: Record) {
        guard case .string(let title)? = record[field: "title"] else { return nil }
        func string(_ name: String) -> String? {
            if case .string(let value)? = record[field: name] { return value }
            return nil
        }
        self.init(title: title, text: string("text") ?? "", dialect: string("dialect") ?? "")
        if case .int(let stored)? = record[field: "id"] {
            id = stored
        } else {
            id = DatadogEventID.derived(for: record)
        }
        dateHappenedSeconds = DatadogEventID.floorSeconds(record.timeNanos)
        priority = string("priority")
        host = string("host")
        alertType = string("alert_type")
        aggregationKey = string("aggregation_key")
        sourceTypeName = string("source")
        if case .array(let values)? = record[field: "tags"] {
            tags = values.compactMap { if case .string(let tag) = $0 { return tag } else { return nil } }
        }
        if let properties = record[field: "properties"] {
            if case .int(let related)? = properties[member: "related_event_id"] { relatedEventID = related }
            if case .string(let device)? = properties[member: "device_name"] { deviceName = device }
        }
    }

    /// Nil when the event may be stored, else Datadog's message for refusing it:
    /// `Event too far in the past` for a `date_happened` more than 18 hours before `nowMillis`.
    public func timeProblem(nowMillis: Int64) -> String? {
        guard let seconds = dateHappenedSeconds else { return nil }
        return seconds < nowMillis / 1000 - Self.maxPastSeconds ? "Event too far in the past" : nil
    }

    /// `text` cut to at most `maxCharacters` Unicode scalars (Python's `len`, which
    /// datadog-api-client checks against the 4000 maximum).
    static func truncated(_ text: String, maxCharacters: Int) -> String {
        let scalars = text.unicodeScalars
        guard scalars.count > maxCharacters else { return text }
        var view = String.UnicodeScalarView()
        view.append(contentsOf: scalars.prefix(maxCharacters))
        return String(view)
    }
}
