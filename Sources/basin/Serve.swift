import ArgumentParser
import BasinServer
import Foundation
import Logging

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the server on the embedded store.",
        discussion: """
            On first start Basin creates the organisation "default" and an admin token, prints the token once and writes it to <data>/admin-token (readable only by its owner). Stop with SIGTERM or Ctrl-C; acknowledged writes are already on disk.
            """
    )

    @OptionGroup var dataOptions: DataOptions

    @Option(help: ArgumentHelp("Address to listen on (env BASIN_LISTEN; default 127.0.0.1:8080).", valueName: "host:port"))
    var listen: String?

    @Option(help: ArgumentHelp("Log level: trace, debug, info, notice, warning, error, critical (env BASIN_LOG_LEVEL).", valueName: "level"))
    var logLevel: String?

    @Option(help: ArgumentHelp("Largest request body as sent, in bytes (env BASIN_MAX_BODY_BYTES).", valueName: "n"))
    var maxBodyBytes: String?

    @Option(help: ArgumentHelp("Largest request body after decompression, in bytes (env BASIN_MAX_DECOMPRESSED_BYTES).", valueName: "n"))
    var maxDecompressedBytes: String?

    @Option(help: ArgumentHelp("Most labels on one series (env BASIN_MAX_LABELS_PER_SERIES).", valueName: "n"))
    var maxLabelsPerSeries: String?

    @Option(help: ArgumentHelp("Most series one query may read (env BASIN_MAX_QUERY_SERIES).", valueName: "n"))
    var maxQuerySeries: String?

    @Option(help: ArgumentHelp("Longest a query may run, in seconds (env BASIN_QUERY_TIMEOUT_SECONDS).", valueName: "s"))
    var queryTimeoutSeconds: String?

    @Option(help: ArgumentHelp("How long samples are kept: 30d, 12h, 90m, 45s or seconds (env BASIN_RETENTION; default 30d).", valueName: "duration"))
    var retention: String?

    @Option(help: ArgumentHelp("Samples held in memory before they are cut into blocks on disk (env BASIN_HEAD_MAX_SAMPLES; default 4000000).", valueName: "n"))
    var headMaxSamples: String?

    @Option(help: ArgumentHelp("Longest samples stay in memory before they are cut into blocks: 30m, 10s, … (env BASIN_HEAD_FLUSH_INTERVAL; default 30m).", valueName: "duration"))
    var headFlushInterval: String?

    @Option(help: ArgumentHelp("How often blocks are merged and the retention applied (env BASIN_COMPACTION_INTERVAL; default 30s).", valueName: "duration"))
    var compactionInterval: String?

    @Option(help: ArgumentHelp("Longest records stay in memory before they are sealed into partitions (env BASIN_RECORDS_HEAD_FLUSH_INTERVAL; default 10m).", valueName: "duration"))
    var recordsHeadFlushInterval: String?

    @Option(help: ArgumentHelp("DogStatsD UDP address, e.g. 127.0.0.1:8125 (env BASIN_DOGSTATSD_LISTEN; default off).", valueName: "host:port"))
    var dogstatsdListen: String?

    @Option(help: ArgumentHelp("DogStatsD Unix datagram socket path (env BASIN_DOGSTATSD_SOCKET; default off).", valueName: "path"))
    var dogstatsdSocket: String?

    @Option(help: ArgumentHelp("Organisation that receives DogStatsD data (env BASIN_DOGSTATSD_ORG; default default).", valueName: "org"))
    var dogstatsdOrg: String?

    @Option(help: ArgumentHelp("DogStatsD flush interval, whole seconds (env BASIN_DOGSTATSD_FLUSH_INTERVAL; default 10s).", valueName: "duration"))
    var dogstatsdFlushInterval: String?

    @Option(help: ArgumentHelp("Datadog /api/v1/query requests per organisation: N per hour or N/DURATION, e.g. 100/1m (env BASIN_DATADOG_QUERY_RATE_LIMIT; default 1600).", valueName: "n[/duration]"))
    var datadogQueryRateLimit: String?

    func run() async throws {
        var flags: [String: String] = [:]
        if let listen { flags["listen"] = listen }
        if let logLevel { flags["log-level"] = logLevel }
        if let maxBodyBytes { flags["max-body-bytes"] = maxBodyBytes }
        if let maxDecompressedBytes { flags["max-decompressed-bytes"] = maxDecompressedBytes }
        if let maxLabelsPerSeries { flags["max-labels-per-series"] = maxLabelsPerSeries }
        if let maxQuerySeries { flags["max-query-series"] = maxQuerySeries }
        if let queryTimeoutSeconds { flags["query-timeout-seconds"] = queryTimeoutSeconds }
        if let retention { flags["retention"] = retention }
        if let headMaxSamples { flags["head-max-samples"] = headMaxSamples }
        if let headFlushInterval { flags["head-flush-interval"] = headFlushInterval }
        if let compactionInterval { flags["compaction-interval"] = compactionInterval }
        if let recordsHeadFlushInterval { flags["records-head-flush-interval"] = recordsHeadFlushInterval }
        if let dogstatsdListen { flags["dogstatsd-listen"] = dogstatsdListen }
        if let dogstatsdSocket { flags["dogstatsd-socket"] = dogstatsdSocket }
        if let dogstatsdOrg { flags["dogstatsd-org"] = dogstatsdOrg }
        if let dogstatsdFlushInterval { flags["dogstatsd-flush-interval"] = dogstatsdFlushInterval }
        if let datadogQueryRateLimit { flags["datadog-query-rate-limit"] = datadogQueryRateLimit }
        let configuration: ServerConfiguration
        do {
            configuration = try dataOptions.resolve(extraFlags: flags)
        } catch let error as ConfigurationError {
            throw ValidationError(error.message)
        }
        guard let level = Logger.Level(rawValue: configuration.logLevel) else {
            throw ValidationError("unknown log level \"\(configuration.logLevel)\"")
        }
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "basin")
        try await ServerApplication(configuration: configuration, logger: logger).run()
    }
}
