// libFuzzer target: SignalFx `POST /v2/datapoint` (JSON and protobuf `DataPointUploadMessage`),
// `POST /v2/event` (JSON and protobuf `EventUploadMessage`) and `POST /v2/trace` (Zipkin v1/v2
// JSON) bodies.
//
// Each input goes through all five decoders; none may crash, whatever the bytes.
import BasinModel
import BasinWire
import DialectSignalFx

let nowMillis: Int64 = 1_795_350_947_000
let traces = ZipkinSpanDecoder()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let body = UnsafeRawBufferPointer(start: data, count: size)
    var points = SignalFxDatapointBatch(nowMillis: nowMillis)
    _ = try? SignalFxDatapointJSONDecoder.decode(body, into: &points)
    points = SignalFxDatapointBatch(nowMillis: nowMillis)
    _ = try? SignalFxDatapointProtobufDecoder.decode(body, into: &points)
    var events = SignalFxEventBatch()
    _ = try? SignalFxEventJSONDecoder.decode(body, into: &events)
    events = SignalFxEventBatch()
    _ = try? SignalFxEventProtobufDecoder.decode(body, into: &events)
    _ = try? traces.decode(body)
    return 0
}
