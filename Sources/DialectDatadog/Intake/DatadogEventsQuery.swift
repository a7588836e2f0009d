/// The parameters of `GET /api/v1/events` (API reference `ListEvents`) and the filter they mean.
///
/// - `start`, `end`: required integer seconds; events with `start ≤ date_happened ≤ end`.
/// - `priority`: `normal` or `low`; an event stored without a priority counts as `normal`
///   (Datadog's default).
/// - `sources`: comma-separated `source_type_name`s; an event matches when its source is any of them.
/// - `tags`: comma-separated; an event must carry **every** listed tag (Basin's reading of
///   Datadog's ambiguous wording): `key:value` matches that exact tag, a bare `key` matches the
///   bare tag `key` or any `key:<value>`. Compared case-insensitively (Datadog lower-cases tags).
/// - `unaggregated`, `exclude_aggregate`: accepted (`true`/`false`) and without effect — Basin
///   never rolls events up into aggregate parents, so every event in the window is listed.
/// - `page`: 0-based page of ``pageSize`` events, newest first.
public struct DatadogEventsQuery: Sendable, Equatable {
    public var startSeconds: Int64
    public var endSeconds: Int64
    public var priority: String?
    public var sources: [String]
    public var tags: [String]
    public var unaggregated: Bool
    public var excludeAggregate: Bool
    public var page: Int

    /// Events per page (Datadog's documented 1000).
    public static let pageSize = 1000

    public init(startSeconds: Int64, endSeconds: Int64, priority: String? = nil, sources: [String] = [], tags: [String] = [],
                unaggregated: Bool = false, excludeAggregate: Bool = false, page: Int = 0) {
        self.startSeconds = startSeconds
        self.endSeconds = endSeconds
        self.priority = priority
        self.sources = sources
        self.tags = tags
        self.unaggregated = unaggregated
        self.excludeAggregate = excludeAggregate
        self.page = page
    }

    /// Parses decoded query parameters; the failure is the message for a `400`.
    public static func parse(_ parameters: [(name: String, value: String)]) -> Result<DatadogEventsQuery, DatadogEventsQueryError> {
        func value(_ name: String) -> String? { parameters.last { $0.name == name }?.value }
        func seconds(_ name: String) -> Result<Int64, DatadogEventsQueryError> {
            guard let text = value(name), !text.isEmpty else { return .failure(.init("missing required parameter \(name)")) }
            if let integer = Int64(text) { return .success(integer) }
            if let number = Double(text), number.isFinite, abs(number) < 9e15 { return .success(Int64(number.rounded(.down))) }
            return .failure(.init("\(name) must be an integer number of seconds, found \"\(text.prefix(64))\""))
        }
        func flag(_ name: String) -> Result<Bool, DatadogEventsQueryError> {
            switch value(name)?.lowercased() {
            case nil, "", "false", "0": return .success(false)
            case "true", "1": return .success(true)
            case let other?: return .failure(.init("\(name) must be true or false, found \"\(other.prefix(64))\""))
            }
        }
        func list(_ name: String) -> [String] {
            (value(name) ?? "").split(separator: ",").map { $0.trimmingASCIISpaces().lowercased() }.filter { !$0.isEmpty }
        }
        do {
            let start = try seconds("start").get()
            let end = try seconds("end").get()
            var query = DatadogEventsQuery(startSeconds: start, endSeconds: end)
            if let priority = value("priority"), !priority.isEmpty {
                guard DatadogEvent.priorities.contains(priority.lowercased()) else {
                    return .failure(.init("priority must be normal or low, found \"\(priority.prefix(64))\""))
                }
                query.priority = priority.lowercased()
            }
            query.sources = list("sources")
            query.tags = list("tags")
            query.unaggregated = try flag("unaggregated").get()
            query.excludeAggregate = try flag("exclude_aggregate").get()
            if let page = value("page"), !page.isEmpty {
                guard let number = Int(page), number >= 0, number <= 1_000_000 else {
                    return .failure(.init("page must be a non-negative integer, found \"\(page.prefix(64))\""))
                }
                query.page = number
            }
            return .success(query)
        } catch {
            return .failure(error)
        }
    }

    /// Whether `event` passes the priority, sources and tags filters (the time is the scan's).
    public func matches(_ event: DatadogEvent) -> Bool {
        if let priority, (event.priority ?? "normal") != priority { return false }
        if !sources.isEmpty {
            guard let source = event.sourceTypeName?.lowercased(), sources.contains(source) else { return false }
        }
        if !tags.isEmpty {
            let own = event.tags.map { $0.lowercased() }
            for wanted in tags where !Self.has(own, wanted) { return false }
        }
        return true
    }

    static func has(_ tags: [String], _ wanted: String) -> Bool {
        if wanted.contains(":") { return tags.contains(wanted) }
        let prefix = wanted + ":"
        return tags.contains { $0 == wanted || $0.hasPrefix(prefix) }
    }
}

/// Why the parameters of `GET /api/v1/events` were refused.
public struct DatadogEventsQueryError: Error, Equatable, Sendable {
    public let message: String

    init(_ message: String) {
        self.message = message
    }
}
