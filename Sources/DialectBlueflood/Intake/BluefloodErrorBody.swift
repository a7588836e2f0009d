import BasinWire
import NIOCore

/// Blueflood's error body (§1.4):
/// `{"errors":[{"tenantId":…,"timestamp":…|null,"metricName":…,"source":…|null,"message":…},…]}`,
/// members in that order and nulls written, as Jackson 1 writes `ErrorResponse`.
public enum BluefloodErrorBody {
    /// Renders the entries (an empty list gives `{"errors":[]}`).
    public static func render(_ entries: [BluefloodErrorEntry]) -> ByteBuffer {
        var writer = JSONWriter(capacity: 16 + 160 * entries.count)
        writer.raw("{\"errors\":[")
        var comma = false
        for entry in entries {
            writer.comma(&comma)
            writer.raw("{")
            writer.key("tenantId")
            writer.string(entry.tenantId)
            writer.raw(",")
            writer.key("timestamp")
            if let timestamp = entry.timestamp { writer.integer(timestamp) } else { writer.null() }
            writer.raw(",")
            writer.key("metricName")
            writer.string(entry.metricName)
            writer.raw(",")
            writer.key("source")
            if let source = entry.source { writer.string(source) } else { writer.null() }
            writer.raw(",")
            writer.key("message")
            writer.string(entry.message)
            writer.raw("}")
        }
        writer.raw("]}")
        return writer.buffer
    }
}
