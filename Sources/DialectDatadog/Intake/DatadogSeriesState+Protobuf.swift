import BasinModel
import BasinWire

extension DatadogSeriesState {
    // MARK: v2 protobuf (`MetricPayload`)

    /// Decodes a whole protobuf `MetricPayload`; on a thrown error `batch` is restored.
    static func decodeProtobuf(_ body: UnsafeRawBufferPointer, options: DatadogIntakeOptions, into batch: inout MetricBatch) throws(WireError) -> DatadogIntakeResult {
        let seriesBefore = batch.seriesCount
        let samplesBefore = batch.sampleCount
        var state = DatadogSeriesState(options: options, format: .v2)
        do throws(WireError) {
            try DatadogProtobufSchema.refuseCompressed(body)
            let seriesCount = countSeries(body)
            batch.reserveCapacity(series: seriesBefore + seriesCount, samples: samplesBefore + seriesCount)
            state.result.intervalsSeconds.reserveCapacity(seriesCount)
            state.result.units.reserveCapacity(seriesCount)
            var reader = ProtobufReader(body)
            while let (field, wireType) = try reader.readTag() {
                guard field == DatadogProtobufSchema.MetricPayload.series, wireType == .lengthDelimited else {
                    try reader.skip(wireType)
                    continue
                }
                let index = state.seriesIndex
                let (message, offset) = try reader.readLengthDelimited()
                do throws(WireError) {
                    try state.decodeProtobufSeries(message, offset: offset, into: &batch)
                } catch {
                    throw error.withContext("series[\(index)]")
                }
            }
        } catch {
            batch.truncate(seriesCount: seriesBefore, sampleCount: samplesBefore)
            throw error
        }
        return state.result
    }

    /// The number of `series` fields, counted by skipping them, to size the batch's columns
    /// once (Agent payloads carry about one point per series). Never throws: malformed input
    /// stops the count, and the decoding pass reports it where it is found.
    static func countSeries(_ body: UnsafeRawBufferPointer) -> Int {
        var reader = ProtobufReader(body)
        var count = 0
        do throws(WireError) {
            while let (field, wireType) = try reader.readTag() {
                if field == DatadogProtobufSchema.MetricPayload.series, wireType == .lengthDelimited { count += 1 }
                try reader.skip(wireType)
            }
        } catch {}
        return count
    }

    /// One `MetricSeries`: fields in any order, then the same completion as a JSON series.
    mutating func decodeProtobufSeries(_ message: UnsafeRawBufferPointer, offset: Int, into batch: inout MetricBatch) throws(WireError) {
        reset()
        typealias F = DatadogProtobufSchema.MetricSeries
        var reader = ProtobufReader(message, baseOffset: offset)
        var pointIndex = 0
        var tagIndex = 0
        while let (field, wireType) = try reader.readTag() {
            switch (field, wireType) {
            case (F.metric, .lengthDelimited):
                let (raw, at) = try reader.readLengthDelimited()
                try Self.requireUTF8(raw, at: at, field: "metric")
                try setProtobufName(raw, offset: at)
            case (F.tags, .lengthDelimited):
                let (raw, at) = try reader.readLengthDelimited()
                try addProtobufTag(raw, at: at, index: tagIndex)
                tagIndex += 1
            case (F.points, .lengthDelimited):
                let (raw, at) = try reader.readLengthDelimited()
                do throws(WireError) {
                    try decodeProtobufPoint(raw, offset: at)
                } catch {
                    throw error.withContext("points[\(pointIndex)]")
                }
                pointIndex += 1
            case (F.resources, .lengthDelimited):
                let (raw, at) = try reader.readLengthDelimited()
                try decodeProtobufResource(raw, offset: at)
            case (F.type, .varint):
                // 0 is UNSPECIFIED (older revisions called it GAUGE; both read as a gauge).
                switch try reader.readVarint() {
                case 1: kind = .count
                case 2: kind = .rate
                case 3: kind = .gauge
                default: kind = .unspecified
                }
            case (F.interval, .varint):
                intervalSeconds = max(0, try reader.readInt64())
            case (F.unit, .lengthDelimited):
                let (raw, at) = try reader.readLengthDelimited()
                try Self.requireUTF8(raw, at: at, field: "unit")
                setUnit(raw)
            default:
                try reader.skip(wireType)
            }
        }
        guard hasName else {
            throw WireError(.missingField, "missing required field \"metric\" in the series starting", offset: offset)
        }
        hasPoints = true
        finishSeries(into: &batch)
        seriesIndex += 1
    }

