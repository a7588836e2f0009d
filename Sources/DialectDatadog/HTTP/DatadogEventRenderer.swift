import BasinWire
import NIOCore

/// Renders events in Datadog's `Event` shape (API reference `Event`, recorded
/// `test_post_an_event_returns_ok_response.yaml`): `id` and `id_str` (the id as a string, because
/// float-based JSON parsers lose 64-bit ids), `title`, `text`, `date_happened` (seconds),
/// `handle` (null), `priority` (null when not given), `related_event_id`, `host`,
/// `device_name`, `source_type_name` (null when absent), `tags` (an array, maybe empty),
/// `alert_type` (`info` when not given, Datadog's default), `url` (`/event/event?id=<id>`).
enum DatadogEventRenderer {
    /// `{"status":"ok","event":{…}}`, the `POST /api/v1/events` answer.
    static func created(_ event: DatadogEvent) -> ByteBuffer {
        var writer = JSONWriter(capacity: 512)
        writer.raw("{\"status\":\"ok\",\"event\":")
        write(event, to: &writer)
        writer.raw("}")
        return writer.buffer
    }

    /// `{"event":{…},"status":"ok"}`, the `GET /api/v1/events/{id}` answer.
    static func single(_ event: DatadogEvent) -> ByteBuffer {
        var writer = JSONWriter(capacity: 512)
        writer.raw("{\"event\":")
        write(event, to: &writer)
        writer.raw(",\"status\":\"ok\"}")
        return writer.buffer
    }

    /// `{"events":[…],"status":"ok"}`, the `GET /api/v1/events` answer.
    static func list(_ events: some Collection<DatadogEvent>) -> ByteBuffer {
        var writer = JSONWriter(capacity: 64 + 384 * events.count)
        writer.raw("{\"events\":[")
        var comma = false
        for event in events {
            writer.comma(&comma)
            write(event, to: &writer)
        }
        writer.raw("],\"status\":\"ok\"}")
        return writer.buffer
    }

    static func write(_ event: DatadogEvent, to writer: inout JSONWriter) {
        let id = event.id ?? 0
        writer.raw("{\"id\":")
        writer.integer(id)
        writer.raw(",\"id_str\":")
        writer.string(String(id))
        writer.raw(",\"title\":")
        writer.string(event.title)
        writer.raw(",\"text\":")
        writer.string(event.text)
        writer.raw(",\"date_happened\":")
        if let seconds = event.dateHappenedSeconds { writer.integer(seconds) } else { writer.null() }
        writer.raw(",\"handle\":null,\"priority\":")
        optional(event.priority, &writer)
        writer.raw(",\"related_event_id\":")
        if let related = event.relatedEventID { writer.integer(related) } else { writer.null() }
        writer.raw(",\"host\":")
        optional(event.host, &writer)
        writer.raw(",\"device_name\":")
        optional(event.deviceName, &writer)
        writer.raw(",\"source_type_name\":")
        optional(event.sourceTypeName, &writer)
        writer.raw(",\"alert_type\":")
        writer.string(event.alertType ?? "info")
        writer.raw(",\"tags\":[")
        var comma = false
        for tag in event.tags {
            writer.comma(&comma)
            writer.string(tag)
        }
        writer.raw("],\"url\":")
        writer.string("/event/event?id=\(id)")
        writer.raw("}")
    }

    private static func optional(_ value: String?, _ writer: inout JSONWriter) {
        if let value { writer.string(value) } else { writer.null() }
    }
}
