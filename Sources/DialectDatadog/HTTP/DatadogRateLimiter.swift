import BasinModel
import Foundation
import Synchronization

/// One named read limit: `limit` requests per `periodSeconds`, per organisation.
public struct DatadogRateLimit: Sendable, Equatable {
    /// The `X-RateLimit-Name` value.
    public var name: String
    public var limit: Int
    public var periodSeconds: Int

    public init(name: String, limit: Int, periodSeconds: Int) {
        self.name = name
        self.limit = max(1, limit)
        self.periodSeconds = max(1, periodSeconds)
    }
}

/// The read endpoints' limits (defaults: Datadog's documented values; spec §2.5).
public struct DatadogQueryRateLimits: Sendable, Equatable {
    /// `GET /api/v1/query`: 1600 per hour.
    public var query = DatadogRateLimit(name: "query", limit: 1600, periodSeconds: 3600)
    /// `GET /api/v1/metrics` and `GET /api/v1/search`: 100 per hour.
    public var metricsList = DatadogRateLimit(name: "metrics_list", limit: 100, periodSeconds: 3600)
    /// `GET`/`PUT /api/v1/metrics/{name}` (no documented value; Basin's choice).
    public var metricsMetadata = DatadogRateLimit(name: "metrics_metadata", limit: 3000, periodSeconds: 3600)

    public init() {}

    /// Every limit set to `limit` requests per `periodSeconds` (for tests and small deployments).
    public init(all limit: Int, periodSeconds: Int = 3600) {
        query.limit = max(1, limit); query.periodSeconds = max(1, periodSeconds)
        metricsList.limit = max(1, limit); metricsList.periodSeconds = max(1, periodSeconds)
        metricsMetadata.limit = max(1, limit); metricsMetadata.periodSeconds = max(1, periodSeconds)
    }
}

/// A token bucket per (organisation, limit name): `limit` tokens, refilled continuously at
/// `limit / period` per second; a request takes one.
public final class DatadogRateLimiter: Sendable {
    /// What one request was told.
    public struct Decision: Sendable, Equatable {
        public var allowed: Bool
        public var limit: Int
        public var periodSeconds: Int
        public var remaining: Int
        /// Seconds until a token is available (refused) or the bucket is full again (allowed).
        public var resetSeconds: Int
        public var name: String
    }

    private struct Bucket {
        var tokens: Double
        var updated: Double
    }

    private let buckets = Mutex<[String: Bucket]>([:])
    private let clock: @Sendable () -> Double

    /// - Parameter clock: seconds, monotonic enough for refills (tests pass their own).
    public init(clock: @escaping @Sendable () -> Double = { Date().timeIntervalSince1970 }) {
        self.clock = clock
    }

    /// Takes a token for `org` from the bucket of `limit`.
    public func take(_ limit: DatadogRateLimit, org: OrgID) -> Decision {
        let now = clock()
        let capacity = Double(limit.limit)
        let perSecond = capacity / Double(limit.periodSeconds)
        return buckets.withLock { buckets in
            let key = "\(org)\u{0}\(limit.name)"
            var bucket = buckets[key] ?? Bucket(tokens: capacity, updated: now)
            bucket.tokens = min(capacity, bucket.tokens + max(0, now - bucket.updated) * perSecond)
            bucket.updated = now
            let allowed = bucket.tokens >= 1
            if allowed { bucket.tokens -= 1 }
            buckets[key] = bucket
            let reset = allowed
                ? (capacity - bucket.tokens) / perSecond
                : (1 - bucket.tokens) / perSecond
            return Decision(
                allowed: allowed, limit: limit.limit, periodSeconds: limit.periodSeconds,
                remaining: Int(bucket.tokens.rounded(.down)), resetSeconds: Int(reset.rounded(.up)), name: limit.name)
        }
    }
}
