import Metrics

/// Self-monitoring counters shared by all dialects, exported at `/metrics`.
///
/// Names: `basin_http_requests_total{dialect,endpoint,status}`,
/// `basin_samples_accepted_total{dialect,endpoint}`, `basin_samples_rejected_total{dialect,endpoint}`.
public struct SelfMetrics: Sendable {
    public init() {}

    /// Counts one request and the status it was answered with.
    public func recordRequest(dialect: String, endpoint: String, status: Int) {
        Counter(
            label: "basin_http_requests_total",
            dimensions: [("dialect", dialect), ("endpoint", endpoint), ("status", String(status))]
        ).increment()
    }

    /// Counts the samples (or records) one request had accepted and rejected.
    public func recordSamples(dialect: String, endpoint: String, accepted: Int, rejected: Int) {
        if accepted > 0 {
            Counter(label: "basin_samples_accepted_total", dimensions: [("dialect", dialect), ("endpoint", endpoint)])
                .increment(by: accepted)
        }
        if rejected > 0 {
            Counter(label: "basin_samples_rejected_total", dimensions: [("dialect", dialect), ("endpoint", endpoint)])
                .increment(by: rejected)
        }
    }
}
