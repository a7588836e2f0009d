import BasinModel
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import StorageAPI
import Testing

@testable import DialectBlueflood

/// The routes through a router over the real embedded stores: statuses, bodies and what was
/// stored, per the spec's vectors at the HTTP level.
@Suite("Blueflood routes")
struct BluefloodRoutesTests {
    typealias H = BluefloodRouteHarness
    static let base = "/v2.0/\(BluefloodRouteHarness.tenant)"

    @Test("ingest answers 200 with an empty body and the samples read back (B1, B45)")
    func ingestAndView() async throws {
        try await H.withApp { client, _ in
            let now = H.nowMillis()
            let body = #"[{"collectionTime":\#(now),"ttlInSeconds":1234566,"metricValue":9223372036854775807,"metricName":"mzord.duration"},"#
                + #"{"collectionTime":\#(now),"ttlInSeconds":1234566,"metricValue":0,"metricName":"mzord.status","unit":"ms"},"#
                + #"{"collectionTime":\#(now),"ttlInSeconds":1234566,"metricValue":null,"metricName":"mzord.hipster"}]"#
            try await client.execute(uri: Self.base + "/ingest", method: .post, headers: H.headers(), body: ByteBuffer(string: body)) { r in
                #expect(r.status == .ok)
                #expect(r.body.readableBytes == 0)
            }
            try await client.execute(
                uri: Self.base + "/views/mzord.status?from=\(now - 1000)&to=\(now + 1000)&resolution=FULL", method: .get, headers: H.headers(contentType: nil)
            ) { r in
                #expect(r.status == .ok)
                let object = try #require(H.json(r) as? [String: Any])
                #expect(object["unit"] as? String == "ms")
                let values = try #require(object["values"] as? [[String: Any]])
                #expect(values.count == 1)
                #expect(values.first?["average"] as? Int == 0)
                #expect(values.first?["numPoints"] as? Int == 1)
                #expect(values.first?["timestamp"] as? Int64 == now)
                let metadata = try #require(object["metadata"] as? [String: Any])
                #expect(metadata["count"] as? Int == 1)
                #expect(metadata["limit"] is NSNull && metadata["next_href"] is NSNull && metadata["marker"] is NSNull)
            }
            try await client.execute(
                uri: Self.base + "/views/mzord.hipster?from=\(now - 1000)&to=\(now + 1000)&resolution=FULL", method: .get, headers: H.headers(contentType: nil)
            ) { r in
                let object = try #require(H.json(r) as? [String: Any])
                #expect((object["values"] as? [Any])?.isEmpty == true)
                #expect(object["unit"] as? String == "unknown")
            }
        }
    }

    /// (path, body, status, first error message or text body) for whole-request refusals.
    static let refusals: [(path: String, body: String, status: Int, message: String)] = [
        ("/ingest", "", 400, "Cannot parse content"),                         // B2
        ("/ingest", "{}", 400, "Cannot parse content"),                       // B3
        ("/ingest", "[]", 400, "No valid metrics"),                           // B5
        ("/ingest/aggregated", "", 400, "Invalid request body"),              // B25
        ("/ingest/aggregated/multi", "[]", 400, "No valid metrics"),          // B29 (plain text)
        ("/ingest/aggregated/multi", "{}", 400, "Invalid request body"),      // B30
        ("/views", "", 400, "Invalid body. Expected JSON array of metrics."), // B47
    ]

    @Test("whole-request refusals carry Blueflood's messages", arguments: refusals)
    func refusal(_ c: (path: String, body: String, status: Int, message: String)) async throws {
        try await H.withApp { client, _ in
            let query = c.path == "/views" ? "?from=1&to=2&resolution=FULL" : ""
            try await client.execute(uri: Self.base + c.path + query, method: .post, headers: H.headers(), body: ByteBuffer(string: c.body)) { r in
                #expect(Int(r.status.code) == c.status)
                if c.path == "/ingest/aggregated/multi" && c.body == "[]" {
                    #expect(String(buffer: r.body) == c.message)
                } else {
                    #expect(H.errors(r).first?["message"] as? String == c.message, "\(String(buffer: r.body))")
                    #expect(H.errors(r).first?["tenantId"] as? String == H.tenant)
                }
            }
        }
    }

