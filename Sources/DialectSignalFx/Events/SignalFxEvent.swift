import BasinModel

/// One decoded SignalFx event (spec §4), before it becomes a record of `_events`.
public struct SignalFxEvent: Sendable, Hashable {
    /// `eventType`: the event time series name; becomes the record's `title`.
    public var eventType: String
    /// `category`; absent or unknown is `USER_DEFINED`.
    public var category: SignalFxEventCategory
    /// `dimensions` in the order sent.
    public var dimensions: [(key: String, value: String)]
    /// `properties` in the order sent, typed (string, int, float, bool).
    public var properties: [RecordField]
    /// Milliseconds since the epoch; nil for receipt time (absent, `null` or ≤ 0).
    public var timestampMillis: Int64?

    /// Creates an event; the defaults are what an event without those members means.
    public init(
        eventType: String, category: SignalFxEventCategory = .userDefined, dimensions: [(key: String, value: String)] = [],
        properties: [RecordField] = [], timestampMillis: Int64? = nil
    ) {
        self.eventType = eventType
        self.category = category
        self.dimensions = dimensions
        self.properties = properties
        self.timestampMillis = timestampMillis
    }

    /// Equal when every member is (dimension pairs compared in order).
    public static func == (lhs: SignalFxEvent, rhs: SignalFxEvent) -> Bool {
        lhs.eventType == rhs.eventType && lhs.category == rhs.category && lhs.properties == rhs.properties
            && lhs.timestampMillis == rhs.timestampMillis
            && lhs.dimensions.map(\.key) == rhs.dimensions.map(\.key) && lhs.dimensions.map(\.value) == rhs.dimensions.map(\.value)
    }

    /// Hashes the event type and time (enough to spread events; equality compares everything).
    public func hash(into hasher: inout Hasher) {
        hasher.combine(eventType)
        hasher.combine(timestampMillis)
    }

    /// The record in the reserved `_events` dataset, in its documented layout
    /// (`BasinModel/Record.swift`), so other dialects' event APIs read it:
    /// - `title`: the `eventType`;
    /// - `tags`: each dimension as `key:value` (Datadog's tag form), in the order sent;
    /// - `host`: the `host` dimension, when there is one;
    /// - `category`: the category's enum name (`USER_DEFINED`, `ALERT`, …), what SignalFx reads
    ///   back as `sf_eventCategory`; not in the shared layout, which has no such field;
    /// - `dimensions`: the dimensions as an object (exact key/value pairs, dots kept; also
    ///   outside the shared layout, so no `key:value` split is needed to read them back);
    /// - `properties`: the properties as an object;
    /// - `dialect`: `signalfx`.
    ///
    /// - Parameter nowMillis: the receipt time, used when the event has no timestamp.
    public func record(nowMillis: Int64) -> Record {
        let millis = timestampMillis ?? nowMillis
        var fields: [RecordField] = [RecordField("title", .string(eventType))]
        if !dimensions.isEmpty {
            fields.append(RecordField("tags", .array(dimensions.map { .string("\($0.key):\($0.value)") })))
        }
        if let host = dimensions.last(where: { $0.key == "host" })?.value {
            fields.append(RecordField("host", .string(host)))
        }
        fields.append(RecordField("category", .string(category.name)))
        if !dimensions.isEmpty {
            fields.append(RecordField("dimensions", .object(dimensions.map { RecordField($0.key, .string($0.value)) })))
        }
        if !properties.isEmpty {
            fields.append(RecordField("properties", .object(properties)))
        }
        fields.append(RecordField("dialect", .string(SignalFx.dialect)))
        return Record(timeNanos: millis * 1_000_000, fields: fields)
    }
}

/// What an event decoder produced: the events to store and how many were skipped.
public struct SignalFxEventBatch: Sendable {
    /// The valid events, in the order sent.
    public var events: [SignalFxEvent] = []
    /// Events skipped (no usable `eventType`, a property without a value, a bad timestamp).
    public var dropped = 0

    /// An empty batch.
    public init() {}
}
