import Logging
import StorageAPI

/// Everything a dialect's routes need from the server, passed as one value.
public struct DialectEnvironment: Sendable {
    /// Where metric samples are stored and read.
    public let store: any MetricStore
    /// Checks presented credentials.
    public let tokens: any TokenVerifier
    /// Request and query limits.
    public let limits: HTTPLimits
    /// Self-monitoring counters.
    public let selfMetrics: SelfMetrics
    /// The server's logger.
    public let logger: Logger

    public init(store: any MetricStore, tokens: any TokenVerifier, limits: HTTPLimits, selfMetrics: SelfMetrics, logger: Logger) {
        self.store = store
        self.tokens = tokens
        self.limits = limits
        self.selfMetrics = selfMetrics
        self.logger = logger
    }
}
