import BasinModel
import BasinWire

/// What the datapoint decoders write into: accepted points as a ``MetricBatch``, dropped ones
/// as counts per ``SignalFxDropReason``.
///
/// Both decoders (JSON and protobuf) drive the same three calls per point, so the limits and
/// the invalid-point policy of spec §3.5 live in one place: ``beginPoint()``, then
/// ``addDimension(key:value:)`` per dimension, then ``endPoint(metric:type:timestampMillis:value:)``.
/// A point that breaks a limit is dropped and counted; the rest of the request is kept.
public struct SignalFxDatapointBatch: Sendable {
    /// The accepted points: metric name as `__name__`, dimensions as labels (dots kept).
    public private(set) var metrics = MetricBatch()
    /// Accepted metric names, for metadata.
    public private(set) var metricNames: Set<String> = []
    /// Dropped points by reason.
    public private(set) var dropped: [SignalFxDropReason: Int] = [:]
    /// The first dropped point's reason and metric name (as far as known), for the log.
    public private(set) var firstDrop: (reason: SignalFxDropReason, metric: String)?
    /// The limits applied.
    public let limits: SignalFxIntakeLimits
    /// The receipt time: points without a positive timestamp get it.
    public let nowMillis: Int64

    var labels = LabelsBuilder()
    var dimensionCount = 0
    var pointDrop: SignalFxDropReason?
    /// Whether ``addMetricName(_:)`` already added the current point's `__name__`.
    var metricNameAdded = false
    /// The accepted metric names as bytes: a name already in ``metricNames`` costs one hash,
    /// no `String`.
    var knownNames = ByteStringTable()
    /// Recently accepted names, checked before ``knownNames`` (most points repeat one).
    var recentNames = RecentNames()

    /// Creates an empty batch.
    public init(limits: SignalFxIntakeLimits = SignalFxIntakeLimits(), nowMillis: Int64) {
        self.limits = limits
        self.nowMillis = nowMillis
    }

    /// The number of accepted points.
    public var acceptedCount: Int { metrics.sampleCount }
    /// The number of dropped points.
    public var droppedCount: Int { dropped.values.reduce(0, +) }

    /// Sizes the accepted-point columns for `points` more points, and the label sets for
    /// `labelBytes` more bytes when known (a decoder that can count them first saves their
    /// regrowth; the counts are hints, not limits).
    public mutating func reserveCapacity(points: Int, labelBytes: Int = 0) {
        metrics.reserveCapacity(
            series: metrics.seriesCount + points, samples: metrics.sampleCount + points,
            labelBytes: labelBytes > 0 ? metrics.labelBytes.count + labelBytes : 0)
    }

    /// Starts a point: forgets the previous point's dimensions.
    public mutating func beginPoint() {
        labels.reset()
        dimensionCount = 0
        pointDrop = nil
        metricNameAdded = false
    }

    /// Adds the current point's metric name as `__name__` before its dimensions, optionally.
    ///
    /// A decoder that reads the name before the dimensions (protobuf field order) calls this
    /// when it does: `__name__` sorts before lowercase keys, so dimensions that arrive sorted
    /// keep the label set in order and ``endPoint(metric:type:timestampMillis:value:)`` copies
    /// it as one run instead of moving the name into place. The name is checked there as
    /// always; `metric` must be the name passed to it. A second call for the same point (a
    /// repeated `metric` field) leaves the name to `endPoint`, whose addition wins.
    public mutating func addMetricName(_ metric: UnsafeRawBufferPointer) {
        if labels.count == 0 {
            labels.add(name: Labels.metricNameKeyBytes, value: metric)
            metricNameAdded = true
        } else {
            metricNameAdded = false
        }
    }

    /// Marks the current point as invalid; the first reason is the one counted.
    public mutating func invalidate(_ reason: SignalFxDropReason) {
        if pointDrop == nil { pointDrop = reason }
    }

    /// Adds a dimension of the current point, checking it against the limits.
    ///
    /// An empty value leaves the dimension out (as golib does, and as Prometheus reads an empty
    /// label); an empty or over-long key, a key `__name__` or an over-long value invalidates the
    /// point. Keys are not held to SignalFx's documented character set: `k8s.pod.name` is real
    /// traffic (spec §3.4). The bytes must be valid UTF-8; they are copied.
    @inline(__always)
    public mutating func addDimension(key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer) {
        guard pointDrop == nil, !value.isEmpty else { return }
        dimensionCount += 1
        if dimensionCount > limits.maxDimensions {
            invalidate(.tooManyDimensions)
            return
        }
        guard !key.isEmpty, key.count <= limits.maxDimensionKeyBytes,
              Self.scalarCount(key, atMost: limits.maxDimensionKeyCharacters),
              value.count <= limits.maxDimensionValueBytes,
              Self.scalarCount(value, atMost: limits.maxDimensionValueCharacters),
              !Self.isMetricNameKey(key) else {
            invalidate(.invalidDimension)
            return
        }
        labels.add(name: key, value: value)
    }

