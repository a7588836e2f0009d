import BasinModel
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import StorageAPI
import Testing

@testable import DialectSignalFx

/// The intake through a router over the real embedded stores: statuses and bodies of §5 and §8.
@Suite("SignalFx trace intake routes")
struct SignalFxTraceRoutesTests {
    typealias H = SignalFxTraceRouteHarness

    @Test("spans are stored in the traces dataset, created on the first write, and the answer is exactly \"OK\"")
    func ingestOK() async throws {
        try await H.withApp { client, records in
            #expect(try await records.dataset(org: OrgID("acme"), name: "traces") == nil)
            let second = Int64(Date().timeIntervalSince1970)
            let body = try H.fixture("zipkin-v2-basic.json", second: second)
            try await client.execute(uri: "/v2/trace", method: .post, headers: H.ingest(), body: body) { r in
                #expect(r.status == .ok)
                #expect(H.text(r) == #""OK""#)
                #expect(r.headers[.contentType] == "application/json")
            }
            #expect(try await records.dataset(org: OrgID("acme"), name: "traces") != nil)
            #expect(try await records.dataset(org: OrgID("other"), name: "traces") == nil)
            let stats = try await records.datasetStats(org: OrgID("acme"), name: "traces")
            #expect(stats.records == 2)
            #expect(stats.minTimeNanos == second * 1_000_000_000 + 355_000_000)
        }
    }

    @Test("every Zipkin JSON alias accepts spans, with X-SF-Token in any capitalisation",
          arguments: [("/v2/trace", "X-SF-Token"), ("/v2/trace/signalfxv1", "X-SF-TOKEN"), ("/v1/trace", "X-Sf-Token"),
                      ("/api/v2/spans", "x-sf-token"), ("/api/v1/spans", "X-SF-Token"), ("/zipkin/api/v2/spans", "X-SF-Token")])
    func aliases(_ path: String, _ header: String) async throws {
        try await H.withApp { client, records in
            let body = try H.fixture("zipkin-v1-shared.json")
            try await client.execute(uri: path, method: .post, headers: H.ingest(header: header), body: body) { r in
                #expect(r.status == .ok)
                #expect(H.text(r) == #""OK""#)
            }
            #expect(try await records.datasetStats(org: OrgID("acme"), name: "traces").records == 2)
        }
    }

