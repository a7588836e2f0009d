import BasinHTTP
import BasinModel
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import StorageAPI
import Testing

@testable import DialectAxiom

/// The ingest handler in process over the test store: statuses, exact bodies, what is stored.
@Suite("Axiom ingest routes")
struct AxiomIngestRoutesTests {
    /// axiom-py fixture 002: `ingest_events`, NDJSON, gzip (390 bytes decompressed).
    static let pyEventsGzip = "H4sIAL3hAmsC/42PzQqDQAyE732MXKuSXV0reY6eWoqsusiCf+jaUsR3b7YX8VBpThmY5JtZIHe2NUAgUaahEKGUVyEpVpTEZ0RChAAmMz5t6V16sKxHU9u+Y2lmVo12pivfeTsBCRkp9jvtZlYSMYCZr4EWsBXQJYCh0f5yGHtY19Pym6/+4DNkz08wwo2vPN/pmtc7aLYW8PDM7V9VHNaJI7mvc5A4Jcwi/M5tl/llisPM2foBDhtT3oYBAAA="
    /// axiom-py fixture 004: NDJSON gzip with `?timestamp-field=ts` (131 bytes decompressed).
    static let pyTimestampFieldGzip = "H4sIAL3hAmsC/6tWKilWslJQMjIwMtM1NNQ1MgoxNLIyNrMyNNY2MLAyMFDSUVDKA6owqOWqxqnWCFWtIT61hqhqjWoBfUN6Q4MAAAA="
    /// axiom-py fixture 015: `{"k":"v"}` gzip, with `X-Axiom-Org-Id`.
    static let pyOrgGzip = "H4sIAL3hAmsC/6tWylayUipTqgUAfgip1AkAAAA="

    static func ok(ingested: Int, processed: Int, failures: String = "[]", failed: Int = 0) -> String {
        #"{"ingested":\#(ingested),"failed":\#(failed),"failures":\#(failures),"processedBytes":\#(processed),"blocksCreated":0,"walLength":\#(ingested)}"#
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var what: String
        var path = "/v1/datasets/test/ingest"
        var token: String? = "ingest-token"
        var headers: [String: String] = ["Content-Type": "application/json"]
        var body: String = ""
        var base64: String?
        var status: Int
        var text: String
        var testDescription: String { what }
    }

