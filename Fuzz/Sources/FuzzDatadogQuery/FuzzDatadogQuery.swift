// libFuzzer target: the Datadog metric query parser (`GET /api/v1/query?query=…`).
//
// Inputs up to 4 KiB are read as UTF-8 (invalid bytes replaced, as a percent-decoded query
// parameter would be) and parsed with `DatadogQueryParser.parse`; a parse must either throw
// `DatadogQueryError` or return at least one expression, and parsing is repeated on the
// text with a space aggregator prefix and a `by {host}` suffix to reach those paths.
import DialectDatadog

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    guard size <= 4096 else { return 0 }
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    for candidate in [text, "p99:" + text, text + " by {host}"] {
        if let expressions = try? DatadogQueryParser.parse(candidate), expressions.isEmpty {
            fatalError("DatadogQueryParser.parse returned no expression without throwing")
        }
    }
    return 0
}
