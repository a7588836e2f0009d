import BasinWire
import NIOCore

/// Renders spans as Zipkin v2 JSON (the `ListOfSpans` of https://zipkin.io/zipkin-api/):
/// members in Zipkin's order, absent ones left out, tags sorted by key.
public enum ZipkinSpanEncoder {
    /// `[span, …]`.
    public static func encode(_ spans: [ZipkinSpan]) -> ByteBuffer {
        var writer = JSONWriter(capacity: 256 * max(spans.count, 1))
        write(spans, into: &writer)
        return writer.buffer
    }

    /// `[[span, …], …]`: one list per trace (`GET /api/v2/traces`, `/traceMany`).
    public static func encode(traces: [[ZipkinSpan]]) -> ByteBuffer {
        var writer = JSONWriter(capacity: 1024)
        writer.raw("[")
        var comma = false
        for trace in traces {
            writer.comma(&comma)
            write(trace, into: &writer)
        }
        writer.raw("]")
        return writer.buffer
    }

    /// `["a", …]`: names for `/services`, `/spans`, `/remoteServices`.
    public static func encode(names: [String]) -> ByteBuffer {
        var writer = JSONWriter(capacity: 64)
        writer.raw("[")
        var comma = false
        for name in names {
            writer.comma(&comma)
            writer.string(name)
        }
        writer.raw("]")
        return writer.buffer
    }

    static func write(_ spans: [ZipkinSpan], into writer: inout JSONWriter) {
        writer.raw("[")
        var comma = false
        for span in spans {
            writer.comma(&comma)
            write(span, into: &writer)
        }
        writer.raw("]")
    }

    static func write(_ span: ZipkinSpan, into w: inout JSONWriter) {
        w.raw("{")
        w.key("traceId")
        w.string(span.reportedTraceId)
        if let parentId = span.parentId {
            w.raw(",")
            w.key("parentId")
            w.string(parentId)
        }
        w.raw(",")
        w.key("id")
        w.string(span.id)
        if let kind = span.kind {
            w.raw(",")
            w.key("kind")
            w.string(kind.rawValue)
        }
        if let name = span.name {
            w.raw(",")
            w.key("name")
            w.string(name)
        }
        w.raw(",")
        w.key("timestamp")
        w.integer(span.timestampMicros)
        if let duration = span.durationMicros {
            w.raw(",")
            w.key("duration")
            w.integer(duration)
        }
        if let local = span.localEndpoint {
            w.raw(",")
            w.key("localEndpoint")
            write(local, into: &w)
        }
        if let remote = span.remoteEndpoint {
            w.raw(",")
            w.key("remoteEndpoint")
            write(remote, into: &w)
        }
        if !span.annotations.isEmpty {
            w.raw(",")
            w.key("annotations")
            w.raw("[")
            var comma = false
            for a in span.annotations {
                w.comma(&comma)
                w.raw("{")
                w.key("timestamp")
                w.integer(a.timestampMicros)
                w.raw(",")
                w.key("value")
                w.string(a.value)
                w.raw("}")
            }
            w.raw("]")
        }
        if !span.tags.isEmpty {
            w.raw(",")
            w.key("tags")
            w.raw("{")
            var comma = false
            for (key, value) in span.tags.sorted(by: { $0.key < $1.key }) {
                w.comma(&comma)
                w.key(key)
                w.string(value)
            }
            w.raw("}")
        }
        if let debug = span.debug {
            w.raw(",")
            w.key("debug")
            w.bool(debug)
        }
        if let shared = span.shared {
            w.raw(",")
            w.key("shared")
            w.bool(shared)
        }
        w.raw("}")
    }

    static func write(_ endpoint: ZipkinEndpoint, into w: inout JSONWriter) {
        w.raw("{")
        var comma = false
        if let s = endpoint.serviceName {
            w.comma(&comma)
            w.key("serviceName")
            w.string(s)
        }
        if let s = endpoint.ipv4 {
            w.comma(&comma)
            w.key("ipv4")
            w.string(s)
        }
        if let s = endpoint.ipv6 {
            w.comma(&comma)
            w.key("ipv6")
            w.string(s)
        }
        if let p = endpoint.port {
            w.comma(&comma)
            w.key("port")
            w.integer(p)
        }
        w.raw("}")
    }
}
