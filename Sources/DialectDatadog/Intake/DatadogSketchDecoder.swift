import BasinModel
import BasinWire
import NIOCore

/// Decodes `POST /api/beta/sketches` and `/api/v1/sketches` (the Agent's protobuf
/// `SketchPayload`, ``DatadogProtobufSchema``; spec §3.4) into the distribution layout of
/// ``DatadogDistributionDecoder``, so Agent distributions are stored and queried exactly like
/// `distribution_points`.
///
/// Each `Sketch` is one series: `metric`, `host` and `tags` map to labels as on
/// `/api/v1/series` (same limits, same rewriting). Each `Dogsketch` is one point at `ts`
/// (seconds; ≤ 0 means now; outside the window dropped): `cnt`, `sum`, `min`, `max` become the
/// `count`/`sum`/`min`/`max` series, and every bin `k[i]` with `n[i] > 0` adds `n[i]` to the
/// `bin` series with `dd_bin = k[i]`. The Agent's bin mapping is the one
/// ``DatadogDistributionSketch`` uses (γ = 1.015625, bias 1338), so keys are stored as sent;
/// keys beyond ±``DatadogDistributionSketch/maxKey`` (the Agent's ±∞ bins) are clamped to it.
/// Dogsketches of one series at the same second are merged. `avg` and the legacy GK
/// `distributions` are ignored.
///
/// Whole-request errors (`400`): malformed protobuf, a sketch without `metric`, invalid UTF-8,
/// `k` and `n` of different lengths, more than ``DatadogRecordLimits/maxValuesPerPoint`` bins in
/// one dogsketch, a timestamp out of range. A dogsketch with `cnt ≤ 0` (or over 2^32) or non-finite
/// `min`/`max`/`sum` is dropped and counted (as `cnt` values). Limit breaches of one sketch
/// (labels) reject that sketch only.
public struct DatadogSketchDecoder: Sendable {
    /// Label limits, window, receipt time.
    public var options: DatadogIntakeOptions
    /// Bins per dogsketch (``DatadogRecordLimits/maxValuesPerPoint``).
    public var limits: DatadogRecordLimits

    /// Creates a decoder.
    public init(options: DatadogIntakeOptions, limits: DatadogRecordLimits = DatadogRecordLimits()) {
        self.options = options
        self.limits = limits
    }

    /// Decodes the readable bytes of `body`, appending to `batch` (left as it was on a throw).
    public func decode(_ body: ByteBuffer, into batch: inout MetricBatch) throws(WireError) -> DatadogIntakeResult {
        var outcome: Result<DatadogIntakeResult, WireError> = .success(DatadogIntakeResult())
        body.withUnsafeReadableBytes { raw in
            do throws(WireError) { outcome = .success(try decode(raw, into: &batch)) } catch { outcome = .failure(error) }
        }
        return try outcome.get()
    }

    /// Decodes raw bytes (only read during the call), appending to `batch` (left as it was on a throw).
    ///
    /// - Returns: `accepted` counts the values (sum of `cnt`) stored.
    public func decode(_ bytes: UnsafeRawBufferPointer, into batch: inout MetricBatch) throws(WireError) -> DatadogIntakeResult {
        let seriesBefore = batch.seriesCount
        let samplesBefore = batch.sampleCount
        var state = DatadogDistributionState(options: options, limits: limits)
        do throws(WireError) {
            try DatadogProtobufSchema.refuseCompressed(bytes)
            var reader = ProtobufReader(bytes)
            while let (field, wireType) = try reader.readTag() {
                guard field == DatadogProtobufSchema.SketchPayload.sketches, wireType == .lengthDelimited else {
                    try reader.skip(wireType)
                    continue
                }
                let index = state.seriesIndex
                let (message, offset) = try reader.readLengthDelimited()
                do throws(WireError) {
                    try state.decodeSketch(message, offset: offset, into: &batch)
                } catch {
                    throw error.withContext("sketches[\(index)]")
                }
                state.seriesIndex += 1
            }
        } catch {
            batch.truncate(seriesCount: seriesBefore, sampleCount: samplesBefore)
            throw error
        }
        return state.result
    }
}

