import BasinModel

/// The one contract between the query side and record storage (events, service checks, log
/// datasets).
///
/// Implemented by the embedded engine (`EmbeddedRecordStore`) and, later, by ClickHouse; both
/// pass the conformance suite in `BasinTestKit`.
///
/// Semantics every implementation keeps:
/// - ``appendRecords(_:org:dataset:)`` returns only once the records are durable; they are
///   readable by ``scan(_:)`` when it returns.
/// - Records may arrive in any time order and arbitrarily late (inside the retention).
/// - Organisations never see each other's datasets.
/// - Reserved datasets (``ReservedDataset``) exist in every organisation without being created.
public protocol RecordStore: Sendable {
    /// Durably stores records into a dataset that exists (a reserved one, or one created).
    ///
    /// - Throws: ``StorageError`` `notFound` for an unknown dataset; `unavailable` (with a retry
    ///   delay) when the disk is full. Then nothing of the batch is visible.
    func appendRecords(_ records: [Record], org: OrgID, dataset: String) async throws

    /// Evaluates a query over one dataset.
    ///
    /// - Throws: ``StorageError`` `notFound` for an unknown dataset, `badRequest` for an
    ///   expression that cannot be evaluated, `limitExceeded` when the query's limits are passed.
    func scan(_ query: RecordQuery) async throws -> RecordQueryResult

    /// Creates a user dataset.
    ///
    /// - Throws: ``StorageError`` `conflict` when it exists, `badRequest` for a name outside
    ///   ``DatasetName`` rules.
    func createDataset(org: OrgID, _ spec: DatasetSpec) async throws -> DatasetInfo

    /// Every dataset of the organisation (reserved ones included), sorted by name.
    func datasets(org: OrgID) async throws -> [DatasetInfo]

    /// One dataset, or nil.
    func dataset(org: OrgID, name: String) async throws -> DatasetInfo?

    /// Sets a user dataset's description and retention (nil leaves a value as it is).
    func updateDataset(org: OrgID, name: String, description: String?, retentionDays: Int?) async throws -> DatasetInfo

    /// Deletes a user dataset and every record in it; durable on return.
    func deleteDataset(org: OrgID, name: String) async throws

    /// Deletes records older than `beforeNanos` (exclusive); durable on return.
    func trimDataset(org: OrgID, name: String, beforeNanos: Int64) async throws

    /// Record counts, bytes, time range and fields seen in a dataset.
    func datasetStats(org: OrgID, name: String) async throws -> DatasetStats

    /// Figures for self-monitoring.
    func recordStats() async -> RecordStoreStats
}

/// Dataset name rules: 1–128 bytes of ASCII letters, digits, `-`, `_` and `.`, starting with a
/// letter or digit (a leading `_` is kept for reserved datasets).
public enum DatasetName {
    public static let maxBytes = 128

    /// Nil when `name` is valid, else why not.
    public static func problem(_ name: String) -> String? {
        let bytes = Array(name.utf8)
        if bytes.isEmpty { return "dataset name is empty" }
        if bytes.count > maxBytes { return "dataset name is longer than \(maxBytes) bytes" }
        let first = bytes[0]
        let alnum: (UInt8) -> Bool = { (0x30...0x39).contains($0) || (0x41...0x5A).contains($0) || (0x61...0x7A).contains($0) }
        if !alnum(first) { return "dataset name must start with a letter or digit" }
        for b in bytes where !(alnum(b) || b == 0x2D || b == 0x5F || b == 0x2E) {
            return "dataset name may hold only letters, digits, '-', '_' and '.'"
        }
        return nil
    }
}

/// What ``RecordStore/createDataset(org:_:)`` takes.
public struct DatasetSpec: Sendable, Hashable {
    public var name: String
    public var description: String
    /// Records older than this many days are dropped; 0 keeps them for the store's retention.
    public var retentionDays: Int

    public init(name: String, description: String = "", retentionDays: Int = 0) {
        self.name = name
        self.description = description
        self.retentionDays = retentionDays
    }
}

/// A dataset as listed.
public struct DatasetInfo: Sendable, Hashable {
    public var name: String
    public var description: String
    /// Creation time, nanoseconds since the epoch (0 for reserved datasets).
    public var createdNanos: Int64
    public var retentionDays: Int
    /// Whether this is one of the ``ReservedDataset``s.
    public var reserved: Bool

    public init(name: String, description: String, createdNanos: Int64, retentionDays: Int, reserved: Bool) {
        self.name = name
        self.description = description
        self.createdNanos = createdNanos
        self.retentionDays = retentionDays
        self.reserved = reserved
    }
}

/// Contents of one dataset.
public struct DatasetStats: Sendable, Hashable {
    public var records: Int
    /// Bytes on disk (sealed partitions) plus the log's share of records not yet sealed.
    public var bytes: Int
    /// Earliest and latest record time; nil when empty.
    public var minTimeNanos: Int64?
    public var maxTimeNanos: Int64?
    /// Top-level fields seen, with the types seen, sorted by name.
    public var fields: [DatasetFieldInfo]

    public init(records: Int = 0, bytes: Int = 0, minTimeNanos: Int64? = nil, maxTimeNanos: Int64? = nil, fields: [DatasetFieldInfo] = []) {
        self.records = records
        self.bytes = bytes
        self.minTimeNanos = minTimeNanos
        self.maxTimeNanos = maxTimeNanos
        self.fields = fields
    }
}

/// A field seen in a dataset.
public struct DatasetFieldInfo: Sendable, Hashable {
    public var name: String
    /// Types seen, sorted (null included when a record held an explicit null).
    public var types: [FieldType]

    public init(name: String, types: [FieldType]) {
        self.name = name
        self.types = types
    }
}

/// Figures a record store reports for `/metrics`.
public struct RecordStoreStats: Sendable {
    public var headRecords: Int
    public var partitions: Int
    public var partitionBytes: Int
    public var walBytes: Int

    public init(headRecords: Int = 0, partitions: Int = 0, partitionBytes: Int = 0, walBytes: Int = 0) {
        self.headRecords = headRecords
        self.partitions = partitions
        self.partitionBytes = partitionBytes
        self.walBytes = walBytes
    }
}
