import BasinModel
import BasinWire

/// The per-request working state of ``DatadogSeriesV1Decoder`` and ``DatadogSeriesV2Decoder``:
/// scratch buffers reused by every series of one request, so a series costs one label set and a
/// point costs no allocation.
struct DatadogSeriesState {
    /// The two JSON shapes: v1 points are `[ts, value]` and `type` a string; v2 points are
    /// `{"timestamp", "value"}`, `type` an integer and the host a `resources` entry.
    enum Format {
        case v1, v2
    }

    let options: DatadogIntakeOptions
    let format: Format
    var result = DatadogIntakeResult()
    /// Index of the series being decoded, for messages.
    var seriesIndex = 0

    // One series' fields, reset for each series.
    var builder = LabelsBuilder()
    var name: [UInt8] = []
    var host: [UInt8] = []
    var device: [UInt8] = []
    var tag: [UInt8] = []
    /// v2 `unit` (empty when absent).
    var unit: [UInt8] = []
    /// Protobuf only: the metric name or the host as a slice of the body, when it needed no
    /// rewriting or copy; nil means ``name`` / ``host`` hold it. Valid while the body is.
    var nameSlice: UnsafeRawBufferPointer?
    var hostSlice: UnsafeRawBufferPointer?
    var hasName = false
    var hasHost = false
    var hasDevice = false
    var hasPoints = false
    var kind = MetricKind.unspecified
    var intervalSeconds: Int64 = 0
    var rejection: String?
    var timestampsMillis: [Int64] = []
    var values: [Double] = []

    init(options: DatadogIntakeOptions, format: Format) {
        self.options = options
        self.format = format
    }

    mutating func reset() {
        builder.reset()
        // `removeAll(keepingCapacity:)` goes through a generic `replaceSubrange`; most of these
        // are already empty.
        if !name.isEmpty { name.removeAll(keepingCapacity: true) }
        if !host.isEmpty { host.removeAll(keepingCapacity: true) }
        if !device.isEmpty { device.removeAll(keepingCapacity: true) }
        if !unit.isEmpty { unit.removeAll(keepingCapacity: true) }
        nameSlice = nil
        hostSlice = nil
        hasName = false
        hasHost = false
        hasDevice = false
        hasPoints = false
        kind = .unspecified
        intervalSeconds = 0
        rejection = nil
        if !timestampsMillis.isEmpty { timestampsMillis.removeAll(keepingCapacity: true) }
        if !values.isEmpty { values.removeAll(keepingCapacity: true) }
    }

    /// Decodes one element of `series` and, when valid, appends it to `batch`.
    mutating func decodeSeries(_ scanner: inout JSONScanner, into batch: inout MetricBatch) throws(WireError) {
        reset()
        scanner.skipWhitespace()
        let start = scanner.position
        try scanner.readObjectStart()
        var first = true
        while try scanner.readNextObjectMember(isFirst: &first) {
            let key = try scanner.readKey()
            try decodeMember(key, &scanner)
        }
        guard hasName else {
            throw WireError(.missingField, "missing required field \"metric\" in the series starting", offset: start)
        }
        guard hasPoints else {
            throw WireError(.missingField, "missing required field \"points\" in the series starting", offset: start)
        }
        finishSeries(into: &batch)
        seriesIndex += 1
    }

    private mutating func decodeMember(_ key: UnsafeRawBufferPointer, _ scanner: inout JSONScanner) throws(WireError) {
        switch key.count {
        case 6 where ByteText.equals(key, "points"):
            if format == .v1 { try decodePoints(&scanner) } else { try decodePointsV2(&scanner) }
        case 4 where ByteText.equals(key, "tags"):
            try decodeTags(&scanner)
        case 6 where ByteText.equals(key, "metric"):
            try decodeName(&scanner)
        case 4 where ByteText.equals(key, "host"):
            try decodeOptionalValue(&scanner, field: .host)
        case 6 where ByteText.equals(key, "device"):
            try decodeOptionalValue(&scanner, field: .device)
        case 4 where ByteText.equals(key, "type"):
            if format == .v1 { try decodeType(&scanner) } else { try decodeTypeV2(&scanner) }
        case 9 where format == .v2 && ByteText.equals(key, "resources"):
            try decodeResources(&scanner)
        case 8 where ByteText.equals(key, "interval"):
            try decodeInterval(&scanner)
        case 4 where format == .v2 && ByteText.equals(key, "unit"):
            try decodeUnit(&scanner)
        default:
            try scanner.skipValue()
        }
    }

    // MARK: Completion

    mutating func reject(_ reason: String) {
        if rejection == nil { rejection = reason }
    }

    mutating func rejectLabelCount() {
        let limit = options.limits.maxLabelsPerSeries
        reject("more than \(limit) labels (metric name, host and device included) exceeds the limit of \(limit) labels per series (maxLabelsPerSeries)")
    }

    mutating func finishSeries(into batch: inout MetricBatch) {
        if builder.count + (hasHost ? 1 : 0) + (hasDevice ? 1 : 0) + 1 > options.limits.maxLabelsPerSeries {
            rejectLabelCount()
        }
        if let rejection {
            result.rejected += values.count
            result.rejectedSeries += 1
            if result.errors.count < options.limits.maxErrorMessages {
                let metric = nameSlice.map { String(decoding: $0, as: UTF8.self) } ?? String(decoding: name, as: UTF8.self)
                result.errors.append("series[\(seriesIndex)] (metric \"\(metric)\"): \(rejection)")
            }
            return
        }
        guard !values.isEmpty else { return }
        // Fields are added last so they win over same-named tags.
        if hasDevice { device.withUnsafeBytes { builder.add(name: Self.bytes("device"), value: $0) } }
        if hasHost {
            if let hostSlice {
                builder.add(name: Self.bytes("host"), value: hostSlice)
            } else {
                host.withUnsafeBytes { builder.add(name: Self.bytes("host"), value: $0) }
            }
        }
        if let nameSlice {
            builder.add(name: Self.bytes("__name__"), value: nameSlice)
        } else {
            name.withUnsafeBytes { builder.add(name: Self.bytes("__name__"), value: $0) }
        }
        let slot = batch.beginSeries(builder, kind: kind)
        for i in 0..<values.count {
            batch.append(seriesSlot: slot, timestampMillis: timestampsMillis[i], value: values[i])
        }
        result.accepted += values.count
        result.intervalsSeconds.append(intervalSeconds)
        result.units.append(unit.isEmpty ? "" : String(decoding: unit, as: UTF8.self))
    }

    /// A label name as bytes, from constant data: no array, no lazy global to check.
    @inline(__always)
    static func bytes(_ text: StaticString) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount)
    }

    static let nameKey: [UInt8] = Array(Labels.metricNameKey.utf8)
    static let hostKey: [UInt8] = Array("host".utf8)
    static let deviceKey: [UInt8] = Array("device".utf8)
}
