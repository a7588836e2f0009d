import BasinHTTP
import Foundation

/// Everything `basin serve` can be told, from flags, `BASIN_*` environment variables and a
/// JSON config file. Precedence: flag, then environment variable, then config file, then default.
///
/// Config-file keys are the flag names without dashes' prefix, for example
/// `{"data": "/var/lib/basin", "listen": "127.0.0.1:8080", "max-body-bytes": 5242880}`.
public struct ServerConfiguration: Sendable, Equatable {
    /// The default listen address.
    public static let defaultListen = "127.0.0.1:8080"
    /// The default data directory.
    public static let defaultDataDirectory = "./basin-data"

    /// Where the store, the log and the token file live.
    public var dataDirectory: String = ServerConfiguration.defaultDataDirectory
    /// Host to listen on.
    public var host: String = "127.0.0.1"
    /// Port to listen on (0 picks a free port; the chosen one is logged).
    public var port: Int = 8080
    /// Request and query limits.
    public var limits = HTTPLimits()
    /// swift-log level name (`trace` … `critical`).
    public var logLevel: String = "info"
    /// Blocks whose newest sample is older than this are deleted (default 30 days).
    public var retentionMillis: Int64 = 30 * 86_400_000
    /// The head is cut into blocks once it holds this many samples (default 4,000,000).
    public var headMaxSamples: Int = 4_000_000
    /// The head is cut into blocks at least this often while it holds samples (default 30 minutes).
    public var headFlushIntervalMillis: Int64 = 30 * 60_000
    /// How often blocks are merged and the retention applied (default 30 seconds).
    public var compactionIntervalMillis: Int64 = 30_000
    /// Records (events, logs) held in memory before they are sealed into partitions (default 500,000).
    public var recordsHeadMaxRecords: Int = 500_000
    /// Records are sealed into partitions at least this often while any are in memory (default 10 minutes).
    public var recordsHeadFlushIntervalMillis: Int64 = 10 * 60_000
    /// Whether Axiom ingest into an unknown dataset creates it (default false: 404, as Axiom).
    public var axiomCreateDatasetOnIngest = false
    /// DogStatsD UDP listen address as host and port; nil (the default) = no UDP listener.
    public var dogstatsdListen: (host: String, port: Int)? {
        get { dogstatsdListenHost.map { ($0, dogstatsdListenPort) } }
        set {
            dogstatsdListenHost = newValue?.host
            dogstatsdListenPort = newValue?.port ?? 0
        }
    }
    /// DogStatsD UDP host; nil = off.
    public var dogstatsdListenHost: String?
    /// DogStatsD UDP port (0 picks a free port).
    public var dogstatsdListenPort: Int = 0
    /// DogStatsD Unix datagram socket path; nil (the default) = none.
    public var dogstatsdSocketPath: String?
    /// The organisation that receives DogStatsD data (default `default`).
    public var dogstatsdOrg: String = "default"
    /// How often DogStatsD aggregates are flushed, also the bucket length (default 10 s, as the Agent).
    public var dogstatsdFlushIntervalMillis: Int64 = 10_000

    /// Datadog `GET /api/v1/query` requests allowed per organisation and period (default 1600,
    /// Datadog's documented limit).
    public var datadogQueryRateLimit: Int = 1600
    /// The period of ``datadogQueryRateLimit`` in seconds (default one hour).
    public var datadogQueryRatePeriodSeconds: Int = 3600

    public init() {}

    /// Every key the config file, environment and flags understand, with its meaning.
    public static let keys: [(key: String, meaning: String)] = [
        ("data", "data directory (default ./basin-data)"),
        ("listen", "HOST:PORT to listen on (default 127.0.0.1:8080)"),
        ("log-level", "trace, debug, info, notice, warning, error or critical (default info)"),
        ("max-body-bytes", "largest request body as sent, bytes (default 5242880)"),
        ("max-decompressed-bytes", "largest request body after Content-Encoding, bytes (default 67108864)"),
        ("max-labels-per-series", "most labels on one series, name included (default 128)"),
        ("max-label-name-bytes", "longest label name, bytes (default 256)"),
        ("max-label-value-bytes", "longest label value, bytes (default 4096)"),
        ("max-metric-name-bytes", "longest metric name, bytes (default 512)"),
        ("max-dynatrace-body-bytes", "largest Dynatrace metric ingest body as sent, bytes (default 1048576)"),
        ("max-query-series", "most series one query may read (default 100000)"),
        ("max-query-samples", "most samples one query may read (default 50000000)"),
        ("max-query-points", "most points per series in a range query (default 11000)"),
        ("query-timeout-seconds", "longest a query may run (default 60)"),
        ("retention", "how long samples are kept, as 30d, 12h, 90m, 45s or seconds (default 30d)"),
        ("head-max-samples", "samples held in memory before they are cut into blocks (default 4000000)"),
        ("head-flush-interval", "longest samples stay in memory before they are cut into blocks (default 30m)"),
        ("compaction-interval", "how often blocks are merged and the retention applied (default 30s)"),
        ("records-head-max-records", "records (events, logs) held in memory before they are sealed into partitions (default 500000)"),
        ("records-head-flush-interval", "longest records stay in memory before they are sealed into partitions (default 10m)"),
        ("axiom-create-dataset-on-ingest", "true: Axiom ingest into an unknown dataset creates it; false: 404 as Axiom (default false)"),
        ("dogstatsd-listen", "HOST:PORT for the DogStatsD UDP listener, e.g. 127.0.0.1:8125 (default empty: off)"),
        ("dogstatsd-socket", "path of a DogStatsD Unix datagram socket (default empty: off)"),
        ("dogstatsd-org", "organisation that receives DogStatsD data (default default)"),
        ("dogstatsd-flush-interval", "how often DogStatsD aggregates are written, whole seconds, also the bucket length (default 10s)"),
        ("datadog-query-rate-limit", "Datadog GET /api/v1/query requests per organisation, as N (per hour) or N/DURATION such as 100/1m (default 1600/1h)"),
    ]

