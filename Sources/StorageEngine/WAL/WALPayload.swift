import BasinModel

/// What one write-ahead log record carries: the metrics store and the records store each run
/// their own log of this one implementation.
enum WALPayload: Sendable {
    case metrics(MetricBatch)
    case records(RecordLogEntry)
}

/// Records of one dataset, as the records log holds them.
struct RecordLogEntry: Sendable {
    var dataset: String
    /// The dataset's incarnation when written: a dataset deleted and created again gets a new
    /// one, so a replay drops records of the deleted dataset.
    var incarnation: UInt64
    var records: EncodedRecords
}
