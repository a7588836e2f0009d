import BasinHTTP
import BasinModel
import DialectAxiom
import DialectBlueflood
import DialectDatadog
import DialectDynatrace
import DialectPrometheus
import DialectSignalFx
import Foundation
import Hummingbird
import Logging
import Metrics
import NIOCore
import Prometheus
import StorageAPI
import StorageEngine
import Synchronization

/// Assembles Basin: the store, the token file, every dialect's routes and the admin and
/// self-monitoring routes, on one HTTP port.
public struct ServerApplication: Sendable {
    /// The resolved configuration.
    public let configuration: ServerConfiguration
    let logger: Logger

    public init(configuration: ServerConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
    }

    /// Opens the store, prints a new admin token on first start, serves until SIGTERM or SIGINT,
    /// then closes the store.
    ///
    /// - Parameter onListening: called with the bound port once the server accepts connections.
    public func run(onListening: @escaping @Sendable (Int) -> Void = { _ in }) async throws {
        let registry = MetricsBootstrap.registry
        let dataDirectory = configuration.dataDirectory
        try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
        let tokens = try TokenStore(directory: dataDirectory)
        if let secret = try tokens.bootstrapIfEmpty() {
            // Shown once on first start; also written (0600) for scripts. Written unbuffered so it
            // shows at once when stdout is a file or a pipe (systemd, docker logs).
            FileHandle.standardOutput.write(Data("""
                Created organisation "default" and an admin token (scopes ingest,query,admin):

                    \(secret)

                It is stored only as a hash; a copy is in \(dataDirectory)/\(TokenStore.adminTokenFileName) (mode 0600).

                """.utf8))
        }
        let storeOptions = EmbeddedStoreOptions(
            retentionMillis: configuration.retentionMillis, headMaxSamples: configuration.headMaxSamples,
            headFlushIntervalMillis: configuration.headFlushIntervalMillis,
            compactionIntervalMillis: configuration.compactionIntervalMillis)
        let store = try await EmbeddedMetricStore.open(directory: dataDirectory + "/metrics", options: storeOptions, logger: logger)
        var recordOptions = storeOptions
        recordOptions.recordsHeadMaxRecords = configuration.recordsHeadMaxRecords
        recordOptions.recordsHeadFlushIntervalMillis = configuration.recordsHeadFlushIntervalMillis
        let records = try await EmbeddedRecordStore.open(directory: dataDirectory + "/records", options: recordOptions, logger: logger)
        let lifecycle = ServerLifecycle(registry: registry)
        let environment = DialectEnvironment(
            store: store, tokens: tokens, limits: configuration.limits, selfMetrics: SelfMetrics(), logger: logger)
        let router = Self.makeRouter(
            environment: environment, records: records, axiomOptions: AxiomRoutesOptions(createDatasetOnIngest: configuration.axiomCreateDatasetOnIngest),
            datadogQueryRateLimits: Self.datadogQueryRateLimits(configuration),
            tokens: tokens, registry: registry, lifecycle: lifecycle)
        let logger = self.logger
        let app = Application(
            router: router,
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "basin"),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? 0
                logger.info("basin listening", metadata: ["address": "\(channel.localAddress.map { "\($0)" } ?? "?")"])
                onListening(port)
            },
            logger: logger
        )
        let dogstatsd: DogStatsDServer?
        do {
            dogstatsd = try await Self.startDogStatsD(configuration: configuration, environment: environment, records: records)
        } catch {
            try? await store.close()
            try? await records.close()
            throw error
        }
        do {
            try await app.runService()
        } catch {
            await dogstatsd?.shutdown()
            lifecycle.markStopping()
            try? await store.close()
            try? await records.close()
            throw error
        }
        await dogstatsd?.shutdown()   // final flush before the stores close
        lifecycle.markStopping()
        try await store.close()
        try await records.close()
        logger.info("basin stopped")
    }

    /// Binds the DogStatsD listener (`dogstatsd-listen`, `dogstatsd-socket`) when either is
    /// configured; nil otherwise. Label limits follow the HTTP intake's.
    static func startDogStatsD(
        configuration: ServerConfiguration, environment: DialectEnvironment, records: any RecordStore
    ) async throws -> DogStatsDServer? {
        var options = DogStatsDConfiguration()
        options.udpHost = configuration.dogstatsdListenHost
        options.udpPort = configuration.dogstatsdListenPort
        options.socketPath = configuration.dogstatsdSocketPath
        guard options.isEnabled else { return nil }
        options.org = OrgID(configuration.dogstatsdOrg)
        options.flushIntervalMillis = configuration.dogstatsdFlushIntervalMillis
        let limits = configuration.limits
        options.limits.maxNameBytes = limits.maxMetricNameBytes
        options.limits.maxTags = limits.maxLabelsPerSeries
        options.aggregator.labelLimits.maxLabelsPerSeries = limits.maxLabelsPerSeries
        options.aggregator.labelLimits.maxLabelNameBytes = limits.maxLabelNameBytes
        options.aggregator.labelLimits.maxLabelValueBytes = limits.maxLabelValueBytes
        options.aggregator.labelLimits.maxMetricNameBytes = limits.maxMetricNameBytes
        return try await DogStatsDServer.start(
            configuration: options, store: environment.store, records: records,
            selfMetrics: environment.selfMetrics, logger: environment.logger)
    }

    /// The Datadog read limits: `datadog-query-rate-limit` for `/api/v1/query`, Datadog's
    /// defaults for the others.
    static func datadogQueryRateLimits(_ configuration: ServerConfiguration) -> DatadogQueryRateLimits {
        var limits = DatadogQueryRateLimits()
        limits.query = DatadogRateLimit(
            name: limits.query.name, limit: configuration.datadogQueryRateLimit,
            periodSeconds: configuration.datadogQueryRatePeriodSeconds)
        return limits
    }

    /// The router with every surface registered; exposed for in-process tests.
    static func makeRouter(
        environment: DialectEnvironment, records: any RecordStore, axiomOptions: AxiomRoutesOptions = AxiomRoutesOptions(),
        datadogQueryRateLimits: DatadogQueryRateLimits = DatadogQueryRateLimits(),
        tokens: TokenStore, registry: PrometheusCollectorRegistry, lifecycle: ServerLifecycle
    ) -> Router<BasinRequestContext> {
        let router = Router(context: BasinRequestContext.self)
        var datadog = DatadogRoutes(environment: environment, records: records)
        datadog.queryRateLimits = datadogQueryRateLimits
        datadog.register(on: router)
        DynatraceRoutes(environment: environment).register(on: router)
        let axiom = AxiomRoutes(environment: environment, records: records, options: axiomOptions)
        axiom.register(on: router)
        axiom.registerQueries(on: router)
        BluefloodRoutes(environment: environment, records: records).register(on: router)
        SignalFxRoutes(environment: environment, records: records).register(on: router)
        SignalFxTraceRoutes(environment: environment, records: records).register(on: router)
        PrometheusRoutes(environment: environment).register(on: router)
        AdminRoutes(tokens: tokens).register(on: router)
        SelfMonitoringRoutes(registry: registry, store: environment.store, records: records, lifecycle: lifecycle).register(on: router)
        UIRoutes().register(on: router)
        return router
    }
}

/// The one process-wide swift-metrics backend: a Prometheus registry.
enum MetricsBootstrap {
    /// Bootstraps swift-metrics on first use; later calls return the same registry.
    static let registry: PrometheusCollectorRegistry = {
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = [
            .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2),
            .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
            .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(5),
        ]
        MetricsSystem.bootstrap(factory)
        return registry
    }()
}