extension DatadogDistributionState {
    /// One `Sketch`: labels through the series state, dogsketches into `sketches`, then the
    /// same completion as a `distribution_points` series.
    mutating func decodeSketch(_ message: UnsafeRawBufferPointer, offset: Int, into batch: inout MetricBatch) throws(WireError) {
        series.reset()
        sketches.removeAll(keepingCapacity: true)
        typealias F = DatadogProtobufSchema.Sketch
        var reader = ProtobufReader(message, baseOffset: offset)
        var index = 0
        while let (field, wireType) = try reader.readTag() {
            switch (field, wireType) {
            case (F.metric, .lengthDelimited):
                let (raw, at) = try reader.readLengthDelimited()
                try DatadogSeriesState.requireUTF8(raw, at: at, field: "metric")
                try series.setName(raw, offset: at)
            case (F.host, .lengthDelimited):
                let (raw, at) = try reader.readLengthDelimited()
                try DatadogSeriesState.requireUTF8(raw, at: at, field: "host")
                if raw.count > 0 { series.setValue(.host, raw) } else { series.hasHost = false }
            case (F.tags, .lengthDelimited):
                let (raw, at) = try reader.readLengthDelimited()
                try DatadogSeriesState.requireUTF8(raw, at: at, field: "tags")
                if series.rejection == nil { series.addTag(raw) }
            case (F.dogsketches, .lengthDelimited):
                let (raw, at) = try reader.readLengthDelimited()
                do throws(WireError) {
                    try decodeDogsketch(raw, offset: at)
                } catch {
                    throw error.withContext("dogsketches[\(index)]")
                }
                index += 1
            default:
                try reader.skip(wireType)
            }
        }
        guard series.hasName else {
            throw WireError(.missingField, "missing required field \"metric\" in the sketch starting", offset: offset)
        }
        series.hasPoints = true
        finish(into: &batch)
    }

    /// One `Dogsketch` merged into `sketches` at its second.
    mutating func decodeDogsketch(_ message: UnsafeRawBufferPointer, offset: Int) throws(WireError) {
        typealias F = DatadogProtobufSchema.Dogsketch
        var reader = ProtobufReader(message, baseOffset: offset)
        var seconds: Int64 = 0
        var sketch = DatadogDistributionSketch()
        sketch.min = 0
        sketch.max = 0
        var keys: [Int32] = []
        var counts: [UInt32] = []
        while let (field, wireType) = try reader.readTag() {
            switch (field, wireType) {
            case (F.ts, .varint): seconds = try reader.readInt64()
            case (F.cnt, .varint): sketch.count = try reader.readInt64()
            case (F.min, .fixed64): sketch.min = try reader.readDouble()
            case (F.max, .fixed64): sketch.max = try reader.readDouble()
            case (F.sum, .fixed64): sketch.sum = try reader.readDouble()
            case (F.k, .lengthDelimited):
                let (packed, at) = try reader.readLengthDelimited()
                var inner = ProtobufReader(packed, baseOffset: at)
                while !inner.isAtEnd {
                    keys.append(Self.clampKey(try inner.readSignedVarint()))
                    try checkBins(keys.count, offset: at)
                }
            case (F.k, .varint):
                keys.append(Self.clampKey(try reader.readSignedVarint()))
                try checkBins(keys.count, offset: offset)
            case (F.n, .lengthDelimited):
                let (packed, at) = try reader.readLengthDelimited()
                var inner = ProtobufReader(packed, baseOffset: at)
                while !inner.isAtEnd {
                    counts.append(UInt32(truncatingIfNeeded: try inner.readVarint()))
                    try checkBins(counts.count, offset: at)
                }
            case (F.n, .varint):
                counts.append(UInt32(truncatingIfNeeded: try reader.readVarint()))
                try checkBins(counts.count, offset: offset)
            default:
                try reader.skip(wireType)
            }
        }
        guard keys.count == counts.count else {
            throw WireError(.typeMismatch, "k has \(keys.count) bin keys but n has \(counts.count) counts", offset: offset)
        }
        let (product, overflow) = seconds.multipliedReportingOverflow(by: 1000)
        guard !overflow else { throw WireError(.invalidNumber, "timestamp out of range", offset: offset) }
        var millis = product
        if millis <= 0 { millis = options.nowMillis }
        let values = Int(Swift.min(Swift.max(sketch.count, 0), Self.maxCount))
        guard sketch.count > 0, sketch.count <= Self.maxCount, sketch.min.isFinite, sketch.max.isFinite, sketch.sum.isFinite, inWindow(millis) else {
            result.dropped += values
            return
        }
        for (key, n) in zip(keys, counts) where n > 0 {
            sketch.bins[key, default: 0] += Int64(n)
        }
        sketches[millis, default: DatadogDistributionSketch()].merge(sketch)
    }

    /// Largest `cnt` kept (2^32 values in one flush); larger ones are dropped so sums cannot overflow.
    static let maxCount: Int64 = 1 << 32

    private func checkBins(_ count: Int, offset: Int) throws(WireError) {
        guard count > limits.maxValuesPerPoint else { return }
        throw WireError(.limitExceeded, "more than \(limits.maxValuesPerPoint) bins in one dogsketch exceeds the limit of \(limits.maxValuesPerPoint) (maxValuesPerPoint)", offset: offset)
    }

    /// Keys as the Agent sends them, within the range ``DatadogDistributionSketch`` reads back.
    static func clampKey(_ raw: Int64) -> Int32 {
        let limit = Int64(DatadogDistributionSketch.maxKey)
        return Int32(Swift.min(Swift.max(raw, -limit), limit))
    }
}
