import BasinModel
import BasinWire
import NIOCore

/// Reads the events out of an Agent `POST /intake/` payload (the Agent 5-style "universal"
/// intake, spec §3.16).
///
/// Shape: `{"apiKey", "internalHostname", "events": {"<source_type_name>": [{"msg_title",
/// "msg_text", "timestamp", "priority", "host", "tags", "alert_type", "aggregation_key",
/// "source_type_name", "event_type"}, …]}, …}`. Each entry becomes a ``DatadogEvent``:
/// `msg_title` → title, `msg_text` → text, `timestamp` → date_happened, the group name →
/// `source_type_name` when the entry has none. Entries without a title are skipped; an unknown
/// `priority`/`alert_type` is dropped rather than failing (the Agent cannot fix it). Every
/// other member (host metadata, `host-tags`, `gohai`) is skipped.
public struct DatadogAgentIntakeDecoder: Sendable {
    public var limits: DatadogRecordLimits

    public init(limits: DatadogRecordLimits = DatadogRecordLimits()) {
        self.limits = limits
    }

    /// The events of the payload in `body`.
    public func decodeEvents(_ body: ByteBuffer) throws(WireError) -> [DatadogEvent] {
        var outcome: Result<[DatadogEvent], WireError> = .success([])
        body.withUnsafeReadableBytes { raw in
            do throws(WireError) { outcome = .success(try decodeEvents(raw)) } catch { outcome = .failure(error) }
        }
        return try outcome.get()
    }

    /// The events of a payload in raw bytes (only read during the call).
    public func decodeEvents(_ bytes: UnsafeRawBufferPointer) throws(WireError) -> [DatadogEvent] {
        try DatadogJSONFields.withBytes(bytes, maxDepth: limits.maxJSONDepth) { (scanner: inout JSONScanner) throws(WireError) in
            var events: [DatadogEvent] = []
            try scanner.readObjectStart()
            var first = true
            while try scanner.readNextObjectMember(isFirst: &first) {
                let key = try scanner.readKey()
                guard ByteText.equals(key, "events"), scanner.peekToken() == .objectStart else {
                    try scanner.skipValue()
                    continue
                }
                try scanner.readObjectStart()
                var firstGroup = true
                while try scanner.readNextObjectMember(isFirst: &firstGroup) {
                    let source = String(decoding: try scanner.readKey(), as: UTF8.self)
                    guard scanner.peekToken() == .arrayStart else {
                        try scanner.skipValue()
                        continue
                    }
                    try scanner.readArrayStart()
                    var firstEvent = true
                    while try scanner.readNextArrayElement(isFirst: &firstEvent) {
                        if events.count >= limits.maxEventsPerRequest {
                            throw WireError(.limitExceeded, "more than \(limits.maxEventsPerRequest) events in one payload exceeds the limit of \(limits.maxEventsPerRequest) (maxEventsPerRequest)", offset: scanner.position)
                        }
                        if var event = try decodeEvent(&scanner) {
                            if event.sourceTypeName == nil, !source.isEmpty, source != "api" { event.sourceTypeName = source }
                            events.append(event)
                        }
                    }
                }
            }
            return events
        }
    }

    private func decodeEvent(_ scanner: inout JSONScanner) throws(WireError) -> DatadogEvent? {
        guard scanner.peekToken() == .objectStart else {
            try scanner.skipValue()
            return nil
        }
        try scanner.readObjectStart()
        var event = DatadogEvent(title: "", text: "")
        let max = limits.maxFieldBytes
        var first = true
        while try scanner.readNextObjectMember(isFirst: &first) {
            let key = try scanner.readKey()
            if ByteText.equals(key, "msg_title") {
                event.title = try DatadogJSONFields.string(&scanner, field: "msg_title", maxBytes: limits.maxTitleBytes, limitName: "maxTitleBytes") ?? ""
            } else if ByteText.equals(key, "msg_text") {
                let text = try DatadogJSONFields.truncatedString(&scanner, field: "msg_text", maxBytes: limits.maxEventTextCharacters * 4) ?? ""
                event.text = DatadogEvent.truncated(text, maxCharacters: limits.maxEventTextCharacters)
            } else if ByteText.equals(key, "timestamp") {
                event.dateHappenedSeconds = try DatadogJSONFields.seconds(&scanner, field: "timestamp")
            } else if ByteText.equals(key, "priority") {
                event.priority = try DatadogJSONFields.string(&scanner, field: "priority", maxBytes: max).flatMap { DatadogEvent.priorities.contains($0) ? $0 : nil }
            } else if ByteText.equals(key, "alert_type") {
                event.alertType = try DatadogJSONFields.string(&scanner, field: "alert_type", maxBytes: max).flatMap { DatadogEvent.alertTypes.contains($0) ? $0 : nil }
            } else if ByteText.equals(key, "host") {
                event.host = try DatadogJSONFields.string(&scanner, field: "host", maxBytes: max).flatMap { $0.isEmpty ? nil : $0 }
            } else if ByteText.equals(key, "tags") {
                event.tags = try DatadogJSONFields.tags(&scanner, field: "tags", limits: limits)
            } else if ByteText.equals(key, "aggregation_key") {
                event.aggregationKey = try DatadogJSONFields.string(&scanner, field: "aggregation_key", maxBytes: max)
            } else if ByteText.equals(key, "source_type_name") {
                event.sourceTypeName = try DatadogJSONFields.string(&scanner, field: "source_type_name", maxBytes: max).flatMap { $0.isEmpty ? nil : $0 }
            } else {
                try scanner.skipValue()
            }
        }
        return event.title.isEmpty ? nil : event
    }
}
