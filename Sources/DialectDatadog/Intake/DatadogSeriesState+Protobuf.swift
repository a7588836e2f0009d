import BasinModel
import BasinWire

extension DatadogSeriesState {
    // MARK: v2 protobuf (`MetricPayload`)

    /// Decodes a whole protobuf `MetricPayload`; on a thrown error `batch` is restored.
    static func decodeProtobuf(_ body: UnsafeRawBufferPointer, options: DatadogIntakeOptions, into batch: inout MetricBatch) throws(WireError) -> DatadogIntakeResult {
        let seriesBefore = batch.series.count
        let samplesBefore = batch.sampleCount
        var state = DatadogSeriesState(options: options, format: .v2)
        do throws(WireError) {
            try DatadogProtobufSchema.refuseCompressed(body)
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
                try setName(raw, offset: at)
            case (F.tags, .lengthDelimited):
                let (raw, at) = try reader.readLengthDelimited()
                try Self.requireUTF8(raw, at: at, field: "tags[\(tagIndex)]")
                tagIndex += 1
                if rejection == nil { addTag(raw) }
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
        case .host where !hasHost: setValue(.host, name)
        case .device where !hasDevice: setValue(.device, name)
        default: break
        }
    }

    /// Protobuf `string` fields must be UTF-8; anything else refuses the request, as invalid
    /// UTF-8 in a JSON string does.
    static func requireUTF8(_ raw: UnsafeRawBufferPointer, at offset: Int, field: String) throws(WireError) {
        guard ProtobufReader.isValidUTF8(raw) else {
            throw WireError(.invalidString, "\(field): invalid UTF-8 in a protobuf string", offset: offset)
        }
    }
}
