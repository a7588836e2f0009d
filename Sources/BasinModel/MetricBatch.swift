/// A batch of samples decoded from one request, in columns.
///
/// Decoders call ``beginSeries(_:kind:)`` once per series and ``append(seriesSlot:timestampMillis:value:)``
/// once per point, so a request costs one label set per series and three array appends per sample,
/// never an object per sample. The same batch is what the write-ahead log persists.
public struct MetricBatch: Sendable {
    /// The distinct series in this batch, in first-seen order.
    public var series: [Labels] { _series }
    @usableFromInline var _series: [Labels] = []
    /// The kind of each entry in ``series``.
    public var kinds: [MetricKind] { _kinds }
    @usableFromInline var _kinds: [MetricKind] = []
    /// For each sample, its index into ``series``.
    public var seriesSlots: [UInt32] { _seriesSlots }
    @usableFromInline var _seriesSlots: [UInt32] = []
    /// For each sample, its time in milliseconds since the Unix epoch.
    public var timestampsMillis: [Int64] { _timestampsMillis }
    @usableFromInline var _timestampsMillis: [Int64] = []
    /// For each sample, its value.
    public var values: [Double] { _values }
    @usableFromInline var _values: [Double] = []

    public init() {}

    /// Number of samples.
    public var sampleCount: Int { values.count }
    /// Whether the batch holds no samples.
    public var isEmpty: Bool { values.isEmpty }

    /// Registers a series and returns the slot to pass to ``append(seriesSlot:timestampMillis:value:)``.
    ///
    /// Registering the same labels twice gives two slots; storage resolves them to one series.
    @inlinable
    public mutating func beginSeries(_ labels: Labels, kind: MetricKind) -> UInt32 {
        _series.append(labels)
        _kinds.append(kind)
        return UInt32(_series.count - 1)
    }

    /// Appends one sample of a registered series.
    @inlinable
    public mutating func append(seriesSlot: UInt32, timestampMillis: Int64, value: Double) {
        _seriesSlots.append(seriesSlot)
        _timestampsMillis.append(timestampMillis)
        _values.append(value)
    }

    /// Appends one sample, registering its series.
    @inlinable
    public mutating func append(_ labels: Labels, kind: MetricKind, timestampMillis: Int64, value: Double) {
        let slot = beginSeries(labels, kind: kind)
        append(seriesSlot: slot, timestampMillis: timestampMillis, value: value)
    }

    /// Makes room for `series` series and `samples` samples in all, so a decoder that knows
    /// (or can cheaply count) what a request holds appends without regrowing the columns.
    public mutating func reserveCapacity(series: Int, samples: Int) {
        _series.reserveCapacity(series)
        _kinds.reserveCapacity(series)
        _seriesSlots.reserveCapacity(samples)
        _timestampsMillis.reserveCapacity(samples)
        _values.reserveCapacity(samples)
    }

    /// Removes series registered since `seriesCount` and samples since `sampleCount`.
    ///
    /// Lets a decoder drop a series that turned out invalid halfway through, keeping the rest.
    public mutating func truncate(seriesCount: Int, sampleCount: Int) {
        if series.count > seriesCount {
            _series.removeLast(series.count - seriesCount)
            _kinds.removeLast(kinds.count - seriesCount)
        }
        if values.count > sampleCount {
            let extra = values.count - sampleCount
            _seriesSlots.removeLast(extra)
            _timestampsMillis.removeLast(extra)
            _values.removeLast(extra)
        }
    }

    /// Forgets everything, keeping capacity.
    public mutating func removeAll() {
        _series.removeAll(keepingCapacity: true)
        _kinds.removeAll(keepingCapacity: true)
        _seriesSlots.removeAll(keepingCapacity: true)
        _timestampsMillis.removeAll(keepingCapacity: true)
        _values.removeAll(keepingCapacity: true)
    }
}
