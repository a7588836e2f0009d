import Foundation

/// The query window and its time slots (spec §4.1): `from`, `to`, `resolution`.
///
/// Slots are `[end - slotMillis, end)` with ends aligned to multiples of the slot width since the
/// epoch; the first slot contains `from`, the last one contains `to - 1` and may end after `to`
/// (Dynatrace: "the last slot may extend past `to`"). `Inf` is one slot `[from, to)` ending at `to`.
public struct DynatraceTimeframe: Sendable, Equatable {
    /// The window start, inclusive, in milliseconds.
    public var fromMillis: Int64
    /// The window end, exclusive, in milliseconds.
    public var toMillis: Int64
    /// The slot width in milliseconds.
    public var slotMillis: Int64
    /// The slot end times (the response's `timestamps`).
    public var slotEndsMillis: [Int64]
    /// The response's `resolution` (`1m`, `5m`, `1h`, `Inf`).
    public var resolution: String

    /// Slot widths Dynatrace picks from when `resolution` is a number of points.
    static let standardSlotsMillis: [Int64] = [
        60_000, 120_000, 300_000, 600_000, 900_000, 1_800_000, 3_600_000, 7_200_000, 21_600_000, 43_200_000,
        86_400_000, 604_800_000,
    ]
    /// At most this many slots per series (Dynatrace's 10,080 points per tuple).
    public static let maxSlots = 10_080

    /// Builds the slots.
    /// - Parameters:
    ///   - from: the `from` parameter (nil: `now-2h`).
    ///   - to: the `to` parameter (nil: now).
    ///   - resolution: the `resolution` parameter (nil: 120 points).
    ///   - nowMillis: the server clock.
    /// - Throws: a ``DynatraceParameterError`` naming the parameter.
    public init(from: String?, to: String?, resolution: String?, nowMillis: Int64) throws(DynatraceParameterError) {
        let toMillis = try Self.parseTime(to ?? "now", parameter: "to", nowMillis: nowMillis)
        let fromMillis = try Self.parseTime(from ?? "now-2h", parameter: "from", nowMillis: nowMillis)
        guard fromMillis < toMillis else {
            throw DynatraceParameterError(parameter: "from", message: "The start of the timeframe must be before its end")
        }
        self.fromMillis = fromMillis
        self.toMillis = toMillis
        let span = toMillis - fromMillis
        let text = resolution ?? "120"
        if text == "Inf" {
            slotMillis = span
            slotEndsMillis = [toMillis]
            self.resolution = "Inf"
            return
        }
        if let points = Int(text) {
            guard points > 0 else { throw DynatraceParameterError(parameter: "resolution", message: "Invalid resolution '\(text)'") }
            let wanted = (span + Int64(points) - 1) / Int64(points)
            slotMillis = Self.standardSlotsMillis.first { $0 >= wanted } ?? ((wanted + 86_399_999) / 86_400_000 * 86_400_000)
        } else {
            guard let millis = Self.parseDuration(text), millis >= 60_000 else {
                throw DynatraceParameterError(
                    parameter: "resolution", message: "Invalid resolution '\(text)': use a number of points, <n><unit> (1m at least) or Inf")
            }
            slotMillis = millis
        }
        self.resolution = Self.render(slotMillis)
        let first = Self.floor(fromMillis, slotMillis) + slotMillis
        let last = Self.floor(toMillis - 1, slotMillis) + slotMillis
        let count = (last - first) / slotMillis + 1
        guard count <= Int64(Self.maxSlots) else {
            throw DynatraceParameterError(
                parameter: "resolution", message: "The resolution gives \(count) data points per series, more than \(Self.maxSlots)")
        }
        let width = slotMillis
        slotEndsMillis = (0..<Int(count)).map { first + Int64($0) * width }
    }

    /// The slot start of the first slot (inclusive).
    public var readStartMillis: Int64 { slotEndsMillis[0] - slotMillis }
    /// The end of the last slot (exclusive).
    public var readEndMillis: Int64 { slotEndsMillis[slotEndsMillis.count - 1] }

    static func floor(_ value: Int64, _ step: Int64) -> Int64 {
        let q = value / step
        return (value % step < 0 ? q - 1 : q) * step
    }

    /// `<n><unit>` in milliseconds (units `s m h d w M q y`).
    static func parseDuration(_ text: String) -> Int64? {
        guard let unit = text.last, let millis = DynatraceSelectorParser.durationUnitMillis[String(unit)],
              let n = Int64(text.dropLast()), n > 0 else { return nil }
        return n.multipliedReportingOverflow(by: millis).overflow ? nil : n * millis
    }

    /// The shortest spelling of a slot width (`1m`, `5m`, `1h`, `1d`).
    static func render(_ millis: Int64) -> String {
        for (unit, size) in [("d", Int64(86_400_000)), ("h", 3_600_000), ("m", 60_000), ("s", 1_000)] where millis % size == 0 {
            return "\(millis / size)\(unit)"
        }
        return "\(millis)ms"
    }

    /// A time parameter: epoch milliseconds, `now`, `now-<n><unit>[/<unit>]`, or ISO 8601
    /// (`T` or a space; seconds, fraction and zone optional; no zone is UTC).
    static func parseTime(_ text: String, parameter: String, nowMillis: Int64) throws(DynatraceParameterError) -> Int64 {
        let invalid = DynatraceParameterError(parameter: parameter, message: "Invalid timestamp '\(text)'")
        if let millis = Int64(text) { return millis }
        if text.hasPrefix("now") {
            var rest = Substring(text.dropFirst(3))
            var millis = nowMillis
            var alignment: Int64?
            if let slash = rest.firstIndex(of: "/") {
                guard let unit = DynatraceSelectorParser.durationUnitMillis[String(rest[rest.index(after: slash)...])] else { throw invalid }
                alignment = unit
                rest = rest[..<slash]
            }
            if let sign = rest.first {
                guard sign == "-" || sign == "+", let offset = parseDuration(String(rest.dropFirst())) else { throw invalid }
                millis += sign == "-" ? -offset : offset
            }
            if let alignment { millis = floor(millis, alignment) }
            return millis
        }
        var iso = text.replacingOccurrences(of: " ", with: "T")
        if iso.count == 16 { iso += ":00" }  // no seconds
        let hasZone = iso.hasSuffix("Z") || iso.dropFirst(19).contains("+") || iso.dropFirst(19).contains("-")
        if !hasZone { iso += "Z" }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = formatter.date(from: iso) { return Int64((date.timeIntervalSince1970 * 1000).rounded()) }
        formatter.formatOptions = [.withInternetDateTime]
        if let date = formatter.date(from: iso) { return Int64((date.timeIntervalSince1970 * 1000).rounded()) }
        throw invalid
    }
}