    /// Ends the current point: stores it, or counts it as dropped.
    ///
    /// - Parameters:
    ///   - metric: the metric name's UTF-8 bytes; nil when the point had none.
    ///   - type: the metric type; `ENUM` is dropped.
    ///   - timestampMillis: milliseconds since the epoch; nil or ≤ 0 means receipt time.
    ///   - value: the value; nil when the point had none. Non-finite values are dropped.
    public mutating func endPoint(metric: UnsafeRawBufferPointer?, type: SignalFxMetricType, timestampMillis: Int64?, value: Double?) {
        if let reason = pointDrop {
            return drop(reason, metric: metric)
        }
        guard let metric else { return drop(.missingMetric, metric: nil) }
        guard !metric.isEmpty, metric.count <= limits.maxMetricNameBytes,
              Self.scalarCount(metric, atMost: limits.maxMetricNameCharacters) else {
            return drop(.invalidMetric, metric: metric)
        }
        guard let kind = type.kind else { return drop(.unsupportedType, metric: metric) }
        guard let value else { return drop(.missingValue, metric: metric) }
        guard value.isFinite else { return drop(.invalidValue, metric: metric) }
        var time = nowMillis
        if let timestampMillis, timestampMillis > 0 {
            // Nanoseconds must fit in Int64 downstream (year 2262).
            guard timestampMillis <= Int64.max / 1_000_000 else { return drop(.invalidTimestamp, metric: metric) }
            time = timestampMillis
        }
        if !metricNameAdded { labels.add(name: Labels.metricNameKeyBytes, value: metric) }
        metrics.append(labels, kind: kind, timestampMillis: time, value: value)
        if !recentNames.contains(metric) {
            if knownNames.insert(metric).inserted {
                metricNames.insert(String(decoding: metric, as: UTF8.self))
            }
            recentNames.remember(metric)
        }
    }

    /// Counts points that were dropped without being decoded (an array under an unknown type key).
    public mutating func dropUndecoded(_ reason: SignalFxDropReason, count: Int) {
        guard count > 0 else { return }
        dropped[reason, default: 0] += count
        if firstDrop == nil { firstDrop = (reason, "") }
    }

    mutating func drop(_ reason: SignalFxDropReason, metric: UnsafeRawBufferPointer?) {
        dropped[reason, default: 0] += 1
        if firstDrop == nil {
            firstDrop = (reason, metric.map { String(decoding: $0.prefix(256), as: UTF8.self) } ?? "")
        }
    }

    /// The number of Unicode scalars in valid UTF-8 bytes: the bytes that are not continuation bytes.
    static func scalarCount(_ bytes: UnsafeRawBufferPointer) -> Int {
        var count = 0
        for byte in bytes where byte & 0xC0 != 0x80 { count += 1 }
        return count
    }

    /// Whether valid UTF-8 bytes hold at most `limit` Unicode scalars; counts only when the
    /// byte length does not already decide it (a scalar is at least one byte).
    @inline(__always)
    static func scalarCount(_ bytes: UnsafeRawBufferPointer, atMost limit: Int) -> Bool {
        bytes.count <= limit || scalarCount(bytes) <= limit
    }

    /// Whether a dimension key is `__name__`.
    @inline(__always)
    static func isMetricNameKey(_ key: UnsafeRawBufferPointer) -> Bool {
        // "__name__" as a little-endian word.
        key.count == 8 && key.loadUnaligned(as: UInt64.self) == 0x5F5F_656D_616E_5F5F
    }
}

extension SignalFxDatapointBatch {
    /// A direct-mapped cache of accepted metric names in front of ``knownNames``, whose seeded
    /// hash (SipHash, resistant to collision flooding) costs more than the rest of recording a
    /// name. A cheap, unseeded hash picks one of 64 slots; a slot holds one name, and a hit is
    /// confirmed by comparing the bytes. A collision (chosen by a client or not) only evicts,
    /// so the worst case is the cost of the seeded table plus a compare.
    struct RecentNames: Sendable {
        /// For each slot, the start and end of its name in ``arena``; empty when `start == end`.
        var slots: [(start: Int32, end: Int32)] = []
        /// The cached names, back to back; emptied when it outgrows ``maxArenaBytes``.
        var arena: [UInt8] = []

        static let slotCount = 64
        static let maxArenaBytes = 1 << 16

        /// The slot of `bytes`: length, first and last eight bytes, multiplied and shifted.
        @inline(__always)
        static func slot(_ bytes: UnsafeRawBufferPointer) -> Int {
            let count = bytes.count
            var x = UInt64(truncatingIfNeeded: count)
            if count >= 8 {
                let head = bytes.loadUnaligned(as: UInt64.self)
                let tail = bytes.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self)
                x ^= head ^ (tail << 29 | tail >> 35)
            } else if count > 0 {
                x ^= UInt64(bytes[0]) << 8 ^ UInt64(bytes[count >> 1]) << 16 ^ UInt64(bytes[count - 1]) << 24
            }
            return Int(truncatingIfNeeded: (x &* 0x9E37_79B9_7F4A_7C15) >> 58)
        }

        /// Whether `name` is the name cached in its slot.
        @inline(__always)
        func contains(_ name: UnsafeRawBufferPointer) -> Bool {
            guard !slots.isEmpty else { return false }
            let (start, end) = slots[Self.slot(name)]
            let count = Int(end) - Int(start)
            guard count == name.count, count > 0 else { return false }
            return arena.withUnsafeBytes { stored in
                guard let a = stored.baseAddress, let b = name.baseAddress else { return false }
                return ByteText.equal(a + Int(start), b, count: count)
            }
        }

        /// Caches `name` in its slot, evicting the name there.
        mutating func remember(_ name: UnsafeRawBufferPointer) {
            guard !name.isEmpty, name.count <= Self.maxArenaBytes else { return }
            if slots.isEmpty { slots = Array(repeating: (0, 0), count: Self.slotCount) }
            if arena.count + name.count > Self.maxArenaBytes {
                arena.removeAll(keepingCapacity: true)
                for i in slots.indices { slots[i] = (0, 0) }
            }
            let start = Int32(arena.count)
            arena.append(contentsOf: name)
            slots[Self.slot(name)] = (start, Int32(arena.count))
        }
    }
}
