import BasinModel
import BasinWire
import NIOCore

/// Decodes `POST /api/v1/distribution_points` (API reference `DistributionPointsPayload`) into
/// metric series that keep what Datadog's distribution aggregators need.
///
/// Body: `{"series": [{"metric", "points": [[ts, [v1, v2, …]], …], "host", "tags", "device",
/// "type": "distribution", "interval"}]}`. `metric`, `host`, `device` and `tags` map to labels
/// exactly as on `/api/v1/series` (``DatadogSeriesV1Decoder``). Each point carries every raw
/// value seen at `ts` (seconds, integer or fractional); values of the same series and second
/// in one request are merged into one ``DatadogDistributionSketch``.
///
/// Representation in the metric store (one flush = one timestamp; the query side reads it):
/// every series `m{tags}` becomes, all under the metric name `m` with one extra label `dd_dist`:
///
/// | `dd_dist` | kind | value at `ts` |
/// |---|---|---|
/// | `count` | count | number of values |
/// | `sum` | count | sum of the values |
/// | `min` | gauge | smallest value |
/// | `max` | gauge | largest value |
/// | `bin` (+ label `dd_bin` = signed key) | count | values in that bin of the Agent's DDSketch mapping |
///
/// So `count:`/`sum:` are sums of the `count`/`sum` series, `avg:` is sum/count, `min:`/`max:`
/// the extremes of `min`/`max`, and `pXX:` the quantile over the summed bins
/// (``DatadogDistributionSketch/quantile(_:)``), within 1 % relative error. User tags named
/// `dd_dist` or `dd_bin` are dropped. Two requests writing the same series at the same second
/// overwrite each other (the store keeps one sample per series and timestamp); clients flush
/// each series once per interval, so this does not arise in practice.
///
/// Whole-request errors (`400`): those of the series decoder, plus a point that is not
/// `[number, [number…]]` (a scalar second element is the recorded "Bad Request" case) and more
/// than ``DatadogRecordLimits/maxValuesPerPoint`` values in a point. `null` and non-finite values
/// are dropped and counted.
public struct DatadogDistributionDecoder: Sendable {
    /// Label names, window, receipt time.
    public var options: DatadogIntakeOptions
    /// Values per point.
    public var limits: DatadogRecordLimits

    /// The extra label naming the statistic.
    public static let statLabel = "dd_dist"
    /// The extra label naming the bin key of `dd_dist="bin"` series.
    public static let binLabel = "dd_bin"

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

    /// Decodes raw bytes (only read during the call).
    public func decode(_ bytes: UnsafeRawBufferPointer, into batch: inout MetricBatch) throws(WireError) -> DatadogIntakeResult {
        let seriesBefore = batch.seriesCount
        let samplesBefore = batch.sampleCount
        var state = DatadogDistributionState(options: options, limits: limits)
        do throws(WireError) {
            try DatadogJSONFields.withBytes(bytes, maxDepth: options.limits.maxJSONDepth, allowsNonFinite: true) { (scanner: inout JSONScanner) throws(WireError) in
                try state.decodePayload(&scanner, into: &batch)
            }
        } catch {
            batch.truncate(seriesCount: seriesBefore, sampleCount: samplesBefore)
            throw error
        }
        return state.result
    }
}

/// Working state of ``DatadogDistributionDecoder``; labels are read by the series decoder's state.
struct DatadogDistributionState {
    var series: DatadogSeriesState
    let limits: DatadogRecordLimits
    var result = DatadogIntakeResult()
    var sketches: [Int64: DatadogDistributionSketch] = [:]
    var seriesIndex = 0

    init(options: DatadogIntakeOptions, limits: DatadogRecordLimits) {
        series = DatadogSeriesState(options: options, format: .v1)
        self.limits = limits
    }

    var options: DatadogIntakeOptions { series.options }

    mutating func decodePayload(_ scanner: inout JSONScanner, into batch: inout MetricBatch) throws(WireError) {
        do throws(WireError) {
            try scanner.readObjectStart()
        } catch {
            throw error.withContext("payload")
        }
        var first = true
        while try scanner.readNextObjectMember(isFirst: &first) {
            let key = try scanner.readKey()
            guard ByteText.equals(key, "series"), try !scanner.readNull() else {
                try scanner.skipValue()
                continue
            }
            do throws(WireError) {
                try scanner.readArrayStart()
            } catch {
                throw error.withContext("series")
            }
            var firstSeries = true
            while try scanner.readNextArrayElement(isFirst: &firstSeries) {
                let index = seriesIndex
                do throws(WireError) {
                    try decodeSeries(&scanner, into: &batch)
                } catch {
                    throw error.withContext("series[\(index)]")
                }
                seriesIndex += 1
            }
        }
    }

    mutating func decodeSeries(_ scanner: inout JSONScanner, into batch: inout MetricBatch) throws(WireError) {
        series.reset()
        sketches.removeAll(keepingCapacity: true)
        scanner.skipWhitespace()
        let start = scanner.position
        try scanner.readObjectStart()
        var first = true
        while try scanner.readNextObjectMember(isFirst: &first) {
            let key = try scanner.readKey()
            if ByteText.equals(key, "metric") {
                try series.decodeName(&scanner)
            } else if ByteText.equals(key, "points") {
                try decodePoints(&scanner)
            } else if ByteText.equals(key, "tags") {
                try series.decodeTags(&scanner)
            } else if ByteText.equals(key, "host") {
                try series.decodeOptionalValue(&scanner, field: .host)
            } else if ByteText.equals(key, "device") {
                try series.decodeOptionalValue(&scanner, field: .device)
            } else {
                try scanner.skipValue()
            }
        }
        guard series.hasName else {
            throw WireError(.missingField, "missing required field \"metric\" in the series starting", offset: start)
        }
        guard series.hasPoints else {
            throw WireError(.missingField, "missing required field \"points\" in the series starting", offset: start)
        }
        finish(into: &batch)
    }

