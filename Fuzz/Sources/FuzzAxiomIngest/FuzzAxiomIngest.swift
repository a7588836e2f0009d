// libFuzzer target: Axiom ingest bodies (JSON, NDJSON, CSV) and APL queries.
//
// Each input is decoded in all three formats with Axiom's default options, and once more with
// the options axiom-py sends for CSV (`timestamp-field=when`, a Go time layout, `;` as the
// delimiter), which runs the Go layout parser. Inputs up to 4 KiB are also lowered as APL
// (`APLLowering.lower`, which lexes and parses first).
import BasinModel
import DialectAxiom

let nowNanos: Int64 = 1_795_350_947_000_000_000
let defaults = AxiomIngestDecoder(options: AxiomIngestOptions(nowNanos: nowNanos))
let custom = AxiomIngestDecoder(options: AxiomIngestOptions(
    timestampField: "when", timestampFormat: "2006-01-02 15:04:05", csvDelimiter: UInt8(ascii: ";"),
    nowNanos: nowNanos
))
let hour: Int64 = 3_600_000_000_000

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let body = UnsafeRawBufferPointer(start: data, count: size)
    for format in [AxiomIngestFormat.json, .ndjson, .csv] {
        _ = try? defaults.decode(body, format: format)
    }
    _ = try? custom.decode(body, format: .csv)
    _ = try? custom.decode(body, format: .ndjson)

    if size <= 4096 {
        let text = String(decoding: body, as: UTF8.self)
        _ = try? APLLowering.lower(text, startNanos: nowNanos - hour, endNanos: nowNanos, nowNanos: nowNanos)
    }
    return 0
}