    /// The environment variable for a key: `BASIN_` and the key upper-cased with `_` for `-`.
    public static func environmentName(for key: String) -> String {
        "BASIN_" + key.uppercased().replacingOccurrences(of: "-", with: "_")
    }

    /// Applies one key's value.
    /// - Throws: ``ConfigurationError`` naming the key and the bad value.
    public mutating func set(_ key: String, to value: String, source: String) throws {
        func integer() throws -> Int {
            guard let n = Int(value), n >= 0 else {
                throw ConfigurationError(message: "\(source): \(key) must be a non-negative integer, got \"\(value)\"")
            }
            return n
        }
        func duration() throws -> Int64 {
            guard let millis = Self.parseDurationMillis(value) else {
                throw ConfigurationError(message: "\(source): \(key) must be a duration such as 30d, 12h, 90m, 45s, 500ms or a number of seconds, got \"\(value)\"")
            }
            return millis
        }
        switch key {
        case "data": dataDirectory = value
        case "listen":
            guard let colon = value.lastIndex(of: ":"), let p = Int(value[value.index(after: colon)...]), (0...65535).contains(p) else {
                throw ConfigurationError(message: "\(source): listen must be HOST:PORT, got \"\(value)\"")
            }
            var h = String(value[..<colon])
            if h.hasPrefix("["), h.hasSuffix("]") { h = String(h.dropFirst().dropLast()) }
            host = h.isEmpty ? "127.0.0.1" : h
            port = p
        case "log-level": logLevel = value
        case "max-body-bytes": limits.maxBodyBytes = try integer()
        case "max-decompressed-bytes": limits.maxDecompressedBytes = try integer()
        case "max-labels-per-series": limits.maxLabelsPerSeries = try integer()
        case "max-label-name-bytes": limits.maxLabelNameBytes = try integer()
        case "max-label-value-bytes": limits.maxLabelValueBytes = try integer()
        case "max-metric-name-bytes": limits.maxMetricNameBytes = try integer()
        case "max-dynatrace-body-bytes": limits.maxDynatraceBodyBytes = try integer()
        case "max-query-series": limits.maxQuerySeries = try integer()
        case "max-query-samples": limits.maxQuerySamples = try integer()
        case "max-query-points": limits.maxQueryPoints = try integer()
        case "query-timeout-seconds":
            guard let d = Double(value), d > 0 else {
                throw ConfigurationError(message: "\(source): query-timeout-seconds must be a positive number, got \"\(value)\"")
            }
            limits.queryTimeoutSeconds = d
        case "retention": retentionMillis = try duration()
        case "head-max-samples": headMaxSamples = try integer()
        case "head-flush-interval": headFlushIntervalMillis = try duration()
        case "compaction-interval": compactionIntervalMillis = max(1, try duration())
        case "records-head-max-records": recordsHeadMaxRecords = max(1, try integer())
        case "records-head-flush-interval": recordsHeadFlushIntervalMillis = try duration()
        case "axiom-create-dataset-on-ingest":
            guard let b = Bool(value.lowercased()) else {
                throw ConfigurationError(message: "\(source): axiom-create-dataset-on-ingest must be true or false, got \"\(value)\"")
            }
            axiomCreateDatasetOnIngest = b
        case "dogstatsd-listen":
            guard !value.isEmpty else { dogstatsdListen = nil; break }
            guard let address = Self.parseHostPort(value) else {
                throw ConfigurationError(message: "\(source): dogstatsd-listen must be HOST:PORT or empty, got \"\(value)\"")
            }
            dogstatsdListen = address
        case "dogstatsd-socket": dogstatsdSocketPath = value.isEmpty ? nil : value
        case "dogstatsd-org":
            guard !value.isEmpty else {
                throw ConfigurationError(message: "\(source): dogstatsd-org must not be empty")
            }
            dogstatsdOrg = value
        case "dogstatsd-flush-interval":
            let millis = try duration()
            guard millis >= 1_000 else {
                throw ConfigurationError(message: "\(source): dogstatsd-flush-interval must be at least 1s, got \"\(value)\"")
            }
            dogstatsdFlushIntervalMillis = millis - millis % 1_000
        case "datadog-query-rate-limit":
            guard let (limit, periodSeconds) = Self.parseRateLimit(value) else {
                throw ConfigurationError(message: "\(source): datadog-query-rate-limit must be a positive number of requests, optionally /DURATION of at least 1s (e.g. 1600, 100/1m), got \"\(value)\"")
            }
            datadogQueryRateLimit = limit
            datadogQueryRatePeriodSeconds = periodSeconds
        default:
            throw ConfigurationError(message: "\(source): unknown key \"\(key)\"")
        }
    }

