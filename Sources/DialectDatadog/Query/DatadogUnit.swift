/// A unit from Datadog's unit list, as `unit` objects in query responses describe it.
///
/// Names, families, short names and plurals follow Datadog's published unit list; the numeric
/// `id`s are Basin's own (clients only display them).
public struct DatadogUnit: Sendable, Equatable {
    public var family: String
    public var name: String
    public var plural: String
    public var scaleFactor: Double
    public var shortName: String
    public var id: Int

    /// The unit of `name` (case-insensitive), nil for a name not in the list.
    public static func named(_ name: String) -> DatadogUnit? {
        table[name.lowercased()]
    }

    static let table: [String: DatadogUnit] = {
        let rows: [(String, String, String, Double, String)] = [
            ("bytes", "bit", "bits", 0.125, "b"), ("bytes", "byte", "bytes", 1, "B"),
            ("bytes", "kibibyte", "kibibytes", 1024, "KiB"), ("bytes", "mebibyte", "mebibytes", 1_048_576, "MiB"),
            ("bytes", "gibibyte", "gibibytes", 1_073_741_824, "GiB"), ("bytes", "tebibyte", "tebibytes", 1_099_511_627_776, "TiB"),
            ("bytes", "kilobyte", "kilobytes", 1000, "kB"), ("bytes", "megabyte", "megabytes", 1_000_000, "MB"),
            ("bytes", "gigabyte", "gigabytes", 1_000_000_000, "GB"),
            ("time", "nanosecond", "nanoseconds", 1e-9, "ns"), ("time", "microsecond", "microseconds", 1e-6, "μs"),
            ("time", "millisecond", "milliseconds", 0.001, "ms"), ("time", "second", "seconds", 1, "s"),
            ("time", "minute", "minutes", 60, "min"), ("time", "hour", "hours", 3600, "hr"),
            ("time", "day", "days", 86400, "d"), ("time", "week", "weeks", 604_800, "wk"),
            ("percentage", "percent", "percent", 1, "%"), ("percentage", "fraction", "fraction", 100, ""),
            ("percentage", "percent_nano", "percent", 1e-9, "%"),
            ("general", "request", "requests", 1, "req"), ("general", "operation", "operations", 1, "op"),
            ("general", "error", "errors", 1, "err"), ("general", "event", "events", 1, "event"),
            ("general", "connection", "connections", 1, "conn"), ("general", "item", "items", 1, "item"),
            ("general", "process", "processes", 1, "proc"), ("general", "thread", "threads", 1, "thread"),
            ("general", "host", "hosts", 1, "host"), ("general", "node", "nodes", 1, "node"),
            ("general", "query", "queries", 1, "query"), ("general", "hit", "hits", 1, "hit"),
            ("general", "miss", "misses", 1, "miss"), ("general", "message", "messages", 1, "msg"),
            ("general", "packet", "packets", 1, "pkt"), ("general", "record", "records", 1, "rec"),
            ("general", "unit", "units", 1, "unit"), ("general", "core", "cores", 1, "core"),
            ("general", "file", "files", 1, "file"), ("general", "page", "pages", 1, "pg"),
            ("general", "task", "tasks", 1, "task"), ("general", "transaction", "transactions", 1, "tx"),
            ("general", "instance", "instances", 1, "inst"), ("general", "sample", "samples", 1, "smpl"),
            ("network", "request", "requests", 1, "req"), ("frequency", "hertz", "hertz", 1, "Hz"),
            ("temperature", "degree celsius", "degrees celsius", 1, "°C"),
            ("money", "dollar", "dollars", 1, "$"), ("cpu", "nanocore", "nanocores", 1e-9, "ncores"),
        ]
        var out: [String: DatadogUnit] = [:]
        for (i, row) in rows.enumerated() where out[row.1] == nil {
            out[row.1] = DatadogUnit(family: row.0, name: row.1, plural: row.2, scaleFactor: row.3, shortName: row.4, id: i + 1)
        }
        return out
    }()
}

/// Datadog metadata kept in Basin's ``StorageAPI/MetricMetadata``: `per_unit` travels in the
/// unit field as `unit/per_unit` (Datadog unit names never contain `/`).
enum DatadogStoredUnit {
    static func split(_ stored: String?) -> (unit: String?, perUnit: String?) {
        guard let stored, !stored.isEmpty else { return (nil, nil) }
        guard let slash = stored.firstIndex(of: "/") else { return (stored, nil) }
        let unit = String(stored[..<slash])
        return (unit.isEmpty ? nil : unit, String(stored[stored.index(after: slash)...]))
    }

    static func join(unit: String?, perUnit: String?) -> String? {
        guard let perUnit, !perUnit.isEmpty else { return unit }
        return (unit ?? "") + "/" + perUnit
    }
}
