import BasinModel
import BasinWire
import NIOCore

/// Decodes a `POST /api/v1/events` body (API reference `EventCreateRequest`) into a ``DatadogEvent``.
///
/// Members: `title` and `text` (required strings), `date_happened` (seconds, integer or
/// fractional), `priority` (`normal`|`low`|null), `host`, `tags` (array), `alert_type` (one of
/// ``DatadogEvent/alertTypes``), `aggregation_key`, `source_type_name`, `related_event_id`,
/// `device_name`; unknown members (datadogpy's legacy `handle`) are checked for syntax and
/// ignored. `text` longer than ``DatadogRecordLimits/maxEventTextCharacters`` is cut (a longer
/// text in a response makes datadog-api-client raise `ApiValueError`).
///
/// - Complexity: O(n) in the body size.
public struct DatadogEventDecoder: Sendable {
    /// The limits applied.
    public var limits: DatadogRecordLimits

    /// Creates a decoder.
    public init(limits: DatadogRecordLimits = DatadogRecordLimits()) {
        self.limits = limits
    }

    /// Decodes the readable bytes of `body`.
    ///
    /// - Throws: ``WireError``: malformed JSON, a top level that is not an object, a missing
    ///   `title` or `text`, a member of the wrong type, an unknown `priority`/`alert_type`, a limit.
    public func decode(_ body: ByteBuffer) throws(WireError) -> DatadogEvent {
        var outcome: Result<DatadogEvent, WireError> = .failure(WireError(.unexpectedEnd, "empty", offset: 0))
        body.withUnsafeReadableBytes { raw in
            do throws(WireError) { outcome = .success(try decode(raw)) } catch { outcome = .failure(error) }
        }
        return try outcome.get()
    }

    /// Decodes raw bytes (only read during the call).
    public func decode(_ bytes: UnsafeRawBufferPointer) throws(WireError) -> DatadogEvent {
        try DatadogJSONFields.withBytes(bytes, maxDepth: limits.maxJSONDepth) { (scanner: inout JSONScanner) throws(WireError) in
            do throws(WireError) {
                try scanner.readObjectStart()
            } catch {
                throw error.withContext("event")
            }
            return try decodeMembers(&scanner, start: 0)
        }
    }

    /// Reads the members of an event object whose `{` was consumed, through its `}`.
    func decodeMembers(_ scanner: inout JSONScanner, start: Int) throws(WireError) -> DatadogEvent {
        var event = DatadogEvent(title: "", text: "")
        var hasTitle = false
        var hasText = false
        var first = true
        while try scanner.readNextObjectMember(isFirst: &first) {
            let key = try scanner.readKey()
            if ByteText.equals(key, "title") {
                if let title = try DatadogJSONFields.string(&scanner, field: "title", maxBytes: limits.maxTitleBytes, limitName: "maxTitleBytes") {
                    event.title = title
                    hasTitle = true
                }
            } else if ByteText.equals(key, "text") {
                if let text = try DatadogJSONFields.truncatedString(&scanner, field: "text", maxBytes: limits.maxEventTextCharacters * 4) {
                    event.text = DatadogEvent.truncated(text, maxCharacters: limits.maxEventTextCharacters)
                    hasText = true
                }
            } else {
                try decodeOptional(key, &scanner, into: &event)
            }
        }
        guard hasTitle else { throw WireError(.missingField, "missing required field \"title\" in the event starting", offset: start) }
        guard hasText else { throw WireError(.missingField, "missing required field \"text\" in the event starting", offset: start) }
        return event
    }

    private func decodeOptional(_ key: UnsafeRawBufferPointer, _ scanner: inout JSONScanner, into event: inout DatadogEvent) throws(WireError) {
        let max = limits.maxFieldBytes
        if ByteText.equals(key, "date_happened") {
            event.dateHappenedSeconds = try DatadogJSONFields.seconds(&scanner, field: "date_happened")
        } else if ByteText.equals(key, "priority") {
            let offset = scanner.position
            event.priority = try DatadogJSONFields.string(&scanner, field: "priority", maxBytes: max)
            if let priority = event.priority, !DatadogEvent.priorities.contains(priority) {
                throw WireError(.typeMismatch, "priority must be \"normal\" or \"low\", found \"\(priority.prefix(64))\"", offset: offset)
            }
        } else if ByteText.equals(key, "alert_type") {
            let offset = scanner.position
            event.alertType = try DatadogJSONFields.string(&scanner, field: "alert_type", maxBytes: max)
            if let alert = event.alertType, !DatadogEvent.alertTypes.contains(alert) {
                throw WireError(.typeMismatch, "alert_type must be one of error, warning, info, success, user_update, recommendation, snapshot; found \"\(alert.prefix(64))\"", offset: offset)
            }
        } else if ByteText.equals(key, "host") {
            event.host = try DatadogJSONFields.string(&scanner, field: "host", maxBytes: max).flatMap { $0.isEmpty ? nil : $0 }
        } else if ByteText.equals(key, "tags") {
            event.tags = try DatadogJSONFields.tags(&scanner, field: "tags", limits: limits)
        } else if ByteText.equals(key, "aggregation_key") {
            event.aggregationKey = try DatadogJSONFields.string(&scanner, field: "aggregation_key", maxBytes: max)
        } else if ByteText.equals(key, "source_type_name") {
            event.sourceTypeName = try DatadogJSONFields.string(&scanner, field: "source_type_name", maxBytes: max)
        } else if ByteText.equals(key, "device_name") {
            event.deviceName = try DatadogJSONFields.string(&scanner, field: "device_name", maxBytes: max)
        } else if ByteText.equals(key, "related_event_id") {
            event.relatedEventID = try DatadogJSONFields.integer(&scanner, field: "related_event_id")
        } else {
            try scanner.skipValue()
        }
    }
}
