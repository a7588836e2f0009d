import BasinModel
import Foundation

/// Request parameters of the Prometheus API, merged from a form-encoded body and the query
/// string (body values first, as Go's `Request.ParseForm` does), with Prometheus' time parsing.
public struct PrometheusParameters: Sendable {
    /// Name/value pairs in arrival order.
    public private(set) var pairs: [(name: String, value: String)] = []

    /// Parses `a=1&b=2` strings; `+` is a space and `%XX` a byte.
    ///
    /// - Parameters:
    ///   - queryString: the raw (still percent-encoded) query string, or nil.
    ///   - formBody: a raw `application/x-www-form-urlencoded` body, or nil.
    public init(queryString: String?, formBody: [UInt8]? = nil) throws(PrometheusAPIError) {
        if let formBody { try PrometheusParameters.decode(formBody[...], into: &pairs) }
        if let queryString { try PrometheusParameters.decode(Array(queryString.utf8)[...], into: &pairs) }
    }

    /// The first value of `name`, or nil.
    public func first(_ name: String) -> String? { pairs.first { $0.name == name }?.value }

    /// Every value of `name` (for `match[]`).
    public func all(_ name: String) -> [String] { pairs.filter { $0.name == name }.map(\.value) }

    static func decode(_ bytes: ArraySlice<UInt8>, into pairs: inout [(name: String, value: String)]) throws(PrometheusAPIError) {
        for part in bytes.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true) {
            let equals = part.firstIndex(of: UInt8(ascii: "="))
            let name = try unescape(part[part.startIndex..<(equals ?? part.endIndex)])
            let value = try equals.map { i throws(PrometheusAPIError) in try unescape(part[(i + 1)...]) } ?? ""
            pairs.append((name, value))
        }
    }

    static func unescape(_ bytes: ArraySlice<UInt8>) throws(PrometheusAPIError) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = bytes.startIndex
        while i < bytes.endIndex {
            let b = bytes[i]
            if b == UInt8(ascii: "+") {
                out.append(UInt8(ascii: " "))
            } else if b == UInt8(ascii: "%") {
                guard i + 2 < bytes.endIndex,
                      let hi = hexValue(bytes[i + 1]), let lo = hexValue(bytes[i + 2])
                else { throw PrometheusAPIError.badData("invalid URL escape in request parameters") }
                out.append(hi << 4 | lo)
                i += 2
            } else {
                out.append(b)
            }
            i += 1
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    /// Earliest and latest times used when `start` / `end` are absent (far enough from Int64's
    /// ends that storage arithmetic cannot overflow).
    public static let minTimeMillis: Int64 = -(1 << 53)
    public static let maxTimeMillis: Int64 = 1 << 53

    /// A time parameter: float Unix seconds or RFC 3339, in milliseconds; `defaultMillis` when absent.
    public func time(_ name: String, default defaultMillis: Int64) throws(PrometheusAPIError) -> Int64 {
        guard let text = first(name), !text.isEmpty else { return defaultMillis }
        guard let millis = PrometheusParameters.parseTime(text) else {
            throw PrometheusAPIError.badData("invalid parameter \"\(name)\": cannot parse \"\(text)\" to a valid timestamp")
        }
        return millis
    }

    /// A duration parameter: float seconds or a Prometheus duration (`15s`, `1h30m`), in milliseconds; nil when absent.
    public func duration(_ name: String) throws(PrometheusAPIError) -> Int64? {
        guard let text = first(name), !text.isEmpty else { return nil }
        guard let millis = PrometheusParameters.parseDuration(text) else {
            throw PrometheusAPIError.badData("invalid parameter \"\(name)\": cannot parse \"\(text)\" to a valid duration")
        }
        return millis
    }

    /// Float seconds (`1700000000.123`) or RFC 3339 (`2023-11-14T22:13:20.123Z`), in milliseconds.
    public static func parseTime(_ text: String) -> Int64? {
        if let seconds = Double(text), seconds.isFinite {
            let millis = (seconds * 1000).rounded()
            guard abs(millis) <= Double(maxTimeMillis) else { return nil }
            return Int64(millis)
        }
        let withFraction = ISO8601DateFormatter()
        withFraction.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let plain = ISO8601DateFormatter()
        plain.formatOptions = [.withInternetDateTime]
        guard let date = withFraction.date(from: text) ?? plain.date(from: text) else { return nil }
        return Int64((date.timeIntervalSince1970 * 1000).rounded())
    }

    /// Float seconds or a duration such as `1h30m`, `15s`, `500ms`, in milliseconds.
    public static func parseDuration(_ text: String) -> Int64? {
        if let seconds = Double(text) {
            guard seconds.isFinite, abs(seconds) < 9e12 else { return nil }
            return Int64((seconds * 1000).rounded())
        }
        var lexer = PromQLLexer(text)
        guard let tokens = try? lexer.tokenize(), tokens.count == 2, case .duration(let ms) = tokens[0].token else { return nil }
        return ms
    }

    /// A non-negative `limit` parameter; nil when absent or 0 (no limit).
    public func limit() throws(PrometheusAPIError) -> Int? {
        guard let text = first("limit"), !text.isEmpty else { return nil }
        guard let value = Int(text), value >= 0 else {
            throw PrometheusAPIError.badData("invalid parameter \"limit\": cannot parse \"\(text)\" to a valid limit")
        }
        return value == 0 ? nil : value
    }
}

/// An API-level failure rendered in Prometheus' error envelope.
public struct PrometheusAPIError: ClassifiedError, Equatable {
    public var kind: ErrorKind
    public var message: String

    public init(kind: ErrorKind, message: String) {
        self.kind = kind
        self.message = message
    }

    static func badData(_ message: String) -> PrometheusAPIError {
        PrometheusAPIError(kind: .badRequest, message: message)
    }

    /// Prometheus' `errorType` for a kind: `bad_data`, `execution`, `timeout`, `unavailable`, `internal`...
    public static func errorType(for kind: ErrorKind) -> String {
        switch kind {
        case .badRequest, .payloadTooLarge, .unsupportedMediaType: "bad_data"
        case .unprocessable, .limitExceeded: "execution"
        case .timeout: "timeout"
        case .unavailable: "unavailable"
        case .notFound: "not_found"
        case .unauthorized: "unauthorized"
        case .forbidden: "forbidden"
        case .methodNotAllowed, .conflict: "bad_data"
        case .internalError: "internal"
        }
    }
}