    mutating func decodePoints(_ scanner: inout JSONScanner) throws(WireError) {
        do throws(WireError) {
            try scanner.readArrayStart()
        } catch {
            throw error.withContext("points")
        }
        series.hasPoints = true
        var first = true
        var index = 0
        while try scanner.readNextArrayElement(isFirst: &first) {
            do throws(WireError) {
                try decodePoint(&scanner)
            } catch {
                throw error.withContext("points[\(index)]")
            }
            index += 1
        }
    }

    /// `[ts, [v…]]`.
    mutating func decodePoint(_ scanner: inout JSONScanner) throws(WireError) {
        scanner.skipWhitespace()
        let start = scanner.position
        try scanner.readArrayStart()
        var first = true
        guard try scanner.readNextArrayElement(isFirst: &first) else {
            throw WireError(.typeMismatch, "a distribution point must be [timestamp, [values]], found []", offset: start)
        }
        let timestamp = try scanner.readDecimal()
        guard try scanner.readNextArrayElement(isFirst: &first) else {
            throw WireError(.typeMismatch, "a distribution point must be [timestamp, [values]], found one element", offset: start)
        }
        guard scanner.peekToken() == .arrayStart else {
            throw WireError(.typeMismatch, "a distribution point must be [timestamp, [values]]: the values must be an array, found \(scanner.peekToken().phrase)", offset: scanner.position)
        }
        guard var millis = timestamp.scaledInt64(byPowerOfTen: 3) else {
            throw WireError(.invalidNumber, "timestamp out of range", offset: start)
        }
        if millis <= 0 { millis = options.nowMillis }
        millis -= millis % 1000   // whole seconds: one sketch per series and second
        var sketch = DatadogDistributionSketch()
        var dropped = 0
        try scanner.readArrayStart()
        var firstValue = true
        var values = 0
        while try scanner.readNextArrayElement(isFirst: &firstValue) {
            values += 1
            if values > limits.maxValuesPerPoint {
                throw WireError(.limitExceeded, "more than \(limits.maxValuesPerPoint) values in one point exceeds the limit of \(limits.maxValuesPerPoint) (maxValuesPerPoint)", offset: scanner.position)
            }
            if let value = try scanner.readDoubleOrNull(), value.isFinite {
                sketch.add(value)
            } else {
                dropped += 1
            }
        }
        if try scanner.readNextArrayElement(isFirst: &first) {
            throw WireError(.typeMismatch, "a distribution point must be [timestamp, [values]], found more than two elements", offset: start)
        }
        if !inWindow(millis) {
            result.dropped += values
            return
        }
        result.dropped += dropped
        guard sketch.count > 0 else { return }
        sketches[millis, default: DatadogDistributionSketch()].merge(sketch)
    }

    func inWindow(_ millis: Int64) -> Bool {
        if let past = options.maxPastMillis, millis < options.nowMillis - past { return false }
        if let future = options.maxFutureMillis, millis > options.nowMillis + future { return false }
        return true
    }

    mutating func finish(into batch: inout MetricBatch) {
        let values = sketches.values.reduce(Int64(0)) { $0 + $1.count }
        let extra = (series.hasHost ? 1 : 0) + (series.hasDevice ? 1 : 0) + 1 + 2
        if series.builder.count + extra > options.limits.maxLabelsPerSeries { series.rejectLabelCount() }
        if let rejection = series.rejection {
            result.rejected += Int(values)
            result.rejectedSeries += 1
            if result.errors.count < options.limits.maxErrorMessages {
                result.errors.append("series[\(seriesIndex)] (metric \"\(String(decoding: series.name, as: UTF8.self))\"): \(rejection)")
            }
            return
        }
        guard values > 0 else { return }
        if series.hasDevice { series.builder.add(name: DatadogSeriesState.deviceKey, value: series.device) }
        if series.hasHost { series.builder.add(name: DatadogSeriesState.hostKey, value: series.host) }
        series.builder.add(name: DatadogSeriesState.nameKey, value: series.name)
        let base = series.builder.build().removing([DatadogDistributionDecoder.statLabel, DatadogDistributionDecoder.binLabel])
        let times = sketches.keys.sorted()
        let stat = DatadogDistributionDecoder.statLabel
        func write(_ name: String, _ kind: MetricKind, _ value: (DatadogDistributionSketch) -> Double) {
            let slot = batch.beginSeries(base.setting(stat, to: name), kind: kind)
            for t in times {
                if let sketch = sketches[t] { batch.append(seriesSlot: slot, timestampMillis: t, value: value(sketch)) }
            }
        }
        write("count", .count) { Double($0.count) }
        write("sum", .count) { $0.sum }
        write("min", .gauge) { $0.min }
        write("max", .gauge) { $0.max }
        var byKey: [Int32: [(Int64, Int64)]] = [:]
        for t in times {
            for (key, n) in sketches[t]?.bins ?? [:] { byKey[key, default: []].append((t, n)) }
        }
        let binLabels = base.setting(stat, to: "bin")
        for key in byKey.keys.sorted() {
            let slot = batch.beginSeries(binLabels.setting(DatadogDistributionDecoder.binLabel, to: String(key)), kind: .count)
            for (t, n) in byKey[key] ?? [] { batch.append(seriesSlot: slot, timestampMillis: t, value: Double(n)) }
        }
        result.accepted += Int(values)
        result.intervalsSeconds.append(0)
        result.units.append("")
    }
}