    static let cases: [Case] = [
        Case(what: "A2: JSON array with a label header: 543 + 22 processed bytes",
             headers: ["Content-Type": "application/json", "X-Axiom-Event-Labels": #"{"region":"eu-west-1"}"#],
             body: GoIngestVectors.array, status: 200, text: ok(ingested: 2, processed: 565)),
        Case(what: "A5: NDJSON 448 bytes", headers: ["Content-Type": "application/x-ndjson"],
             body: GoIngestVectors.ndjson, status: 200, text: ok(ingested: 2, processed: 448)),
        Case(what: "A6: CSV with header and an empty X-Axiom-CSV-Fields",
             headers: ["Content-Type": "text/csv", "X-Axiom-CSV-Fields": ""],
             body: GoIngestVectors.csvWithHeader, status: 200, text: ok(ingested: 2, processed: 325)),
        Case(what: "A7: headerless CSV with X-Axiom-CSV-Fields",
             headers: ["Content-Type": "text/csv", "X-Axiom-CSV-Fields": GoIngestVectors.csvFields.joined(separator: ",")],
             body: GoIngestVectors.csv, status: 200, text: ok(ingested: 2, processed: 258)),
        Case(what: "A9: Content-Encoding 1 is identity (axiom-py)",
             headers: ["Content-Type": "application/json", "Content-Encoding": "1"], body: #"[{"a":1}]"#,
             status: 200, text: ok(ingested: 1, processed: 9)),
        Case(what: "A10: empty Content-Encoding is identity (axiom-js)",
             headers: ["Content-Type": "application/json", "Content-Encoding": ""], body: #"[{"a":1}]"#,
             status: 200, text: ok(ingested: 1, processed: 9)),
        Case(what: "A3/A11: gzip NDJSON reports the decompressed length (axiom-py fixture 002)",
             headers: ["Content-Type": "application/x-ndjson", "Content-Encoding": "gzip"], base64: pyEventsGzip,
             status: 200, text: ok(ingested: 4, processed: 390)),
        Case(what: "edge path /v1/ingest/{ds} with X-Axiom-Org-Id (axiom-py fixture 015)", path: "/v1/ingest/test",
             headers: ["Content-Type": "application/x-ndjson", "Content-Encoding": "gzip", "X-Axiom-Org-Id": "capture-org"],
             base64: pyOrgGzip, status: 200, text: ok(ingested: 1, processed: 9)),
        Case(what: "timestamp-field from the query string (axiom-py fixture 004)", path: "/v1/datasets/test/ingest?timestamp-field=ts",
             headers: ["Content-Type": "application/x-ndjson", "Content-Encoding": "gzip"], base64: pyTimestampFieldGzip,
             status: 200, text: ok(ingested: 3, processed: 131)),
        Case(what: "CSV with form-encoded timestamp-format and csv-delimiter (axiom-py fixture 005)",
             path: "/v1/datasets/test/ingest?timestamp-field=when&timestamp-format=2006-01-02+15%3A04%3A05&csv-delimiter=%3B",
             headers: ["Content-Type": "text/csv", "Content-Encoding": "1"],
             body: "when;service;latency_ms\n2026-11-22 12:36:03;api;12\n2026-11-22 12:36:04;db;3\n",
             status: 200, text: ok(ingested: 2, processed: 76)),
        Case(what: "partial failure is still 200 with failures listed",
             headers: ["Content-Type": "application/x-ndjson"], body: "{\"_time\":\"never\"}\n{\"a\":1}",
             status: 200,
             text: #"{"ingested":1,"failed":1,"failures":[{"timestamp":"TIME","error":"cannot parse timestamp \"never\""}],"processedBytes":25,"blocksCreated":0,"walLength":1}"#),
        Case(what: "empty body is 200 with zeros", body: "", status: 200, text: ok(ingested: 0, processed: 0)),
        Case(what: "no token is 401", token: nil, body: "[]", status: 401,
             text: #"{"code":401,"message":"invalid authentication credentials"}"#),
        Case(what: "A32: a garbage PAT is 401", token: "xapt-123", body: "[]", status: 401,
             text: #"{"code":401,"message":"invalid authentication credentials"}"#),
        Case(what: "a token without the ingest scope is 403", token: "query-token", body: "[]", status: 403,
             text: #"{"code":403,"message":"token is not allowed to ingest"}"#),
        Case(what: "unknown dataset is 404", path: "/v1/datasets/nope/ingest", body: "[]", status: 404,
             text: #"{"code":404,"message":"dataset not found"}"#),
        Case(what: "reserved dataset is 403", path: "/v1/datasets/_events/ingest", body: "[]", status: 403,
             text: #"{"code":403,"message":"dataset \"_events\" is reserved and cannot be ingested into"}"#),
        Case(what: "malformed JSON array is 400", body: #"[{"a":1},]"#, status: 400,
             text: #"{"code":400,"message":"trailing comma at byte 9"}"#),
        Case(what: "invalid labels header is 400",
             headers: ["Content-Type": "application/json", "X-Axiom-Event-Labels": "nope"], body: "[]", status: 400,
             text: #"{"code":400,"message":"invalid X-Axiom-Event-Labels header (expected a JSON object): expected an object, found 'n' at byte 0"}"#),
        Case(what: "invalid csv-delimiter is 400", path: "/v1/datasets/test/ingest?csv-delimiter=ab",
             headers: ["Content-Type": "text/csv"], body: "a\n1", status: 400,
             text: #"{"code":400,"message":"invalid csv-delimiter \"ab\": use a single ASCII character"}"#),
        Case(what: "A5: zstd NDJSON (as axiom-go sends it) reports the decompressed length",
             headers: ["Content-Type": "application/x-ndjson", "Content-Encoding": "zstd"],
             base64: "KLUv/QRYgQAAeyJhIjoxfQp7ImEiOjJ9Cu7trPI=", status: 200, text: ok(ingested: 2, processed: 16)),
        Case(what: "corrupt zstd is 400", headers: ["Content-Type": "application/x-ndjson", "Content-Encoding": "zstd"],
             body: "x", status: 400, text: #"{"code":400,"message":"request body is not valid zstd data: truncated frame at byte 0"}"#),
        Case(what: "brotli is 415", headers: ["Content-Type": "application/json", "Content-Encoding": "br"], body: "x", status: 415,
             text: #"{"code":415,"message":"unsupported Content-Encoding \"br\"; supported: gzip, deflate, zstd, identity"}"#),
        Case(what: "unknown Content-Type is 415", headers: ["Content-Type": "application/xml"], body: "<a/>", status: 415,
             text: #"{"code":415,"message":"unsupported Content-Type \"application/xml\"; use application/json, application/x-ndjson or text/csv"}"#),
        Case(what: "corrupt gzip is 400", headers: ["Content-Type": "application/json", "Content-Encoding": "gzip"], body: "not gzip",
             status: 400, text: #"{"code":400,"message":"request body is not valid gzip data"}"#),
    ]

    @Test("answers with Axiom's statuses and exact bodies", arguments: cases)
    func answers(_ c: Case) async throws {
        let harness = AxiomRouteHarness()
        try await harness.create("test")
        let body = c.base64.map(AxiomRouteHarness.base64) ?? ByteBuffer(string: c.body)
        // `/v1/datasets/{ds}/ingest` and `/v1/ingest/{ds}` both have the dataset third.
        let name = String(c.path.split(separator: "/")[2].prefix { $0 != "?" })
        let request = AxiomRouteHarness.request(path: c.path, token: c.token, headers: c.headers, body: body)
        let response = await harness.routes.ingest(request, dataset: name)
        var text = try await AxiomRouteHarness.text(response)
        if let range = text.range(of: #"(?<="timestamp":")[^"]+"#, options: .regularExpression) {
            text.replaceSubrange(range, with: "TIME")
        }
        #expect(Int(response.status.code) == c.status)
        #expect(text == c.text)
        #expect(response.headers[.contentType] == "application/json")
        #expect(response.headers[AxiomRoutes.traceIDHeader]?.count == 16)
    }

    @Test("stored records: time from timestamp-field, labels merged, nested objects kept, _sysTime added")
    func storesRecords() async throws {
        let harness = AxiomRouteHarness()
        try await harness.create("test")
        let request = AxiomRouteHarness.request(
            path: "/v1/datasets/test/ingest?timestamp-field=time&timestamp-format=2/Jan/2006:15:04:05+%2B0000",
            headers: ["Content-Type": "application/json", "X-Axiom-Event-Labels": #"{"region":"eu-west-1","instance":1}"#],
            body: GoIngestVectors.array)
        let response = await harness.routes.ingest(request, dataset: "test")
        #expect(response.status == .ok)
        let stored = await harness.store.records(org: AxiomRouteHarness.acme, dataset: "test")
        #expect(stored.map(\.timeNanos) == [utcNanos(2015, 5, 17, 8, 5, 30), utcNanos(2015, 5, 17, 8, 5, 31)])
        #expect(stored.first?.fields.map(\.name) == [
            "_sysTime", "time", "remote_ip", "remote_user", "request", "response", "bytes", "referrer", "agent", "region", "instance",
        ])
        if case .timestamp = stored.first?[field: "_sysTime"] {} else { Issue.record("_sysTime is not a timestamp") }
    }

    @Test("createDatasetOnIngest creates an unknown dataset")
    func createsOnIngest() async throws {
        var harness = AxiomRouteHarness()
        harness.options.createDatasetOnIngest = true
        let response = await harness.routes.ingest(
            AxiomRouteHarness.request(path: "/v1/datasets/fresh/ingest", body: #"{"a":1}"#), dataset: "fresh")
        #expect(response.status == .ok)
        #expect(await harness.store.records(org: AxiomRouteHarness.acme, dataset: "fresh").count == 1)
        let bad = await harness.routes.ingest(AxiomRouteHarness.request(path: "/v1/datasets/bad%20name/ingest", body: "{}"), dataset: "bad name")
        #expect(bad.status == .badRequest)
    }

    @Test("more than 10,000 events is 413 and nothing is stored (A39)")
    func tooManyEvents() async throws {
        let harness = AxiomRouteHarness()
        try await harness.create("test")
        let body = Array(repeating: "{}", count: 10_001).joined(separator: "\n")
        let response = await harness.routes.ingest(
            AxiomRouteHarness.request(path: "/v1/datasets/test/ingest", headers: ["Content-Type": "application/x-ndjson"], body: body),
            dataset: "test")
        #expect(response.status == .contentTooLarge)
        #expect(try await AxiomRouteHarness.text(response)
            == #"{"code":413,"message":"request has more than 10000 events; split it into smaller batches"}"#)
        #expect(await harness.store.records(org: AxiomRouteHarness.acme, dataset: "test").isEmpty)
    }

    @Test("a body over the limit is 413")
    func bodyTooLarge() async throws {
        var harness = AxiomRouteHarness()
        harness.options.maxIngestBodyBytes = 8
        try await harness.create("test")
        let response = await harness.routes.ingest(
            AxiomRouteHarness.request(path: "/v1/datasets/test/ingest", body: #"[{"a":1},{"a":2}]"#), dataset: "test")
        #expect(response.status == .contentTooLarge)
    }

    @Test("a full disk is 503 with Retry-After")
    func diskFull() async throws {
        let harness = AxiomRouteHarness()
        try await harness.create("test")
        await harness.store.setAppendError(StorageError(kind: .unavailable, message: "disk full", retryAfterSeconds: 5))
        let response = await harness.routes.ingest(
            AxiomRouteHarness.request(path: "/v1/datasets/test/ingest", body: #"{"a":1}"#), dataset: "test")
        #expect(response.status == .serviceUnavailable)
        #expect(response.headers[.retryAfter] == "5")
        #expect(try await AxiomRouteHarness.text(response) == #"{"code":503,"message":"disk full"}"#)
    }
}
