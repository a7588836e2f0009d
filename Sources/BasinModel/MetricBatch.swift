/// A batch of samples decoded from one request, in columns.
///
/// Decoders call ``beginSeries(_:kind:)`` once per series and ``append(seriesSlot:timestampMillis:value:)``
/// once per point, so a request costs three array appends per sample and a copy of the label
/// bytes per series, never an object per sample.
///
/// The label sets of all series live back to back in one buffer, ``labelBytes``, each in the
/// ``Labels`` encoding: registering a series from a ``LabelsBuilder`` allocates nothing once
/// the buffer has grown, and storage finds a series from these bytes without building a
/// ``Labels`` value for it. The same batch is what the write-ahead log persists.
public struct MetricBatch: Sendable {
    /// The label sets of all series, back to back in the ``Labels`` encoding.
    public var labelBytes: ByteColumn { _labelBytes }
    @usableFromInline var _labelBytes = ByteColumn()
    /// For each series, where its label set ends in ``labelBytes`` (it starts where the
    /// previous one ends).
    @usableFromInline var _labelEnds: [Int] = []
    /// The kind of each series.
    public var kinds: [MetricKind] { _kinds }
    @usableFromInline var _kinds: [MetricKind] = []
    /// For each sample, its series' slot (an index into ``kinds``, and for ``labels(at:)``).
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
    /// Number of series slots registered.
    @inlinable
    public var seriesCount: Int { _labelEnds.count }

    /// Where the label set of series `slot` lies in ``labelBytes``.
    @inlinable
    public func labelRange(at slot: Int) -> Range<Int> {
        (slot == 0 ? 0 : _labelEnds[slot - 1])..<_labelEnds[slot]
    }

    /// The label set of series `slot` (allocates: hot paths read ``labelBytes`` instead).
    public func labels(at slot: Int) -> Labels {
        Labels(uncheckedBytes: _labelBytes[labelRange(at: slot)])
    }

    /// Every series' label set in slot order (allocates one per series: for tests and cold paths).
    public var series: [Labels] {
        (0..<seriesCount).map { labels(at: $0) }
    }

    /// Registers a series and returns the slot to pass to ``append(seriesSlot:timestampMillis:value:)``.
    ///
    /// Registering the same labels twice gives two slots; storage resolves them to one series.
    @inlinable
    public mutating func beginSeries(_ labels: Labels, kind: MetricKind) -> UInt32 {
        labels.bytes.withUnsafeBytes { _labelBytes.append($0) }
        return endSeries(kind: kind)
    }

    /// Registers the series whose labels `builder` holds (sorted and deduplicated as
    /// ``LabelsBuilder/build()`` would), copying the encoding without allocating a ``Labels``.
    @inlinable
    public mutating func beginSeries(_ builder: LabelsBuilder, kind: MetricKind) -> UInt32 {
        builder.appendEncoding(to: &_labelBytes)
        return endSeries(kind: kind)
    }

    /// Registers a series from bytes already in the canonical ``Labels`` encoding (sorted,
    /// unique names); the caller guarantees the layout, as with ``Labels/init(uncheckedBytes:)``.
    @inlinable
    public mutating func beginSeries(encodedLabels: UnsafeRawBufferPointer, kind: MetricKind) -> UInt32 {
        _labelBytes.append(encodedLabels)
        return endSeries(kind: kind)
    }

    @inlinable
    mutating func endSeries(kind: MetricKind) -> UInt32 {
        _labelEnds.append(_labelBytes.count)
        _kinds.append(kind)
        return UInt32(truncatingIfNeeded: _labelEnds.count &- 1)
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

    /// Appends one sample, registering the series whose labels `builder` holds.
    @inlinable
    public mutating func append(_ builder: LabelsBuilder, kind: MetricKind, timestampMillis: Int64, value: Double) {
        let slot = beginSeries(builder, kind: kind)
        append(seriesSlot: slot, timestampMillis: timestampMillis, value: value)
    }

    /// Makes room for `series` series and `samples` samples in all (and `labelBytes` bytes of
    /// label sets, when known), so a decoder that knows (or can cheaply count) what a request
    /// holds appends without regrowing the columns.
    public mutating func reserveCapacity(series: Int, samples: Int, labelBytes: Int = 0) {
        _labelEnds.reserveCapacity(series)
        _kinds.reserveCapacity(series)
        if labelBytes > 0 { _labelBytes.reserveCapacity(labelBytes) }
        _seriesSlots.reserveCapacity(samples)
        _timestampsMillis.reserveCapacity(samples)
        _values.reserveCapacity(samples)
    }

    /// Removes series registered since `seriesCount` and samples since `sampleCount`.
    ///
    /// Lets a decoder drop a series that turned out invalid halfway through, keeping the rest.
    public mutating func truncate(seriesCount: Int, sampleCount: Int) {
        if self.seriesCount > seriesCount {
            let end = seriesCount == 0 ? 0 : _labelEnds[seriesCount - 1]
            _labelBytes.removeLast(_labelBytes.count - end)
            _labelEnds.removeLast(_labelEnds.count - seriesCount)
            _kinds.removeLast(_kinds.count - seriesCount)
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
        _labelBytes.removeAll()
        _labelEnds.removeAll(keepingCapacity: true)
        _kinds.removeAll(keepingCapacity: true)
        _seriesSlots.removeAll(keepingCapacity: true)
        _timestampsMillis.removeAll(keepingCapacity: true)
        _values.removeAll(keepingCapacity: true)
    }
}

extension MetricBatch {
    /// The metric name (`__name__`) of series `slot`, read from the encoded bytes without
    /// building its ``Labels``; nil when the set has none.
    public func metricName(at slot: Int) -> String? {
        let range = labelRange(at: slot)
        return _labelBytes.withUnsafeBytes { all in
            Labels.value(of: Labels.metricNameKey, in: UnsafeRawBufferPointer(rebasing: all[range])).map { String(decoding: $0, as: UTF8.self) }
        }
    }
}
