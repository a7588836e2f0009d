// libFuzzer target: Dynatrace metric ingest lines (`POST /api/v2/metrics/ingest`) and the
// metric selector parser (`GET /api/v2/metrics/query?metricSelector=`).
//
// Each input is parsed as an ingest body (as `DynatraceRoutes+Ingest.swift` calls it) and,
// when it is at most 4 KiB, as a metric selector; a parsed selector's filter conditions are
// evaluated against a small dimension map.
import BasinModel
import DialectDynatrace

let nowMillis: Int64 = 1_795_350_947_000
let parser = DynatraceLineParser(options: DynatraceIngestOptions(nowMillis: nowMillis))
let dimensions = ["env": "prod", "host": "web-1", "dt.entity.host": "HOST-1", "": ""]

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let body = UnsafeRawBufferPointer(start: data, count: size)
    var batch = MetricBatch()
    _ = try? parser.parse(body, into: &batch)

    if size <= 4096 {
        let text = String(decoding: body, as: UTF8.self)
        if let selector = try? DynatraceSelectorParser.parse(text) {
            for expression in selector.expressions {
                _ = expression.metricId
                for case .filter(let condition) in expression.transformations {
                    _ = condition.matches(dimensions)
                    _ = condition.dimensionKeys
                }
            }
        }
    }
    return 0
}