    /// One `MetricPoint`: `value` (double, absent = 0) and `timestamp` (seconds, absent or ≤ 0 = now).
    private mutating func decodeProtobufPoint(_ message: UnsafeRawBufferPointer, offset: Int) throws(WireError) {
        var reader = ProtobufReader(message, baseOffset: offset)
        var value = 0.0
        var seconds: Int64 = 0
        while let (field, wireType) = try reader.readTag() {
            switch (field, wireType) {
            case (DatadogProtobufSchema.MetricPoint.value, .fixed64): value = try reader.readDouble()
            case (DatadogProtobufSchema.MetricPoint.timestamp, .varint): seconds = try reader.readInt64()
            default: try reader.skip(wireType)
            }
        }
        let (millis, overflow) = seconds.multipliedReportingOverflow(by: 1000)
        guard !overflow else { throw WireError(.invalidNumber, "timestamp out of range", offset: offset) }
        appendPoint(timestampMillis: millis, value: value)
    }

    /// One `Resource`: the first `host` and `device` resources become those labels.
    private mutating func decodeProtobufResource(_ message: UnsafeRawBufferPointer, offset: Int) throws(WireError) {
        var reader = ProtobufReader(message, baseOffset: offset)
        var field: ValueField?
        var name: UnsafeRawBufferPointer?
        while let (number, wireType) = try reader.readTag() {
            switch (number, wireType) {
            case (DatadogProtobufSchema.Resource.type, .lengthDelimited):
                let (type, _) = try reader.readLengthDelimited()
                field = ByteText.equals(type, "host") ? .host : ByteText.equals(type, "device") ? .device : nil
            case (DatadogProtobufSchema.Resource.name, .lengthDelimited):
                let (raw, at) = try reader.readLengthDelimited()
                try Self.requireUTF8(raw, at: at, field: "resources.name")
                name = raw
            default:
                try reader.skip(wireType)
            }
        }
        guard let field, let name, name.count > 0 else { return }
        switch field {
        case .host where !hasHost:
            // Kept as a slice of the body when within the limit (`setValue` rejects otherwise).
            if name.count <= options.limits.maxLabelValueBytes {
                hostSlice = name
                hasHost = true
            } else {
                setValue(.host, name)
            }
        case .device where !hasDevice: setValue(.device, name)
        default: break
        }
    }

    /// Protobuf `string` fields must be UTF-8; anything else refuses the request, as invalid
    /// UTF-8 in a JSON string does. The field name is only built for the error.
    @inline(__always)
    static func requireUTF8(_ raw: UnsafeRawBufferPointer, at offset: Int, field: @autoclosure () -> String) throws(WireError) {
        guard ProtobufReader.isValidUTF8(raw) else { throw invalidUTF8(at: offset, field: field()) }
    }

    static func invalidUTF8(at offset: Int, field: String) -> WireError {
        WireError(.invalidString, "\(field): invalid UTF-8 in a protobuf string", offset: offset)
    }

    // MARK: Fast paths (the same outcome as the shared field code, for the usual input)

    /// ``setName(_:offset:)`` for an already validated name: a name that Datadog's rewriting
    /// leaves as it is (ASCII letters, digits, `_`, `.`), within the limit, is copied in one
    /// go instead of byte by byte.
    mutating func setProtobufName(_ raw: UnsafeRawBufferPointer, offset: Int) throws(WireError) {
        guard raw.count > 0, raw.count <= options.limits.maxMetricNameBytes, DatadogProtobufText.isPlainMetricName(raw) else {
            nameSlice = nil
            return try setName(raw, offset: offset)
        }
        nameSlice = raw
        hasName = true
    }

    /// One `tags` entry: UTF-8 validation, then ``addTag(_:)``. A tag that is ASCII, needs no
    /// rewriting and is within every limit (what the Agent sends) is split and added to the
    /// builder here, after one word-at-a-time pass; anything else takes ``addTag(_:)``.
    @inline(__always)
    mutating func addProtobufTag(_ raw: UnsafeRawBufferPointer, at offset: Int, index: Int) throws(WireError) {
        let scan = DatadogProtobufText.scanTag(raw)
        if !scan.isASCII { try Self.requireUTF8(raw, at: offset, field: "tags[\(index)]") }
        guard rejection == nil else { return }
        let limits = options.limits
        if scan.isPlain, scan.colon > 0, builder.count < limits.maxLabelsPerSeries,
           scan.colon <= limits.maxLabelNameBytes, raw.count - scan.colon - 1 <= limits.maxLabelValueBytes,
           let base = raw.baseAddress {
            builder.add(
                name: UnsafeRawBufferPointer(start: base, count: scan.colon),
                value: UnsafeRawBufferPointer(start: base + scan.colon + 1, count: raw.count - scan.colon - 1))
            return
        }
        addTag(raw)
    }
}

