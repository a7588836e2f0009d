import BasinModel

/// What one ingest request decoded into: the records to store, the events that failed, and the
/// bytes processed, as Axiom's `IngestStatus` reports them (spec §5.4).
public struct AxiomIngestBatch: Sendable, Equatable {
    /// The accepted events, in request order.
    public var records: [Record]
    /// One entry per rejected event, in request order.
    public var failures: [AxiomIngestFailure]
    /// The uncompressed body length plus the byte length of the `X-Axiom-Event-Labels` value.
    public var processedBytes: Int

    public init(records: [Record] = [], failures: [AxiomIngestFailure] = [], processedBytes: Int = 0) {
        self.records = records
        self.failures = failures
        self.processedBytes = processedBytes
    }
}

/// One rejected event: `{"timestamp": RFC3339, "error": string}` in `IngestStatus.failures`.
public struct AxiomIngestFailure: Sendable, Equatable {
    /// The event's time, or the receive time when the event's own could not be read (RFC 3339, UTC).
    public var timestamp: String?
    /// Why the event was rejected.
    public var error: String

    public init(timestamp: String?, error: String) {
        self.timestamp = timestamp
        self.error = error
    }
}
