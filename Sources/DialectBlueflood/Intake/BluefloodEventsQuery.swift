import BasinWire
import NIOCore

/// The parameters of `GET /events/getEvents` (§7) and the rendering of its answer.
///
/// Times: Blueflood pushes `from`/`until` through a Graphite-style date parser and then compares
/// `millis / 1000` with `when` in milliseconds, so only all-digit values behave usefully (they
/// round-trip unchanged and are compared as milliseconds; every known client sends them). The
/// spec lets a clone treat the other forms (`-1d`, `now`, `noon yesterday`) as unsupported:
/// here they are a 400 naming the parameter, rather than Blueflood's silent mismatch. An
/// 8-digit value is read as milliseconds too, not as `YYYYMMDD` (either way it lies in 1970).
public struct BluefloodEventsQuery: Sendable {
    /// Lower bound on `when`, inclusive, in milliseconds.
    public var fromMillis: Int64?
    /// Upper bound on `when`, inclusive, in milliseconds.
    public var untilMillis: Int64?
    /// The tag term, when given.
    public var tags: String?

    /// Creates a query.
    public init(fromMillis: Int64? = nil, untilMillis: Int64? = nil, tags: String? = nil) {
        self.fromMillis = fromMillis
        self.untilMillis = untilMillis
        self.tags = tags
    }

    /// The message when the query string is empty (§7, B36).
    public static let noParametersMessage = "Error: Query should contain at least one query parameter"

    /// Reads the query parameters; the first of a repeated name counts, unknown names are
    /// ignored (but count as "a parameter").
    ///
    /// - Returns: the query, or the message of a 400: ``noParametersMessage`` when there is no
    ///   parameter at all, `Error: parameter '<name>' must be epoch milliseconds, got '<value>'`
    ///   for a `from`/`until` that is not all digits.
    public static func parse(_ parameters: [(name: String, value: String)]) -> Result<BluefloodEventsQuery, BluefloodEventsQueryError> {
        guard !parameters.isEmpty else { return .failure(BluefloodEventsQueryError(noParametersMessage)) }
        var query = BluefloodEventsQuery()
        for name in ["from", "until"] {
            guard let value = parameters.first(where: { $0.name == name })?.value else { continue }
            guard let millis = allDigitMillis(value) else {
                return .failure(BluefloodEventsQueryError("Error: parameter '\(name)' must be epoch milliseconds, got '\(value)'"))
            }
            if name == "from" { query.fromMillis = millis } else { query.untilMillis = millis }
        }
        query.tags = parameters.first(where: { $0.name == "tags" })?.value
        return .success(query)
    }

    /// An all-digit value that fits `Int64`, else nil.
    static func allDigitMillis(_ text: String) -> Int64? {
        guard !text.isEmpty, text.utf8.allSatisfy({ $0 &- UInt8(ascii: "0") < 10 }) else { return nil }
        return Int64(text)
    }

    /// Whether an event at `when` lies inside the bounds.
    public func contains(when: Int64) -> Bool {
        if let fromMillis, when < fromMillis { return false }
        if let untilMillis, when > untilMillis { return false }
        return true
    }

    /// Whether an event's tags match ``tags`` (always, when no tag was asked for).
    ///
    /// The spec's recommended behaviour (§7): case-insensitive equality with the whole tags
    /// string or with any of its whitespace-separated words. Comma lists, `[..]`, `{..}` and
    /// wildcards never match, as in Blueflood's term query.
    public func matches(tags eventTags: String) -> Bool {
        guard let tags else { return true }
        if tags.contains(where: { ",*?[]{}".contains($0) }) { return false }
        let term = tags.lowercased()
        let lowered = eventTags.lowercased()
        if lowered == term { return true }
        return lowered.split(whereSeparator: { $0.isWhitespace }).contains { $0 == term }
    }

    /// Whether an event passes every condition.
    public func matches(_ event: BluefloodEvent) -> Bool {
        contains(when: event.when) && matches(tags: event.tags)
    }

    /// The response body: events sorted by `when` ascending (then `what`), at most
    /// ``Blueflood/maxDiscoveryResults``, as `[{"what","when","data","tags","tenantId"}, …]`.
    public static func render(_ events: [BluefloodEvent]) -> ByteBuffer {
        let sorted = events.sorted { ($0.when, $0.what, $0.tags, $0.data) < ($1.when, $1.what, $1.tags, $1.data) }
        var writer = JSONWriter(capacity: 64 + 96 * min(sorted.count, Blueflood.maxDiscoveryResults))
        writer.raw("[")
        var comma = false
        for event in sorted.prefix(Blueflood.maxDiscoveryResults) {
            writer.comma(&comma)
            writer.raw("{")
            writer.key("what")
            writer.string(event.what)
            writer.raw(",")
            writer.key("when")
            writer.integer(event.when)
            writer.raw(",")
            writer.key("data")
            writer.string(event.data)
            writer.raw(",")
            writer.key("tags")
            writer.string(event.tags)
            writer.raw(",")
            writer.key("tenantId")
            writer.string(event.tenantId)
            writer.raw("}")
        }
        writer.raw("]")
        return writer.buffer
    }
}

/// Why `GET /events/getEvents` parameters are refused: the message of the generic 400.
///
/// (`Result` needs an `Error`, so the message is wrapped; `BluefloodErrorEntry.generic(tenantId:_:)`
/// takes it directly.)
public struct BluefloodEventsQueryError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The message, ready for the error body.
    public var message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}

extension BluefloodErrorEntry {
    /// A generic error carrying an events-query refusal's message.
    public static func generic(tenantId: String, _ refusal: BluefloodEventsQueryError) -> BluefloodErrorEntry {
        .generic(tenantId: tenantId, refusal.message)
    }
}
