import Foundation

/// The parameters of Zipkin's `GET /api/v2/traces` (https://zipkin.io/zipkin-api/#/default/get_traces),
/// validated and capped.
///
/// Every criterion is applied to one span: a trace matches when one of its spans has the local
/// `serviceName`, the `remoteServiceName`, the `spanName`, a duration in
/// [`minDuration`, `maxDuration`] µs and every `annotationQuery` term (`key=value` a tag equal
/// to the value, a bare `key` a tag by that name or an annotation with that value; terms joined
/// by ` and `). Names compare case-insensitively, as Zipkin lower-cases them. `serviceName` or
/// `spanName` `all` is no criterion (what the old Zipkin UI sent).
public struct ZipkinTraceQuery: Sendable, Hashable {
    /// One `annotationQuery` term.
    public enum Term: Sendable, Hashable {
        case tag(String, String)
        case key(String)
    }

    public var serviceName: String?
    public var remoteServiceName: String?
    public var spanName: String?
    public var terms: [Term] = []
    public var minDurationMicros: Int64?
    public var maxDurationMicros: Int64?
    /// End of the window, milliseconds since the epoch (Zipkin's `endTs`, default now).
    public var endMillis: Int64
    /// Length of the window, milliseconds (Zipkin's `lookback`), capped.
    public var lookbackMillis: Int64
    /// Traces returned at most (Zipkin default 10), capped.
    public var limit: Int

    public init(endMillis: Int64, lookbackMillis: Int64, limit: Int) {
        self.endMillis = endMillis
        self.lookbackMillis = lookbackMillis
        self.limit = limit
    }

    /// Reads the query parameters.
    ///
    /// - Parameters:
    ///   - parameter: looks a parameter up by name (nil or empty when absent).
    ///   - nowMillis: the default `endTs`.
    ///   - defaultLookbackMillis: the `lookback` when absent (Zipkin: one day).
    ///   - maxLookbackMillis: larger lookbacks are cut to this (Zipkin's `QUERY_LOOKBACK`).
    ///   - maxLimit: larger limits are cut to this.
    /// - Returns: the query, or a message naming the bad parameter (Zipkin answers `400`).
    public static func parse(
        _ parameter: (String) -> String?, nowMillis: Int64, defaultLookbackMillis: Int64, maxLookbackMillis: Int64, maxLimit: Int
    ) -> Result<ZipkinTraceQuery, ZipkinQueryError> {
        func integer(_ name: String) -> Result<Int64?, ZipkinQueryError> {
            guard let text = parameter(name), !text.isEmpty else { return .success(nil) }
            guard let value = Int64(text), value >= 0 else {
                return .failure(ZipkinQueryError("\(name) must be a non-negative integer, got \"\(text)\""))
            }
            return .success(value)
        }
        let endTs: Int64?, lookback: Int64?, limit: Int64?
        var query = ZipkinTraceQuery(endMillis: nowMillis, lookbackMillis: defaultLookbackMillis, limit: 10)
        do {
            endTs = try integer("endTs").get()
            lookback = try integer("lookback").get()
            limit = try integer("limit").get()
            query.minDurationMicros = try integer("minDuration").get()
            query.maxDurationMicros = try integer("maxDuration").get()
        } catch {
            return .failure(error)
        }
        if let endTs, endTs > 0 { query.endMillis = endTs }
        query.lookbackMillis = min(lookback ?? defaultLookbackMillis, maxLookbackMillis)
        if let limit {
            guard limit > 0 else { return .failure(ZipkinQueryError("limit must be greater than 0")) }
            query.limit = Int(min(limit, Int64(maxLimit)))
        }
        query.limit = min(query.limit, maxLimit)
        if let min = query.minDurationMicros, let max = query.maxDurationMicros, max < min {
            return .failure(ZipkinQueryError("maxDuration must be at least minDuration"))
        }
        query.serviceName = name(parameter("serviceName"))
        query.remoteServiceName = name(parameter("remoteServiceName"))
        query.spanName = name(parameter("spanName"))
        query.terms = terms(parameter("annotationQuery") ?? "")
        return .success(query)
    }

    static func name(_ text: String?) -> String? {
        guard let text, !text.isEmpty, text.lowercased() != "all" else { return nil }
        return text
    }

    /// `error and http.method=GET` → `[.key("error"), .tag("http.method", "GET")]`.
    static func terms(_ text: String) -> [Term] {
        var out: [Term] = []
        var rest = Substring(text)
        while !rest.isEmpty {
            let term: Substring
            if let range = rest.range(of: " and ") {
                term = rest[..<range.lowerBound]
                rest = rest[range.upperBound...]
            } else {
                term = rest
                rest = ""
            }
            let trimmed = term.trimmingCharacters(in: .whitespaces)
            guard !trimmed.isEmpty else { continue }
            if let eq = trimmed.firstIndex(of: "=") {
                out.append(.tag(String(trimmed[..<eq]), String(trimmed[trimmed.index(after: eq)...])))
            } else {
                out.append(.key(trimmed))
            }
        }
        return out
    }

    /// Start of the window in microseconds (inclusive).
    public var startMicros: Int64 { (endMillis - lookbackMillis) * 1000 }

    /// Whether one span meets every criterion.
    public func matches(_ span: ZipkinSpan) -> Bool {
        if let serviceName, span.localEndpoint?.serviceName?.lowercased() != serviceName.lowercased() { return false }
        if let remoteServiceName, span.remoteEndpoint?.serviceName?.lowercased() != remoteServiceName.lowercased() { return false }
        if let spanName, span.name?.lowercased() != spanName.lowercased() { return false }
        if let minDurationMicros, (span.durationMicros ?? -1) < minDurationMicros { return false }
        if let maxDurationMicros, (span.durationMicros ?? .max) > maxDurationMicros { return false }
        for term in terms {
            switch term {
            case .tag(let key, let value): if span.tags[key] != value { return false }
            case .key(let key): if span.tags[key] == nil, !span.annotations.contains(where: { $0.value == key }) { return false }
            }
        }
        return true
    }
}

/// A bad read-API parameter; the message names it.
public struct ZipkinQueryError: Error, Sendable, Hashable {
    public var message: String

    public init(_ message: String) {
        self.message = message
    }
}