    @Test("a partly invalid batch answers 207 listing only the rejected items; the rest is stored (B14)")
    func partialBatch() async throws {
        try await H.withApp { client, store in
            let now = H.nowMillis()
            let items = [#""random_string""#, #""666""#, "true", "123", "4525"].enumerated().map { i, v in
                #"{"collectionTime":\#(now),"ttlInSeconds":3600,"metricValue":\#(v),"metricName":"m\#(i)"}"#
            }
            try await client.execute(uri: Self.base + "/ingest", method: .post, headers: H.headers(), body: ByteBuffer(string: "[" + items.joined(separator: ",") + "]")) { r in
                #expect(r.status.code == 207)
                let errors = H.errors(r)
                #expect(errors.map { $0["metricName"] as? String } == ["m0", "m1", "m2"])
                #expect(errors.allSatisfy { $0["source"] as? String == "metricValue" && $0["message"] as? String == "metric value must be numeric" })
                #expect(errors.allSatisfy { Set($0.keys) == ["tenantId", "timestamp", "metricName", "source", "message"] })
            }
            let stored = try await store.select(SelectRequest(
                org: OrgID(H.tenant), matchers: [try LabelMatcher(name: "__name__", op: .regexMatch, value: "m.*")], startMillis: now - 1, endMillis: now + 1))
            #expect(stored.map { $0.labels.metricName ?? "" }.sorted() == ["m3", "m4"])
        }
    }

    @Test("gzip bodies are read (B17); over 1 MiB after decompression is 413")
    func compression() async throws {
        try await H.withApp { client, _ in
            let now = H.nowMillis()
            let plain = Array(H.metricsJSON(["zipped"], time: now).utf8)
            let zipped = try #require(BluefloodTestGzip.gzip(plain))
            try await client.execute(uri: Self.base + "/ingest", method: .post, headers: H.headers(contentType: nil, ["Content-Encoding": "gzip"]), body: ByteBuffer(bytes: zipped)) { r in
                #expect(r.status == .ok)
            }
            let bomb = try #require(BluefloodTestGzip.gzip(Array(("[" + String(repeating: " ", count: 1 << 20) + "]").utf8)))
            try await client.execute(uri: Self.base + "/ingest", method: .post, headers: H.headers(contentType: nil, ["Content-Encoding": "gzip"]), body: ByteBuffer(bytes: bomb)) { r in
                #expect(r.status == .contentTooLarge, "\(String(buffer: r.body))")
                #expect((H.errors(r).first?["message"] as? String)?.contains("1048576") == true)
            }
        }
    }

