import BasinWire
import NIOCore

/// Dynatrace's `ValidationResponse` for `POST /api/v2/metrics/ingest`, written as the real server
/// writes it (spec §3.9): compact JSON, keys in the order `linesOk`, `linesInvalid`, `error`,
/// `warnings`, `"error":null` always present on success (micrometer and the OTel Java exporter
/// match these with regexes), invalid lines under `error.invalidLines`, warnings under
/// `warnings.warningLines` (the wire name; the documentation's `changedMetricKeys` is not used).
enum DynatraceValidationResponse {
    /// `{"linesOk":0,"linesInvalid":0,"error":{"code":400,"message":"empty request","invalidLines":[]}}`:
    /// the observed answer to an empty body, which clients use as a connectivity probe.
    static func emptyRequest() -> ByteBuffer {
        var writer = JSONWriter(capacity: 96)
        writer.raw("{\"linesOk\":0,\"linesInvalid\":0,\"error\":{\"code\":400,\"message\":\"empty request\",\"invalidLines\":[]}}")
        return writer.buffer
    }

    /// The body for a parsed request: `error` is null when no line was invalid.
    ///
    /// `error.message` is `<n> invalid lines` when every invalid line is listed and
    /// `First <k> errors reported` when only the first `k` are; `warnings.message` is
    /// `First <k> warnings reported`.
    static func render(_ result: DynatraceIngestResult) -> ByteBuffer {
        var writer = JSONWriter(capacity: 128 + 96 * (result.invalidLines.count + result.warnings.count))
        writer.raw("{\"linesOk\":")
        writer.integer(result.linesOk)
        writer.raw(",\"linesInvalid\":")
        writer.integer(result.linesInvalid)
        writer.raw(",\"error\":")
        if result.linesInvalid == 0 {
            writer.null()
        } else {
            writer.raw("{\"code\":400,\"message\":")
            if result.linesInvalid > result.invalidLines.count {
                writer.string("First \(result.invalidLines.count) errors reported")
            } else {
                writer.string("\(result.linesInvalid) invalid lines")
            }
            writer.raw(",\"invalidLines\":")
            write(result.invalidLines, field: "error", into: &writer)
            writer.raw("}")
        }
        writer.raw(",\"warnings\":")
        if result.warningCount == 0 {
            writer.null()
        } else {
            writer.raw("{\"message\":")
            writer.string("First \(result.warnings.count) warnings reported")
            writer.raw(",\"warningLines\":")
            write(result.warnings, field: "warning", into: &writer)
            writer.raw("}")
        }
        writer.raw("}")
        return writer.buffer
    }

    /// `[{"line":n,"<field>":"…"},…]`.
    private static func write(_ issues: [DynatraceLineIssue], field: StaticString, into writer: inout JSONWriter) {
        writer.raw("[")
        var comma = false
        for issue in issues {
            writer.comma(&comma)
            writer.raw("{\"line\":")
            writer.integer(issue.line)
            writer.raw(",\"")
            writer.raw(field)
            writer.raw("\":")
            writer.string(issue.message)
            writer.raw("}")
        }
        writer.raw("]")
    }
}
