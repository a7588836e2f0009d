import BasinHTTP
import BasinModel
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import StorageAPI
import StorageEngine

/// A dialect's routes on a router over the real embedded stores (metrics and records) in a
/// fresh temporary directory, for route tests of every dialect.
public enum EmbeddedRoutesHarness {
    /// The stores a test body sees.
    public struct Stores: Sendable {
        public let metrics: EmbeddedMetricStore
        public let records: EmbeddedRecordStore
    }

    /// Registers routes over the given environment and record store.
    public typealias Register = @Sendable (DialectEnvironment, any RecordStore, Router<BasinRequestContext>) -> Void

    /// Opens the stores (in `directory`, or a fresh directory removed afterwards), registers the
    /// routes, runs `body` against the router, and closes the stores whatever happens.
    ///
    /// - Parameter metricStore: wraps the engine before the routes see it (fault injection).
    public static func withApp(
        tokens: any TokenVerifier, limits: HTTPLimits = HTTPLimits(), directory: String? = nil,
        metricStore: @Sendable (EmbeddedMetricStore) -> any MetricStore = { $0 },
        register: Register,
        _ body: @Sendable (any TestClientProtocol, Stores) async throws -> Void
    ) async throws {
        let root = directory ?? temporaryDirectory()
        defer { if directory == nil { try? FileManager.default.removeItem(atPath: root) } }
        let logger = Logger(label: "test")
        let metrics = try await EmbeddedMetricStore.open(directory: root + "/metrics", logger: logger)
        let records: EmbeddedRecordStore
        do {
            records = try await EmbeddedRecordStore.open(directory: root + "/records", logger: logger)
        } catch {
            try? await metrics.close()
            throw error
        }
        let environment = DialectEnvironment(
            store: metricStore(metrics), tokens: tokens, limits: limits, selfMetrics: SelfMetrics(), logger: logger)
        let router = Router(context: BasinRequestContext.self)
        register(environment, records, router)
        let app = Application(router: router)
        var failure: (any Error)?
        do {
            try await app.test(.router) { client in try await body(client, Stores(metrics: metrics, records: records)) }
        } catch {
            failure = error
        }
        try await metrics.close()
        try await records.close()
        if let failure { throw failure }
    }

    /// A new path under the system's temporary directory (not created).
    public static func temporaryDirectory() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("basin-routes-\(UUID().uuidString)").path
    }
}
