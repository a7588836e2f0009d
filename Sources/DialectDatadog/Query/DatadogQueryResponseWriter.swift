import BasinWire
import NIOCore

/// Renders `/api/v1/query` responses in the shape of Datadog's `MetricsQueryResponse`
/// (spec §3.11): timestamps in milliseconds, `interval` in seconds, `end` = last point +
/// interval − 1 s, `aggr` null without an explicit aggregator, `unit` null or two elements.
public enum DatadogQueryResponseWriter {
    /// The response body. `units` maps a metric name to its stored (unit, per_unit).
    public static func render(
        _ result: DatadogQueryResult, query: String, fromSeconds: Int64, toSeconds: Int64,
        units: [String: (unit: String?, perUnit: String?)]
    ) -> ByteBuffer {
        var w = JSONWriter(capacity: 512 + result.series.reduce(0) { $0 + $1.series.values.count * 24 })
        w.raw("{\"status\":\"ok\",\"res_type\":\"time_series\",\"resp_version\":1,")
        w.key("query"); w.string(query)
        w.raw(",\"from_date\":"); w.integer(fromSeconds * 1000)
        w.raw(",\"to_date\":"); w.integer(toSeconds * 1000)
        w.raw(",\"group_by\":[")
        var comma = false
        for key in result.groupBy { w.comma(&comma); w.string(key) }
        w.raw("],\"message\":\"\",\"times\":[],\"values\":[],\"series\":[")
        comma = false
        for (index, series) in result.series {
            w.comma(&comma)
            writeSeries(series, queryIndex: index, grid: result.grids[index], units: units, into: &w)
        }
        w.raw("]}")
        return w.buffer
    }

    static func writeSeries(
        _ s: DatadogSeries, queryIndex: Int, grid: DatadogGrid, units: [String: (unit: String?, perUnit: String?)],
        into w: inout JSONWriter
    ) {
        let interval = grid.intervalSeconds
        var first: Int64?
        var last: Int64 = 0
        var length = 0
        for (i, v) in s.values.enumerated() where v != nil {
            let t = grid.time(at: i) * 1000
            if first == nil { first = t }
            last = t
            length += 1
        }
        w.raw("{"); w.key("metric"); w.string(s.metric)
        w.raw(","); w.key("display_name"); w.string(s.displayName)
        w.raw(","); w.key("expression"); w.string(s.expression)
        w.raw(","); w.key("scope"); w.string(s.scope)
        w.raw(",\"tag_set\":[")
        var comma = false
        for tag in s.tagSet { w.comma(&comma); w.string(tag) }
        w.raw("],\"aggr\":")
        if let aggr = s.aggr { w.string(aggr) } else { w.null() }
        w.raw(",\"query_index\":"); w.integer(queryIndex)
        w.raw(",\"attributes\":{},\"interval\":"); w.integer(interval)
        w.raw(",\"length\":"); w.integer(length)
        w.raw(",\"start\":"); w.integer(first ?? 0)
        w.raw(",\"end\":"); w.integer(first == nil ? 0 : last + interval * 1000 - 1000)
        w.raw(",\"pointlist\":[")
        comma = false
        for (i, v) in s.values.enumerated() {
            guard let v else { continue }
            w.comma(&comma)
            w.raw("["); float(Double(grid.time(at: i) * 1000), into: &w); w.raw(","); float(v, into: &w); w.raw("]")
        }
        w.raw("],\"unit\":")
        writeUnit(s.unitMetric.flatMap { units[$0] }, into: &w)
        w.raw("}")
    }

    /// `null`, or `[unit|null, per_unit|null]` when either is a known Datadog unit.
    static func writeUnit(_ stored: (unit: String?, perUnit: String?)?, into w: inout JSONWriter) {
        let unit = stored?.unit.flatMap(DatadogUnit.named)
        let per = stored?.perUnit.flatMap(DatadogUnit.named)
        guard unit != nil || per != nil else { w.null(); return }
        w.raw("[")
        writeUnitObject(unit, into: &w)
        w.raw(",")
        writeUnitObject(per, into: &w)
        w.raw("]")
    }

    static func writeUnitObject(_ unit: DatadogUnit?, into w: inout JSONWriter) {
        guard let unit else { w.null(); return }
        w.raw("{"); w.key("family"); w.string(unit.family)
        w.raw(","); w.key("name"); w.string(unit.name)
        w.raw(","); w.key("plural"); w.string(unit.plural)
        w.raw(",\"scale_factor\":"); float(unit.scaleFactor, into: &w)
        w.raw(","); w.key("short_name"); w.string(unit.shortName)
        w.raw(",\"id\":"); w.integer(unit.id)
        w.raw("}")
    }

    /// A number that always reads back as a float (`1.0`, not `1`): the typed client declares
    /// point values and scale factors as floats.
    static func float(_ v: Double, into w: inout JSONWriter) {
        if v.isFinite, v == v.rounded(), abs(v) < 1e15 {
            w.buffer.writeString("\(Int64(v)).0")
        } else {
            w.number(v)
        }
    }
}