    @Test("media types, methods and credentials (B15, B16, B43, 401, 501, OPTIONS, probes)")
    func pathsAndRefusals() async throws {
        try await H.withApp { client, _ in
            for path in ["/ingest", "/ingest/multi", "/ingest/aggregated", "/events"] {
                try await client.execute(uri: Self.base + path, method: .post, headers: H.headers(contentType: "image/svg+xml"), body: ByteBuffer(string: "[]")) { r in
                    #expect(r.status.code == 415)
                    #expect(H.errors(r).first?["message"] as? String == "Unsupported media type for Content-Type: image/svg+xml")
                }
            }
            for path in ["/views/bogus.name?from=1&to=2&resolution=FULL", "/metrics/search?query=*", "/events/getEvents?from=1"] {
                try await client.execute(uri: Self.base + path, method: .get, headers: H.headers(contentType: nil, ["Accept": "application/atom+xml"])) { r in
                    #expect(r.status.code == 415, "\(path)")
                }
            }
            try await client.execute(uri: Self.base + "/views/x?from=1&to=2&resolution=full", method: .post, headers: H.headers()) { r in
                #expect(r.status == .methodNotAllowed)
                #expect(Set((r.headers[.allow] ?? "").split(separator: ",").map(String.init)) == ["GET", "OPTIONS"])
            }
            try await client.execute(uri: Self.base + "/ingest", method: .put, headers: H.headers(), body: ByteBuffer(string: "[]")) { r in
                #expect(r.status == .notImplemented)
            }
            try await client.execute(uri: Self.base + "/views/x", method: .options, headers: H.headers(contentType: nil)) { r in
                #expect(r.status == .noContent)
            }
            try await client.execute(uri: "/v2.0", method: .get) { r in #expect(r.status == .ok) }
            let now = H.nowMillis()
            for token in [nil, "nope", "other", "reader"] as [String?] {
                try await client.execute(uri: Self.base + "/ingest", method: .post, headers: H.headers(token), body: ByteBuffer(string: H.metricsJSON(["x"], time: now))) { r in
                    #expect(r.status == .unauthorized, "\(token ?? "none")")
                    #expect(H.errors(r).first?["message"] is String)
                }
            }
            try await client.execute(uri: Self.base + "/views/x?from=1&to=2&resolution=FULL", method: .get, headers: H.headers("other", contentType: nil)) { r in
                #expect(r.status == .unauthorized)
            }
        }
    }

    @Test("multi-tenant ingest needs a token for every tenant written (B19)")
    func multiTenant() async throws {
        try await H.withApp { client, store in
            let now = H.nowMillis()
            let body = "[" + ["tenantOne", "tenantTwo"].map { t in
                #"{"tenantId":"\#(t)","collectionTime":\#(now),"ttlInSeconds":3600,"metricValue":1,"metricName":"multi.m"}"#
            }.joined(separator: ",") + "]"
            try await client.execute(uri: Self.base + "/ingest/multi", method: .post, headers: H.headers("t1"), body: ByteBuffer(string: body)) { r in
                #expect(r.status == .unauthorized)
            }
            let before = try await store.series(org: OrgID("tenantOne"), matcherSets: [], startMillis: 0, endMillis: .max)
            #expect(before.isEmpty)
            try await client.execute(uri: Self.base + "/ingest/multi", method: .post, headers: H.headers("service"), body: ByteBuffer(string: body)) { r in
                #expect(r.status == .ok)
            }
            for tenant in ["tenantOne", "tenantTwo"] {
                let series = try await store.series(org: OrgID(tenant), matcherSets: [], startMillis: 0, endMillis: .max)
                #expect(series.map { $0.metricName ?? "" } == ["multi.m"], "\(tenant)")
            }
        }
    }

    @Test("statsd bundle, batch views with lenient names, search and the name tree (B22, B45, B46, B48, B49, B51)")
    func aggregatedAndReads() async throws {
        try await H.withApp { client, _ in
            let now = H.nowMillis()
            let bundle = #"{"tenantId":"\#(H.tenant)","timestamp":\#(now),"flushInterval":15000,"gauges":[{"name":"3333333.G1s","value":397},{"name":"3333333.G10s","value":56}],"#
                + #""counters":[{"name":"internal.packets_received","value":317,"rate":21.133333333333333}]}"#
            try await client.execute(uri: Self.base + "/ingest/aggregated", method: .post, headers: H.headers(), body: ByteBuffer(string: bundle)) { r in
                #expect(r.status == .ok)
                #expect(r.body.readableBytes == 0)
            }
            try await client.execute(
                uri: Self.base + "/views?from=\(now - 1000)&to=\(now + 1000)&points=200&resolution=FULL", method: .post, headers: H.headers(),
                body: ByteBuffer(string: "['3333333.G1s','3333333.G10s']")
            ) { r in
                #expect(r.status == .ok)
                let metrics = try #require((H.json(r) as? [String: Any])?["metrics"] as? [[String: Any]])
                #expect(metrics.count == 2)
                var latest: [String: Int] = [:]
                for m in metrics {
                    #expect(m["type"] as? String == "number")
                    #expect(m["unit"] as? String == "unknown")
                    latest[m["metric"] as? String ?? ""] = (m["data"] as? [[String: Any]])?.first?["latest"] as? Int
                }
                #expect(latest == ["3333333.G1s": 397, "3333333.G10s": 56])
            }
            let many = "[" + (0...100).map { "\"m\($0)\"" }.joined(separator: ",") + "]"
            try await client.execute(uri: Self.base + "/views?from=1&to=2&resolution=FULL", method: .post, headers: H.headers(), body: ByteBuffer(string: many)) { r in
                #expect(r.status == .badRequest)
                #expect(H.errors(r).first?["message"] as? String == "Too many metrics fetch in a single call. Max limit is 100.")
            }
            try await client.execute(uri: Self.base + "/views?from=1&to=2&resolution=FULL", method: .post, headers: H.headers(), body: ByteBuffer(string: "{}")) { r in
                #expect(r.status == .badRequest)
                #expect(String(buffer: r.body) == "This is not a JSON Array.")
            }
            try await client.execute(uri: Self.base + "/metrics/search?query=3333333.*&include_enum_values=true", method: .get, headers: H.headers(contentType: nil)) { r in
                let found = (H.json(r) as? [[String: Any]])?.compactMap { $0["metric"] as? String }.sorted()
                #expect(found == ["3333333.G10s", "3333333.G1s"])
            }
            try await client.execute(uri: Self.base + "/metrics/search", method: .get, headers: H.headers(contentType: nil)) { r in
                #expect(r.status == .badRequest)
                #expect(H.errors(r).first?["message"] as? String == "Invalid Query String")
                #expect(H.errors(r).first?["metricName"] as? String == "")
            }
            try await client.execute(uri: Self.base + "/metric_name/search?query=*", method: .get, headers: H.headers(contentType: nil)) { r in
                let entries = (H.json(r) as? [[String: Bool]]) ?? []
                #expect(Set(entries.flatMap { $0.map { "\($0.key)=\($0.value)" } }) == ["3333333=false", "internal=false"])
            }
        }
    }

    @Test("annotations: stored, found by time and tags, refused without parameters (B32, B35, B36, B37)")
    func annotations() async throws {
        try await H.withApp { client, _ in
            let now = H.nowMillis()
            try await client.execute(uri: Self.base + "/events", method: .post, headers: H.headers(), body: ByteBuffer(string: "{}")) { r in
                #expect(r.status == .badRequest)
                #expect(H.errors(r).count == 2)
            }
            let event = #"{"what":"deployment 0","when":\#(now),"data":"deploying prod 0","tags":"deployment 0"}"#
            try await client.execute(uri: Self.base + "/events", method: .post, headers: H.headers(), body: ByteBuffer(string: event)) { r in
                #expect(r.status == .ok)
                #expect(r.body.readableBytes == 0)
            }
            try await client.execute(
                uri: Self.base + "/events/getEvents?from=\(now - 259_200_000)&until=\(now + 86_400_000)", method: .get, headers: H.headers(contentType: nil)
            ) { r in
                #expect(r.status == .ok)
                let events = try #require(H.json(r) as? [[String: Any]])
                #expect(events.map { $0["what"] as? String } == ["deployment 0"])
                #expect(events.first?["when"] as? Int64 == now)
                #expect(events.first?["tenantId"] as? String == H.tenant)
            }
            for tags in ["NoSuchTag", "0,1", "[0,1]", "{0,1}", "sample*"] {
                let encoded = tags.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? tags
                try await client.execute(uri: Self.base + "/events/getEvents?from=\(now - 1000)&tags=\(encoded)", method: .get, headers: H.headers(contentType: nil)) { r in
                    #expect((H.json(r) as? [Any])?.isEmpty == true, "\(tags)")
                }
            }
            try await client.execute(uri: Self.base + "/events/getEvents?until=\(now - 10_000)", method: .get, headers: H.headers(contentType: nil)) { r in
                #expect((H.json(r) as? [Any])?.isEmpty == true)
            }
            try await client.execute(uri: Self.base + "/events/getEvents", method: .get, headers: H.headers(contentType: nil)) { r in
                #expect(r.status == .badRequest)
                #expect((H.errors(r).first?["message"] as? String)?.contains("Query should contain at least one query parameter") == true)
            }
        }
    }

    @Test("view parameter errors carry Blueflood's messages (B39, B40, B42)")
    func viewParameters() async throws {
        try await H.withApp { client, _ in
            for (query, message) in [("", "No query parameters present."), ("?from=111111", "Either 'points' or 'resolution' is required."),
                                     ("?from=1&resolution=full", "Invalid parameter: to=null")] {
                try await client.execute(uri: Self.base + "/views/x" + query, method: .get, headers: H.headers(contentType: nil)) { r in
                    #expect(r.status == .badRequest)
                    #expect(H.errors(r).first?["message"] as? String == message, "\(query)")
                }
            }
        }
    }
}
