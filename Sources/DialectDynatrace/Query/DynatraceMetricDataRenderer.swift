import BasinWire
import Foundation
import NIOCore

/// Renders ``DynatraceMetricData`` as Dynatrace writes it: compact JSON in the key order of spec
/// §4.2, or CSV for `Accept: text/csv`.
public enum DynatraceMetricDataRenderer {
    /// The `MetricData` JSON body.
    public static func renderJSON(_ data: DynatraceMetricData) -> ByteBuffer {
        var w = JSONWriter(capacity: 512)
        w.raw("{\"totalCount\":")
        w.integer(data.totalCount)
        w.raw(",\"nextPageKey\":null,\"resolution\":")
        w.string(data.resolution)
        w.raw(",\"result\":[")
        var comma = false
        for result in data.results {
            w.comma(&comma)
            w.raw("{\"metricId\":")
            w.string(result.metricId)
            w.raw(",\"dataPointCountRatio\":")
            renderNumber(&w, Double(result.data.reduce(0) { $0 + $1.values.count }) / 20_000_000)
            w.raw(",\"dimensionCountRatio\":")
            renderNumber(&w, Double(result.data.count) / 100_000)
            if !result.warnings.isEmpty {
                w.raw(",\"warnings\":[")
                var inner = false
                for warning in result.warnings {
                    w.comma(&inner)
                    w.string(warning)
                }
                w.raw("]")
            }
            w.raw(",\"data\":[")
            var dataComma = false
            for series in result.data {
                w.comma(&dataComma)
                renderSeries(&w, series)
            }
            w.raw("]}")
        }
        w.raw("]}")
        return w.buffer
    }

    static func renderSeries(_ w: inout JSONWriter, _ series: DynatraceMetricSeries) {
        w.raw("{\"dimensions\":[")
        var comma = false
        for dimension in series.dimensions {
            w.comma(&comma)
            w.string(dimension.value)
        }
        w.raw("],\"dimensionMap\":{")
        comma = false
        for dimension in series.dimensions {
            w.comma(&comma)
            w.key(dimension.key)
            w.string(dimension.value)
        }
        w.raw("},\"timestamps\":[")
        comma = false
        for timestamp in series.timestampsMillis {
            w.comma(&comma)
            w.integer(timestamp)
        }
        w.raw("],\"values\":[")
        comma = false
        for value in series.values {
            w.comma(&comma)
            if let value { renderNumber(&w, value) } else { w.null() }
        }
        w.raw("]}")
    }

    /// A double as Dynatrace's Java serializer writes it: always with a fraction or exponent
    /// (`81.0`, `0.5`, `1.8E-5`); non-finite values as `null`.
    static func renderNumber(_ w: inout JSONWriter, _ value: Double) {
        guard value.isFinite else { return w.null() }
        if value == value.rounded(.towardZero), abs(value) < 1e7 {
            w.buffer.writeString(String(Int64(value)) + ".0")
        } else {
            w.buffer.writeString(javaStyle(value.description))
        }
    }

    /// Swift's `1e-07` / `1.5e+20` as Java writes them: `1.0E-7`, `1.5E20`.
    static func javaStyle(_ text: String) -> String {
        guard let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) else { return text }
        var mantissa = String(text[..<e])
        if !mantissa.contains(".") { mantissa += ".0" }
        var exponent = Substring(text[text.index(after: e)...])
        var negative = false
        if exponent.first == "+" || exponent.first == "-" { negative = exponent.removeFirst() == "-" }
        while exponent.count > 1, exponent.first == "0" { exponent.removeFirst() }
        return mantissa + "E" + (negative ? "-" : "") + exponent
    }

    /// The CSV body: `metricId,<dimension keys…>,time,value`, one row per point, time as
    /// `YYYY-MM-DD HH:MM:SS` (UTC), an empty value for a slot without data.
    public static func renderCSV(_ data: DynatraceMetricData, header: Bool) -> ByteBuffer {
        var keys = Set<String>()
        for result in data.results { for s in result.data { for d in s.dimensions { keys.insert(d.key) } } }
        let columns = keys.sorted()
        var out = ""
        if header { out += (["metricId"] + columns + ["time", "value"]).map(csvField).joined(separator: ",") + "\r\n" }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss"
        for result in data.results {
            for series in result.data {
                var map: [String: String] = [:]
                for d in series.dimensions { map[d.key] = d.value }
                let prefix = ([result.metricId] + columns.map { map[$0] ?? "" }).map(csvField)
                for (timestamp, value) in zip(series.timestampsMillis, series.values) {
                    var w = JSONWriter(capacity: 16)
                    if let value { renderNumber(&w, value) }
                    let time = formatter.string(from: Date(timeIntervalSince1970: Double(timestamp) / 1000))
                    out += (prefix + [time, String(buffer: w.buffer)]).joined(separator: ",") + "\r\n"
                }
            }
        }
        return ByteBuffer(string: out)
    }

    static func csvField(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
