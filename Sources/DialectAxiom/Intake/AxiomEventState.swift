import BasinModel
import BasinWire

/// The per-request state of ``AxiomIngestDecoder``: the batch being built, the labels, the
/// timestamp parser, the event count. Turns decoded fields into records by Axiom's rules.
struct AxiomEventState {
    let options: AxiomIngestOptions
    let timestamps: AxiomTimestampParser
    /// The `X-Axiom-Event-Labels` members, already renamed by the field rules.
    let labels: [RecordField]
    var batch = AxiomIngestBatch()
    var events = 0

    /// Field names Axiom reserves (DOC limits); an incoming one is renamed `_user_<name>`.
    static let reservedNames: Set<String> = ["_blockInfo", "_cursor", "_rowID", "_source", "_sysTime"]

    init(options: AxiomIngestOptions) throws(WireError) {
        self.options = options
        timestamps = AxiomTimestampParser(format: options.timestampFormat)
        if let text = options.eventLabels, !text.isEmpty {
            labels = try Self.decodeLabels(text, options: options)
        } else {
            labels = []
        }
    }

    /// A state with given labels (used to read the labels themselves).
    init(options: AxiomIngestOptions, labels: [RecordField]) {
        self.options = options
        timestamps = AxiomTimestampParser(format: nil)
        self.labels = labels
    }

    /// Counts one more event against ``AxiomIngestLimits/maxEventsPerRequest``.
    mutating func countEvent() throws(WireError) {
        events += 1
        if events > options.limits.maxEventsPerRequest {
            throw WireError(
                .limitExceeded,
                "request has more than \(options.limits.maxEventsPerRequest) events; split it into smaller batches",
                offset: nil, kind: .payloadTooLarge)
        }
    }

    /// Adds a failure; its timestamp is the event's time, or the receive time.
    mutating func fail(error: String, timeNanos: Int64?) {
        batch.failures.append(AxiomIngestFailure(timestamp: AxiomTime.rfc3339(nanos: timeNanos ?? options.nowNanos), error: error))
    }

    /// The stored name of an incoming top-level field.
    static func storedName(_ name: String) -> String {
        if reservedNames.contains(name) { return "_user_" + name.dropFirst() }
        return name
    }

    /// A decoded event's fields, before the time is taken out and the labels are added.
    struct Event {
        var fields: [RecordField] = []
        /// The value of the timestamp field, when present.
        var time: FieldValue?
        /// `_time` when the timestamp field is another one (used when that one is absent or null).
        var fallbackTime: FieldValue?
        /// Fields counted so far, flattened.
        var fieldCount = 0
        /// The first rule the event breaks; it then fails.
        var problem: String?
    }

    /// Adds a top-level field, routing `_time` and the timestamp field.
    mutating func add(_ name: String, _ value: FieldValue, to event: inout Event) {
        if name == options.timestampField {
            if event.time == nil { event.time = value }
            if name == "_time" { return }
        } else if name == "_time" {
            if event.fallbackTime == nil { event.fallbackTime = value }
            return
        }
        event.fields.append(RecordField(Self.storedName(name), value))
    }

    /// Checks a field name (a dotted path for nested members) and counts a field.
    func check(pathBytes: Int, name: String, counts: Bool, in event: inout Event) {
        if counts { event.fieldCount += 1 }
        guard event.problem == nil else { return }
        if pathBytes > options.limits.maxFieldNameBytes {
            event.problem = "field name longer than \(options.limits.maxFieldNameBytes) bytes: \"\(name.prefix(64))…\""
        } else if event.fieldCount > options.limits.maxFieldsPerEvent {
            event.problem = "event has more than \(options.limits.maxFieldsPerEvent) fields"
        }
    }

    /// Turns a decoded event into a record or a failure.
    mutating func finish(_ event: Event) {
        var eventNanos: Int64?
        do throws(AxiomTimeError) {
            if let time = event.time, !time.isNull {
                eventNanos = try timestamps.nanos(of: time)
            } else if let time = event.fallbackTime {
                eventNanos = try timestamps.nanos(of: time)
            }
        } catch {
            fail(error: error.message, timeNanos: nil)
            return
        }
        let timeNanos = eventNanos ?? options.nowNanos
        if let problem = event.problem {
            fail(error: problem, timeNanos: timeNanos)
            return
        }
        var fields: [RecordField] = []
        fields.reserveCapacity(event.fields.count + labels.count + 1)
        if options.storesSysTime { fields.append(RecordField("_sysTime", .timestamp(options.nowNanos))) }
        fields.append(contentsOf: event.fields)
        for label in labels where !event.fields.contains(where: { $0.name == label.name }) {
            fields.append(label)
        }
        batch.records.append(Record(timeNanos: timeNanos, fields: fields))
    }
}
