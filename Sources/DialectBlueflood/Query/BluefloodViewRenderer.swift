import BasinWire
import NIOCore

/// Renders views as Blueflood writes them (§8.2, §9): compact JSON (Blueflood pretty-prints;
/// clients parse), `timestamp` first in each point, then the statistics in order.
public enum BluefloodViewRenderer {
    /// `GET /views/{metricName}`: `{"unit","values":[…],"metadata":{"limit":null,"next_href":null,"count":N,"marker":null}}`.
    public static func single(_ view: BluefloodView) -> ByteBuffer {
        var w = JSONWriter(capacity: 128 + view.points.count * 64)
        w.raw("{\"unit\":")
        w.string(view.unit)
        w.raw(",\"values\":")
        points(&w, view.points)
        w.raw(",\"metadata\":{\"limit\":null,\"next_href\":null,\"count\":")
        w.integer(view.points.count)
        w.raw(",\"marker\":null}}")
        return w.buffer
    }

    /// `POST /views`: `{"metrics":[{"metric","unit","type":"number","data":[…]},…]}`, no metadata (§17.8).
    public static func batch(_ views: [BluefloodView]) -> ByteBuffer {
        var w = JSONWriter(capacity: 64 + views.reduce(0) { $0 + 96 + $1.points.count * 64 })
        w.raw("{\"metrics\":[")
        var comma = false
        for view in views {
            w.comma(&comma)
            w.raw("{\"metric\":")
            w.string(view.metricName)
            w.raw(",\"unit\":")
            w.string(view.unit)
            w.raw(",\"type\":\"number\",\"data\":")
            points(&w, view.points)
            w.raw("}")
        }
        w.raw("]}")
        return w.buffer
    }

    static func points(_ w: inout JSONWriter, _ points: [BluefloodPoint]) {
        w.raw("[")
        var comma = false
        for point in points {
            w.comma(&comma)
            w.raw("{\"timestamp\":")
            w.integer(point.timestampMillis)
            for (name, value) in point.stats {
                w.raw(",")
                w.key(name)
                switch value {
                case .integer(let v)?: w.integer(v)
                case .double(let v)?: w.number(v)
                case nil: w.null()
                }
            }
            w.raw("}")
        }
        w.raw("]")
    }
}
