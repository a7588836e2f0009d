import BasinModel

/// The one contract between the query side and metric storage.
///
/// Implemented by the embedded engine (`StorageEngine`) and, later, by ClickHouse
/// (`StorageClickHouse`); both pass the same conformance suite in `BasinTestKit`. Queries and
/// dialects only ever see this protocol.
///
/// Semantics every implementation keeps:
/// - ``append(_:org:)`` returns only once the batch is durable (for the embedded engine: in the
///   write-ahead log and fsynced). A batch is all-or-nothing at this level; dialects filter
///   invalid samples before calling it.
/// - A repeated (series, timestamp) keeps the last value written. Samples may arrive in any
///   order and arbitrarily late.
/// - Organisations never see each other's series.
public protocol MetricStore: Sendable {
    /// Durably stores a batch for one organisation.
    ///
    /// - Parameters:
    ///   - batch: the samples; may be empty (then nothing is written and the call returns at once).
    ///   - org: the owning organisation.
    /// - Throws: ``StorageError`` when the batch could not be made durable; then nothing of it is visible.
    func append(_ batch: MetricBatch, org: OrgID) async throws

    /// The samples of every series that matches all `matchers`, within `[startMillis, endMillis]` (inclusive).
    ///
    /// Series with no sample in the range are omitted. Samples come sorted by time with unique timestamps.
    /// - Throws: ``StorageError`` with kind `limitExceeded` when more than `limits` allow would be read.
    func select(_ request: SelectRequest) async throws -> [SeriesSamples]

    /// Per-window aggregates of every series matching the request's matchers, sorted by labels;
    /// series with no sample in any window are omitted.
    ///
    /// The query path's pushdown: a store computes the aggregates while it reads, so a query over
    /// many series never holds all their raw samples at once. A default implementation (built
    /// on ``select(_:)``) exists for stores that do not stream.
    /// - Throws: ``StorageError`` with kind `limitExceeded` when more than the limits allow would be read.
    func selectWindows(_ request: WindowSelectRequest) async throws -> [SeriesWindows]

    /// The label sets of series matching any of `matcherSets` with samples in the range (all series when empty).
    func series(org: OrgID, matcherSets: [[LabelMatcher]], startMillis: Int64, endMillis: Int64) async throws -> [Labels]

    /// Sorted, unique label names of series matching any of `matcherSets` (all series when empty).
    func labelNames(org: OrgID, matcherSets: [[LabelMatcher]], startMillis: Int64, endMillis: Int64) async throws -> [String]

    /// Sorted, unique values of label `name` over series matching any of `matcherSets` (all series when empty).
    func labelValues(
        org: OrgID, name: String, matcherSets: [[LabelMatcher]], startMillis: Int64, endMillis: Int64
    ) async throws -> [String]

    /// Deletes the samples within `[startMillis, endMillis]` of every series matching all
    /// `matchers` (Prometheus' `delete_series`); returns once the deletion is durable.
    ///
    /// Samples written after the call returns are not affected. A series left without samples
    /// disappears from ``series(org:matcherSets:startMillis:endMillis:)`` and the label APIs.
    /// - Throws: ``StorageError`` `badRequest` for an empty matcher list.
    func deleteSeries(org: OrgID, matchers: [LabelMatcher], startMillis: Int64, endMillis: Int64) async throws

    /// The kind recorded for each metric name (first writer wins), optionally for one name only.
    func metricKinds(org: OrgID, metricName: String?) async throws -> [String: MetricKind]

    /// Metadata by metric name (only names that have any), optionally for one name only.
    func metricMetadata(org: OrgID, metricName: String?) async throws -> [String: MetricMetadata]

    /// Applies the non-nil fields of `metadata` to a metric name's metadata; durable on return.
    /// - Throws: ``StorageError`` `limitExceeded` for a field over ``MetricMetadata/maxFieldBytes``.
    func updateMetricMetadata(org: OrgID, metricName: String, _ metadata: MetricMetadata) async throws

    /// Applies several metric names' updates at once (one durable write where the store can);
    /// a default implementation applies them one by one.
    func updateMetricMetadata(org: OrgID, _ updates: [String: MetricMetadata]) async throws

    /// Figures for self-monitoring.
    func stats() async -> StoreStats
}

/// What ``MetricStore/select(_:)`` reads.
public struct SelectRequest: Sendable {
    /// The owning organisation.
    public var org: OrgID
    /// All must match (an empty list matches nothing, as in Prometheus).
    public var matchers: [LabelMatcher]
    /// Inclusive lower bound, milliseconds.
    public var startMillis: Int64
    /// Inclusive upper bound, milliseconds.
    public var endMillis: Int64
    /// Read at most this many series (`limitExceeded` beyond).
    public var maxSeries: Int
    /// Read at most this many samples in total (`limitExceeded` beyond).
    public var maxSamples: Int
    /// Whether samples older than their metric's ``MetricMetadata/ttlSeconds`` are left out
    /// (see ``MetricExpiry``). On by default; Blueflood's roll-up views turn it off because
    /// each granularity keeps its own, longer retention.
    public var honoursExpiry: Bool

    public init(
        org: OrgID, matchers: [LabelMatcher], startMillis: Int64, endMillis: Int64,
        maxSeries: Int = 1_000_000, maxSamples: Int = 50_000_000, honoursExpiry: Bool = true
    ) {
        self.org = org
        self.matchers = matchers
        self.startMillis = startMillis
        self.endMillis = endMillis
        self.maxSeries = maxSeries
        self.maxSamples = maxSamples
        self.honoursExpiry = honoursExpiry
    }
}

/// One series and its samples in a time range, sorted by time.
public struct SeriesSamples: Sendable {
    public var labels: Labels
    public var kind: MetricKind
    public var timestampsMillis: [Int64]
    public var values: [Double]

    public init(labels: Labels, kind: MetricKind, timestampsMillis: [Int64], values: [Double]) {
        self.labels = labels
        self.kind = kind
        self.timestampsMillis = timestampsMillis
        self.values = values
    }
}

/// Figures a store reports for `/metrics`.
public struct StoreStats: Sendable {
    /// Series held in the in-memory head.
    public var headSeries: Int
    /// Samples held in the in-memory head.
    public var headSamples: Int
    /// Bytes in the write-ahead log on disk.
    public var walBytes: Int
    /// Blocks on disk.
    public var blocks: Int
    /// Bytes of all blocks on disk.
    public var blockBytes: Int
    /// Samples held in blocks (a sample rewritten after a block was cut counts twice until compaction).
    public var blockSamples: Int

    public init(headSeries: Int = 0, headSamples: Int = 0, walBytes: Int = 0, blocks: Int = 0, blockBytes: Int = 0, blockSamples: Int = 0) {
        self.headSeries = headSeries
        self.headSamples = headSamples
        self.walBytes = walBytes
        self.blocks = blocks
        self.blockBytes = blockBytes
        self.blockSamples = blockSamples
    }
}