    /// `N` (per hour) or `N/DURATION` (whole seconds, at least 1 s) with N ≥ 1, or nil.
    static func parseRateLimit(_ value: String) -> (limit: Int, periodSeconds: Int)? {
        let parts = value.trimmingCharacters(in: .whitespaces).split(separator: "/", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), let limit = Int(parts[0].trimmingCharacters(in: .whitespaces)), limit >= 1 else {
            return nil
        }
        guard parts.count == 2 else { return (limit, 3600) }
        guard let millis = parseDurationMillis(String(parts[1])), millis >= 1_000, millis <= 31_536_000_000 else { return nil }
        return (limit, Int(millis / 1_000))
    }

    /// `HOST:PORT` (IPv6 hosts in brackets; an empty host means 127.0.0.1), or nil.
    static func parseHostPort(_ value: String) -> (host: String, port: Int)? {
        guard let colon = value.lastIndex(of: ":"), let p = Int(value[value.index(after: colon)...]), (0...65535).contains(p) else {
            return nil
        }
        var h = String(value[..<colon])
        if h.hasPrefix("["), h.hasSuffix("]") { h = String(h.dropFirst().dropLast()) }
        return (h.isEmpty ? "127.0.0.1" : h, p)
    }

    /// Milliseconds in a duration written as a number with an optional unit (`ms`, `s`, `m`,
    /// `h`, `d`, `w`; seconds when none), or nil when it is not one or is negative.
    public static func parseDurationMillis(_ text: String) -> Int64? {
        let units: [(String, Double)] = [("ms", 1), ("s", 1_000), ("m", 60_000), ("h", 3_600_000), ("d", 86_400_000), ("w", 604_800_000)]
        var number = Substring(text.trimmingCharacters(in: .whitespaces))
        var scale = 1_000.0
        for (suffix, millis) in units where number.hasSuffix(suffix) {
            let stem = number.dropLast(suffix.count)
            // "5ms" must not be read as 5m followed by "s".
            if suffix == "s", stem.hasSuffix("m") { continue }
            number = stem
            scale = millis
            break
        }
        guard let n = Double(number), n >= 0, n.isFinite, n * scale < 9.0e18 else { return nil }
        return Int64(n * scale)
    }

    /// Resolves the configuration from a config file, the environment and flag values.
    ///
    /// - Parameters:
    ///   - configFile: path of a JSON object file, or nil.
    ///   - environment: the process environment (only `BASIN_*` names are read).
    ///   - flags: key -> value for flags given on the command line.
    public static func resolve(
        configFile: String?, environment: [String: String], flags: [String: String]
    ) throws -> ServerConfiguration {
        var configuration = ServerConfiguration()
        if let configFile {
            guard let data = FileManager.default.contents(atPath: configFile) else {
                throw ConfigurationError(message: "cannot read config file \(configFile)")
            }
            guard let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
                throw ConfigurationError(message: "config file \(configFile) is not a JSON object")
            }
            for (key, value) in object.sorted(by: { $0.key < $1.key }) {
                let text: String
                switch value {
                case let s as String: text = s
                case let n as NSNumber: text = n.stringValue
                default: throw ConfigurationError(message: "config file \(configFile): \(key) must be a string or number")
                }
                try configuration.set(key, to: text, source: "config file \(configFile)")
            }
        }
        for (key, _) in keys {
            let name = environmentName(for: key)
            if let value = environment[name] {
                try configuration.set(key, to: value, source: "environment \(name)")
            }
        }
        for (key, value) in flags.sorted(by: { $0.key < $1.key }) {
            try configuration.set(key, to: value, source: "--\(key)")
        }
        return configuration
    }
}

/// A configuration value that cannot be used.
public struct ConfigurationError: Error, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}
