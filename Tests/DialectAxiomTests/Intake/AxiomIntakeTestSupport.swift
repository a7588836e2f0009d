import BasinModel
import BasinWire
import Testing

@testable import DialectAxiom

/// A fixed receive time for decoder tests: 2026-11-22T12:00:00Z.
let testNowNanos: Int64 = 1_795_348_800_000_000_000

/// Decodes `body` with options built from `configure`.
func decodeAxiom(
    _ body: String, format: AxiomIngestFormat = .json, sysTime: Bool = false,
    _ configure: (inout AxiomIngestOptions) -> Void = { _ in }
) throws(WireError) -> AxiomIngestBatch {
    var options = AxiomIngestOptions(nowNanos: testNowNanos, storesSysTime: sysTime)
    configure(&options)
    let bytes = Array(body.utf8)
    var outcome: Result<AxiomIngestBatch, WireError> = .success(AxiomIngestBatch())
    bytes.withUnsafeBytes { raw in
        do throws(WireError) {
            outcome = .success(try AxiomIngestDecoder(options: options).decode(raw, format: format))
        } catch {
            outcome = .failure(error)
        }
    }
    return try outcome.get()
}

/// Nanoseconds of a UTC civil time.
func utcNanos(_ year: Int, _ month: Int, _ day: Int, _ hour: Int = 0, _ minute: Int = 0, _ second: Int = 0, nanos: Int = 0) -> Int64 {
    AxiomTime.nanos(year: year, month: month, day: day, hour: hour, minute: minute, second: second, nanosecond: nanos, offsetSeconds: 0)!
}

/// The request bodies of axiom-go's live ingest test (`axiom/datasets_integration_test.go`),
/// byte for byte (tabs included): the lengths are the spec's vectors A2–A7.
enum GoIngestVectors {
    static func event(_ time: String, _ ip: String) -> String {
        "\t\t{\n\t\t\t\"time\": \"\(time)\",\n\t\t\t\"remote_ip\": \"\(ip)\",\n\t\t\t\"remote_user\": \"-\",\n"
            + "\t\t\t\"request\": \"GET /downloads/product_1 HTTP/1.1\",\n\t\t\t\"response\": 304,\n\t\t\t\"bytes\": 0,\n"
            + "\t\t\t\"referrer\": \"-\",\n\t\t\t\"agent\": \"Debian APT-HTTP/1.3 (0.8.16~exp12ubuntu10.21)\"\n\t\t}"
    }

    /// `ingestData`: 543 bytes.
    static let array = "[\n" + event("17/May/2015:08:05:30 +0000", "93.180.71.1") + ",\n"
        + event("17/May/2015:08:05:31 +0000", "93.180.71.2") + "\n\t]"

    /// `csvIngestData`: 258 bytes, headerless.
    static let csv = "17/May/2015:08:05:30 +0000,93.180.71.1,-,GET /downloads/product_1 HTTP/1.1,304,0,-,Debian APT-HTTP/1.3 (0.8.16~exp12ubuntu10.21\n"
        + "\t\t17/May/2015:08:05:31 +0000,93.180.71.2,-,GET /downloads/product_1 HTTP/1.1,304,0,-,Debian APT-HTTP/1.3 (0.8.16~exp12ubuntu10.21)"

    /// `csvIngestDataHeader`: 325 bytes.
    static let csvWithHeader = "time,remote_ip,remote_user,request,response,bytes,referrer,agent\n\t\t" + csv

    /// What `IngestEvents` sends for `ingestEvents` (encoding/json, keys sorted, one per line): 448 bytes.
    static let ndjson = [("17/May/2015:08:05:32 +0000", "93.180.71.1"), ("17/May/2015:08:05:33 +0000", "93.180.71.2")].map { time, ip in
        #"{"agent":"Debian APT-HTTP/1.3 (0.8.16~exp12ubuntu10.21)","bytes":0,"referrer":"-","remote_ip":""# + ip
            + #"","remote_user":"-","request":"GET /downloads/product_1 HTTP/1.1","response":304,"time":""# + time + "\"}\n"
    }.joined()

    static let csvFields = ["time", "remote_ip", "remote_user", "request", "response", "bytes", "referrer", "agent"]
}

/// A compact canonical text of a value: `1` int, `1.5` float (always with a `.`), `"x"`
/// string, `ts(…)` timestamp, `[…]`, `{k:v,…}`.
func renderValue(_ value: FieldValue) -> String {
    switch value {
    case .null: "null"
    case .bool(let b): b ? "true" : "false"
    case .int(let i): String(i)
    case .float(let d): d.description
    case .string(let s): "\"" + s + "\""
    case .timestamp(let n): "ts(" + AxiomTime.rfc3339(nanos: n) + ")"
    case .array(let a): "[" + a.map(renderValue).joined(separator: ",") + "]"
    case .object(let o): "{" + o.map { $0.name + ":" + renderValue($0.value) }.joined(separator: ",") + "}"
    }
}

/// `<RFC 3339 time> name=value …` per record.
func renderRecords(_ batch: AxiomIngestBatch) -> [String] {
    batch.records.map { record in
        ([AxiomTime.rfc3339(nanos: record.timeNanos)] + record.fields.map { $0.name + "=" + renderValue($0.value) })
            .joined(separator: " ")
    }
}

/// The receive time as rendered.
let testNowText = "2026-11-22T12:00:00.000000000Z"
