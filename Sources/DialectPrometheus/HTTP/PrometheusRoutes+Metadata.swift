import BasinHTTP
import BasinModel
import BasinWire
import NIOCore
import QueryEngine
import StorageAPI

extension PrometheusRoutes {
    /// `match[]` selectors as matcher lists.
    func matcherSets(_ parameters: PrometheusParameters) throws -> [[LabelMatcher]] {
        var sets: [[LabelMatcher]] = []
        for selector in parameters.all("match[]") {
            let plan: PlanNode
            do {
                plan = try PromQLLowering.compile(selector)
            } catch {
                throw PrometheusAPIError.badData("invalid parameter \"match[]\": \(error.message)")
            }
            guard case .instantSelect(let s) = plan else {
                throw PrometheusAPIError.badData("invalid parameter \"match[]\": \"\(selector)\" is not a vector selector")
            }
            sets.append(s.matchers)
        }
        return sets
    }

    func timeRange(_ parameters: PrometheusParameters) throws(PrometheusAPIError) -> (Int64, Int64) {
        let start = try parameters.time("start", default: PrometheusParameters.minTimeMillis)
        let end = try parameters.time("end", default: PrometheusParameters.maxTimeMillis)
        guard end >= start else {
            throw PrometheusAPIError.badData("invalid parameter \"end\": end timestamp must not be before start time")
        }
        return (start, end)
    }

    func series(_ parameters: PrometheusParameters, _ principal: Principal) async throws -> ByteBuffer {
        let sets = try matcherSets(parameters)
        guard !sets.isEmpty else { throw PrometheusAPIError.badData("no match[] parameter provided") }
        let (start, end) = try timeRange(parameters)
        var result = try await environment.store.series(org: principal.org, matcherSets: sets, startMillis: start, endMillis: end)
        if let limit = try parameters.limit(), result.count > limit { result = Array(result.prefix(limit)) }
        return PrometheusResponseWriter.renderLabelSets(result)
    }

    func labels(_ parameters: PrometheusParameters, _ principal: Principal) async throws -> ByteBuffer {
        let sets = try matcherSets(parameters)
        let (start, end) = try timeRange(parameters)
        var names = try await environment.store.labelNames(org: principal.org, matcherSets: sets, startMillis: start, endMillis: end)
        if let limit = try parameters.limit(), names.count > limit { names = Array(names.prefix(limit)) }
        return PrometheusResponseWriter.renderStrings(names)
    }

    func labelValues(_ rawName: String, _ parameters: PrometheusParameters, _ principal: Principal) async throws -> ByteBuffer {
        let name = PrometheusRoutes.decodeLabelName(rawName)
        guard !name.isEmpty, name.utf8.count <= environment.limits.maxLabelNameBytes else {
            throw PrometheusAPIError.badData("invalid label name: \"\(name)\"")
        }
        let sets = try matcherSets(parameters)
        let (start, end) = try timeRange(parameters)
        var values = try await environment.store.labelValues(
            org: principal.org, name: name, matcherSets: sets, startMillis: start, endMillis: end)
        if let limit = try parameters.limit(), values.count > limit { values = Array(values.prefix(limit)) }
        return PrometheusResponseWriter.renderStrings(values)
    }

    /// A path segment's label name: percent-decoded, and Prometheus 3's `U__` escaping undone
    /// (`U__my_2e_label` is `my.label`) so dotted names can be addressed.
    static func decodeLabelName(_ raw: String) -> String {
        let decoded = (try? PrometheusParameters.unescape(Array(raw.utf8)[...])) ?? raw
        guard decoded.hasPrefix("U__") else { return decoded }
        var out: [UInt8] = []
        let bytes = Array(decoded.utf8.dropFirst(3))
        var i = 0
        while i < bytes.count {
            if bytes[i] == UInt8(ascii: "_") {
                if i + 1 < bytes.count, bytes[i + 1] == UInt8(ascii: "_") {
                    out.append(UInt8(ascii: "_"))
                    i += 2
                    continue
                }
                if let close = bytes[(i + 1)...].firstIndex(of: UInt8(ascii: "_")),
                   let code = UInt32(String(decoding: bytes[(i + 1)..<close], as: UTF8.self), radix: 16),
                   let scalar = UnicodeScalar(code) {
                    out.append(contentsOf: Array(String(Character(scalar)).utf8))
                    i = close + 1
                    continue
                }
                return decoded
            }
            out.append(bytes[i])
            i += 1
        }
        return String(decoding: out, as: UTF8.self)
    }

    func metadata(_ parameters: PrometheusParameters, _ principal: Principal) async throws -> ByteBuffer {
        let metric = parameters.first("metric").flatMap { $0.isEmpty ? nil : $0 }
        let kinds = try await environment.store.metricKinds(org: principal.org, metricName: metric)
        var names = kinds.keys.sorted()
        if let limit = try parameters.limit(), names.count > limit { names = Array(names.prefix(limit)) }
        var w = JSONWriter(capacity: 256 + names.count * 64)
        w.raw("{\"status\":\"success\",\"data\":{")
        var needComma = false
        for name in names {
            w.comma(&needComma)
            w.key(name)
            w.raw("[{\"type\":")
            w.string(PrometheusRoutes.prometheusType(kinds[name] ?? .unspecified))
            w.raw(",\"help\":\"\",\"unit\":\"\"}]")
        }
        w.raw("}}")
        return w.buffer
    }

    /// Prometheus' metric type for a stored kind. Deltas (`count`) and summary parts are not
    /// Prometheus counters or summaries, so they read as `unknown`; rates are gauges.
    public static func prometheusType(_ kind: MetricKind) -> String {
        switch kind {
        case .gauge, .rate: "gauge"
        case .counter: "counter"
        case .count, .summary, .unspecified: "unknown"
        }
    }

    /// `buildinfo`: Prometheus' fields with a compatible version, plus Basin's own.
    static func buildInfo() -> ByteBuffer {
        var w = JSONWriter(capacity: 256)
        w.raw("{\"status\":\"success\",\"data\":{\"version\":")
        w.string(compatibleVersion)
        w.raw(",\"revision\":\"basin\",\"branch\":\"basin\",\"buildUser\":\"basin\",\"buildDate\":\"\",\"goVersion\":\"none\",\"application\":\"basin\"}}")
        return w.buffer
    }
}