/// Word-at-a-time checks of the strings in a `MetricPayload`.
enum DatadogProtobufText {
    static let high: UInt64 = 0x8080_8080_8080_8080
    static let ones: UInt64 = 0x0101_0101_0101_0101

    /// For each byte of `x` (all below 0x80), 0x80 where the byte is at least `c`.
    @inline(__always)
    static func atLeast(_ x: UInt64, _ c: UInt8) -> UInt64 {
        (x &+ ones &* UInt64(0x80 - c)) & high
    }

    /// For each byte of `x` (all below 0x80), 0x80 where the byte is in `lo...hi`.
    @inline(__always)
    static func inRange(_ x: UInt64, _ lo: UInt8, _ hi: UInt8) -> UInt64 {
        atLeast(x, lo) & ~atLeast(x, hi + 1)
    }

    /// For each byte, 0x80 where a tag keeps it as it is among ASCII (`- . / 0-9 :`, `_`, `a-z`:
    /// ``DatadogNaming/tagKept`` below 0x80).
    @inline(__always)
    static func tagKept(_ x: UInt64) -> UInt64 {
        inRange(x, 0x2D, 0x3A) | inRange(x, 0x5F, 0x5F) | inRange(x, 0x61, 0x7A)
    }

    /// For each byte, 0x80 where a metric name keeps it among ASCII (`.`, `0-9`, `A-Z`, `_`,
    /// `a-z`: ``DatadogNaming/metricNameKept`` below 0x80).
    @inline(__always)
    static func metricNameKept(_ x: UInt64) -> UInt64 {
        inRange(x, 0x2E, 0x2E) | inRange(x, 0x30, 0x39) | inRange(x, 0x41, 0x5A) | inRange(x, 0x5F, 0x5F) | inRange(x, 0x61, 0x7A)
    }

    /// The words of `bytes`, eight bytes each; short input is padded with `pad`, and the last
    /// word of longer input overlaps the one before it.
    @inline(__always)
    static func forEachWord(_ bytes: UnsafeRawBufferPointer, pad: UInt8, _ body: (_ word: UInt64, _ offset: Int) -> Void) {
        let count = bytes.count
        guard let base = bytes.baseAddress, count > 0 else { return }
        if count < 8 {
            var word = ones &* UInt64(pad)
            for i in 0..<count {
                word = word & ~(0xFF << UInt64(8 * i)) | UInt64(base.load(fromByteOffset: i, as: UInt8.self)) << UInt64(8 * i)
            }
            body(word, 0)
            return
        }
        var i = 0
        while i + 8 <= count {
            body(UInt64(littleEndian: base.loadUnaligned(fromByteOffset: i, as: UInt64.self)), i)
            i += 8
        }
        if i < count { body(UInt64(littleEndian: base.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self)), count - 8) }
    }

    /// What ``DatadogSeriesState/addProtobufTag(_:at:index:)`` needs to know about a tag, from
    /// one pass: whether it is ASCII, whether it is ASCII that needs no rewriting, and where its
    /// first colon is (-1 when none).
    @inline(__always)
    static func scanTag(_ raw: UnsafeRawBufferPointer) -> (isASCII: Bool, isPlain: Bool, colon: Int) {
        var highBits: UInt64 = 0
        var kept = high
        var colon = -1
        forEachWord(raw, pad: UInt8(ascii: "a")) { word, offset in
            highBits |= word
            let ascii = word & ~(word & high) // keeps the lanes' low bits; high lanes fail below anyway
            kept &= tagKept(ascii)
            if colon < 0 {
                let colons = inRange(ascii, 0x3A, 0x3A)
                if colons != 0 { colon = offset + colons.trailingZeroBitCount / 8 }
            }
        }
        let isASCII = highBits & high == 0
        return (isASCII, isASCII && kept == high, colon)
    }

    /// Whether `raw` is ASCII made only of the bytes a metric name keeps.
    @inline(__always)
    static func isPlainMetricName(_ raw: UnsafeRawBufferPointer) -> Bool {
        var highBits: UInt64 = 0
        var kept = high
        forEachWord(raw, pad: UInt8(ascii: "a")) { word, _ in
            highBits |= word
            kept &= metricNameKept(word & ~high)
        }
        return highBits & high == 0 && kept == high
    }
}
