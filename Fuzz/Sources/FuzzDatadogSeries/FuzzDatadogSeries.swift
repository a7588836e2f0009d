// libFuzzer target: Datadog `POST /api/v1/series` and `POST /api/v2/series` JSON bodies, the
// Agent's protobuf `MetricPayload` (v2 series) and `SketchPayload` (`/api/beta/sketches`).
//
// Each input is decoded by every decoder (raw-bytes entry points) into a fresh batch, with
// the default limits and with a past/future window so the window checks run too. The sketch
// decoder also runs with a small bin limit so the limit path is reached.
import BasinModel
import BasinWire
import DialectDatadog

let nowMillis: Int64 = 1_795_350_947_000
let plain = DatadogIntakeOptions(nowMillis: nowMillis)
let windowed = DatadogIntakeOptions(nowMillis: nowMillis, maxPastMillis: 3_600_000, maxFutureMillis: 600_000)
let decoders: [(v1: DatadogSeriesV1Decoder, v2: DatadogSeriesV2Decoder, sketches: DatadogSketchDecoder)] = [
    (DatadogSeriesV1Decoder(options: plain), DatadogSeriesV2Decoder(options: plain), DatadogSketchDecoder(options: plain)),
    (DatadogSeriesV1Decoder(options: windowed), DatadogSeriesV2Decoder(options: windowed), DatadogSketchDecoder(options: windowed)),
]
let smallBins: DatadogSketchDecoder = {
    var limits = DatadogRecordLimits()
    limits.maxValuesPerPoint = 8
    return DatadogSketchDecoder(options: plain, limits: limits)
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let body = UnsafeRawBufferPointer(start: data, count: size)
    for d in decoders {
        var batch = MetricBatch()
        _ = try? d.v1.decode(body, into: &batch)
        batch = MetricBatch()
        _ = try? d.v2.decode(body, into: &batch)
        batch = MetricBatch()
        _ = try? d.v2.decodeProtobuf(body, into: &batch)
        batch = MetricBatch()
        _ = try? d.sketches.decode(body, into: &batch)
    }
    var batch = MetricBatch()
    _ = try? smallBins.decode(body, into: &batch)
    return 0
}