    /// (content type, encoding, body, status, body fragment) of refused requests.
    static let refusals: [(String?, String?, String, Int, String)] = [
        ("application/json", nil, "{}", 400, "invalid JSON format; please see correct format at https://zipkin.io/zipkin-api/#/default/post_spans"),  // 35
        ("application/x-thrift", nil, "{}", 400, "Jaeger thrift"),                                                                               // 36
        ("application/x-protobuf", nil, "x", 400, "SAPM"),
        ("text/plain", nil, "[]", 415, "Invalid content type:text/plain"),
        ("application/json", "gzip", "[]", 400, "error handling gzip compressed request"),                                                      // 18
        ("application/json", "br", "[]", 415, "\\\"Content-Encoding\\\" must be \\\"gzip\\\" or empty"),                                        // 17
        ("application/json", nil, #"[{"tags":{"a":[[[[[[[[1]]]]]]]]}}]"#, 400, "nested deeper than 8"),
    ]

    @Test("bodies that are not Zipkin JSON are refused with the vendor's status and a JSON string", arguments: 0..<refusals.count)
    func refused(_ index: Int) async throws {
        let (contentType, encoding, body, status, fragment) = Self.refusals[index]
        try await H.withApp { client, _ in
            var headers = H.ingest(contentType: contentType)
            if let encoding { headers[.contentEncoding] = encoding }
            try await client.execute(uri: "/v2/trace", method: .post, headers: headers, body: ByteBuffer(string: body)) { r in
                #expect(Int(r.status.code) == status)
                #expect(H.text(r).hasPrefix("\""))
                #expect(H.text(r).contains(fragment), "\(H.text(r))")
            }
        }
    }

    @Test("an empty array, an empty body and a body without Content-Type are OK (vectors 20, 34)", arguments: ["[]", ""])
    func empty(_ body: String) async throws {
        try await H.withApp { client, _ in
            for contentType in ["application/json", nil] as [String?] {
                try await client.execute(uri: "/v2/trace", method: .post, headers: H.ingest(contentType: contentType), body: ByteBuffer(string: body)) { r in
                    #expect(r.status == .ok)
                    #expect(H.text(r) == #""OK""#)
                }
            }
        }
    }

    @Test("a missing, unknown or read-only token is 401 and stores nothing (vector 23)", arguments: [nil, "nope", "grafana"] as [String?])
    func unauthorized(_ token: String?) async throws {
        try await H.withApp { client, records in
            let body = try H.fixture("zipkin-v2-basic.json")
            try await client.execute(uri: "/v2/trace", method: .post, headers: H.ingest(token), body: body) { r in
                #expect(r.status == .unauthorized)
                #expect(H.text(r) == #""Invalid token specified.""# || H.text(r).contains("ingest scope"))
            }
            #expect(try await records.dataset(org: OrgID("acme"), name: "traces") == nil)
        }
    }

    @Test("a gzipped body is accepted (vector 16)")
    func gzip() async throws {
        try await H.withApp { client, records in
            let plain = Array(try H.fixture("zipkin-v2-basic.json").readableBytesView)
            let zipped = try TraceGzip.compress(plain)
            var headers = H.ingest()
            headers[.contentEncoding] = "gzip"
            try await client.execute(uri: "/v2/trace", method: .post, headers: headers, body: ByteBuffer(bytes: zipped)) { r in
                #expect(r.status == .ok)
                #expect(H.text(r) == #""OK""#)
            }
            #expect(try await records.datasetStats(org: OrgID("acme"), name: "traces").records == 2)
        }
    }

    @Test("refused spans are reported in golib's valid/invalid map, the rest stored (vectors 37, 39)")
    func partial() async throws {
        try await H.withApp { client, records in
            let body = try H.fixture("vector-37-v2-binary-annotations.json")
            try await client.execute(uri: "/v2/trace", method: .post, headers: H.ingest(), body: body) { r in
                #expect(r.status == .ok)
                #expect(H.text(r) == #"{"valid":1,"invalid":{"zipkinV2BinaryAnnotations":["0000000000000002"]}}"#)
            }
            #expect(try await records.datasetStats(org: OrgID("acme"), name: "traces").records == 1)
        }
    }

    @Test("a span over a per-span limit is dropped with spanTooLargeDropped and a header naming the limit")
    func perSpanLimit() async throws {
        var options = SignalFxTraceRoutesOptions()
        options.limits.maxTagsPerSpan = 1
        try await H.withApp(options: options) { client, _ in
            let body = #"[{"traceId":"1","id":"2","timestamp":1,"tags":{"a":"1","b":"2"}}]"#
            try await client.execute(uri: "/v2/trace", method: .post, headers: H.ingest(), body: ByteBuffer(string: body)) { r in
                #expect(r.status == .ok)
                #expect(H.text(r) == #"{"valid":0,"invalid":{"spanTooLargeDropped":["2"]}}"#)
                #expect(r.headers[HTTPField.Name("X-Basin-Limit")!]?.contains("maxTagsPerSpan") == true)
            }
        }
    }

    @Test("more spans than the request limit is 400 naming the limit")
    func spanCountLimit() async throws {
        var options = SignalFxTraceRoutesOptions()
        options.limits.maxSpansPerRequest = 1
        try await H.withApp(options: options) { client, records in
            let body = H.trace("1", at: H.nowMicros())
            try await client.execute(uri: "/v2/trace", method: .post, headers: H.ingest(), body: ByteBuffer(string: body)) { r in
                #expect(r.status == .badRequest)
                #expect(H.text(r).contains("maxSpansPerRequest"))
            }
            #expect(try await records.dataset(org: OrgID("acme"), name: "traces") == nil)
        }
    }

    @Test("other methods on the SignalFx trace paths are 405 (vector 22)")
    func methodNotAllowed() async throws {
        try await H.withApp { client, _ in
            try await client.execute(uri: "/v2/trace", method: .get, headers: H.ingest()) { r in
                #expect(r.status == .methodNotAllowed)
                #expect(r.headers[.allow] == "POST")
                #expect(H.text(r) == #""Only \"POST\" method is supported""#)
            }
        }
    }
}
