import BasinHTTP
import BasinModel
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import StorageAPI
import Testing

@testable import DialectSignalFx

/// The routes end to end in process: HTTP vectors of spec §8 over the real embedded stores.
@Suite struct SignalFxRoutesTests {
    typealias H = SignalFxRouteHarness
    typealias S = SignalFxTestSupport

    @Test("Vectors 1 and 2: JSON datapoints are stored and answered 200 \"OK\" with the quotes")
    func jsonDatapointsStored() async throws {
        try await H.withApp { client, store, _ in
            let before = DialectEnvironment.nowMillis()
            let body = #"{"gauge":[{"metric":"memory.free","dimensions":{"host":"server1","k8s.pod.name":"p"},"value":42},{"metric":"bob","value":3,"timestamp":1557225030000}],"cumulative_counter":[{"metric":"bytes","value":1000,"timestamp":1557225030000}]}"#
            try await client.execute(uri: "/v2/datapoint", method: .post, headers: H.headers(), body: ByteBuffer(string: body)) { response in
                #expect(response.status == .ok)
                #expect(H.body(response) == "\"OK\"")
                #expect(response.headers[.contentType] == "application/json")
            }
            let stored = try await H.stored(store)
            #expect(stored.contains("gauge bob{} 1557225030000=3.0") || stored.contains("gauge bob 1557225030000=3.0"))
            #expect(stored.contains { $0.hasPrefix("counter bytes") && $0.hasSuffix("1557225030000=1000.0") })
            let memory = try #require(stored.first { $0.contains("memory.free") })
            #expect(memory.hasPrefix("gauge ") && memory.contains(#"k8s.pod.name="p""#) && memory.hasSuffix("=42.0"))
            let at = Int64(memory.split(separator: " ").last!.split(separator: "=").first!)!
            #expect(at >= before && at <= DialectEnvironment.nowMillis())
            let metadata = try await store.metricMetadata(org: H.org, metricName: nil)
            #expect(metadata["memory.free"]?.dialect == "signalfx" && metadata["bytes"]?.dialect == "signalfx")
        }
    }

    @Test("Captured signalfx-python datapoint requests (gzip and plain) are stored as sent", arguments: ["001", "004", "007", "010", "014"])
    func fixtureRequestsStored(_ name: String) async throws {
        let request = try S.fixture(name)
        let raw = S.fixtureBodies(request).raw
        let contentType = request["content_type"] as? String
        let encoding = request["content_encoding"] as? String
        let expected = S.expectedDatapoints(request).count
        try await H.withApp { client, store, _ in
            try await client.execute(
                uri: "/v2/datapoint", method: .post, headers: H.headers(tokenHeader: "X-Sf-Token", contentType: contentType, encoding: encoding),
                body: ByteBuffer(bytes: raw)
            ) { response in
                #expect(response.status == .ok)
                #expect(H.body(response) == "\"OK\"")
            }
            let stored = try await H.stored(store)
            let samples = stored.map { $0.split(separator: " ").last!.split(separator: ",").count }.reduce(0, +)
            #expect(samples == expected)
        }
    }

    @Test("Invalid points are dropped with 200 \"OK\"; only an unparseable body is 400 (vectors 5, 6, 7, 11, 14)")
    func invalidPointPolicy() async throws {
        try await H.withApp { client, store, _ in
            let mixed = #"{"gauge":[{"metric":"bob"},{"metric":"ok","value":1}],"UNKNOWN":[{"metric":"bob","value":1}]}"#
            try await client.execute(uri: "/v2/datapoint", method: .post, headers: H.headers(), body: ByteBuffer(string: mixed)) { response in
                #expect(response.status == .ok && H.body(response) == "\"OK\"")
            }
            try await client.execute(uri: "/v2/datapoint", method: .post, headers: H.headers(contentType: "application/x-protobuf"),
                                     body: ByteBuffer(bytes: S.bytes(hex: "0a0b12076e6f76616c75652800"))) { response in
                #expect(response.status == .ok)
            }
            #expect(try await H.stored(store).count == 1)
            try await client.execute(uri: "/v2/datapoint", method: .post, headers: H.headers(), body: ByteBuffer(string: "INVALID_JSON")) { response in
                #expect(response.status == .badRequest)
                #expect(H.body(response).hasPrefix("\"invalid JSON format"))
            }
            try await client.execute(uri: "/v2/datapoint", method: .post, headers: H.headers(contentType: "application/x-protobuf"),
                                     body: ByteBuffer(string: "INVALID_PROTOBUF")) { response in
                #expect(response.status == .badRequest)
                #expect(H.body(response).hasPrefix("\"Failed to unmarshal message body"))
            }
        }
    }

    @Test("Vectors 15–20: empty protobuf, content types and encodings", arguments: [
        ("application/x-protobuf", nil, "", HTTPResponse.Status.ok),
        ("application/x-protobuf", "deflate-ish", "", .unsupportedMediaType),
        ("application/x-protobuf", "gzip", "0a0b12076e6f76616c75652800", .badRequest),
        ("text/plain", nil, "", .unsupportedMediaType),
        ("application/x-protobuf;format=otlp", nil, "", .unsupportedMediaType),
        (nil, nil, "{}", .ok),
        ("application/json; charset=utf-8", nil, "{}", .ok),
        ("APPLICATION/X-PROTOBUF", nil, "", .ok),
    ] as [(String?, String?, String, HTTPResponse.Status)])
    func contentTypesAndEncodings(_ contentType: String?, _ encoding: String?, _ body: String, _ status: HTTPResponse.Status) async throws {
        try await H.withApp { client, _, _ in
            let bytes = contentType?.contains("json") ?? true ? Array(body.utf8) : S.bytes(hex: body)
            try await client.execute(uri: "/v2/datapoint", method: .post, headers: H.headers(contentType: contentType, encoding: encoding),
                                     body: ByteBuffer(bytes: bytes)) { response in
                #expect(response.status == status)
                if status == .ok { #expect(H.body(response) == "\"OK\"") } else { #expect(H.body(response).hasPrefix("\"")) }
            }
        }
    }

    @Test("Vector 22: other methods get 405 with Allow: POST", arguments: ["/v2/datapoint", "/v2/event"])
    func otherMethods(_ path: String) async throws {
        try await H.withApp { client, _, _ in
            try await client.execute(uri: path, method: .get, headers: H.headers()) { response in
                #expect(response.status == .methodNotAllowed)
                #expect(response.headers[.allow] == "POST")
            }
        }
    }

    @Test("Vector 23: a missing, unknown or query-only token is 401 with nothing stored", arguments: [nil, "nope", "reader"] as [String?])
    func authentication(_ token: String?) async throws {
        try await H.withApp { client, store, _ in
            for path in ["/v2/datapoint", "/v2/event"] {
                try await client.execute(uri: path, method: .post, headers: H.headers(token: token),
                                         body: ByteBuffer(string: #"{"gauge":[{"metric":"m","value":1}]}"#)) { response in
                    #expect(response.status == .unauthorized)
                    #expect(H.body(response).hasPrefix("\""))
                }
            }
            #expect(try await H.stored(store).isEmpty)
        }
    }

    @Test("The token header matches in any capitalisation", arguments: ["X-SF-Token", "X-SF-TOKEN", "x-sf-token", "X-Sf-Token"])
    func tokenHeaderCase(_ header: String) async throws {
        try await H.withApp { client, _, _ in
            try await client.execute(uri: "/v2/datapoint", method: .post, headers: H.headers(tokenHeader: header), body: ByteBuffer(string: "{}")) { response in
                #expect(response.status == .ok)
            }
        }
    }

    @Test("Bodies over the server limit are 413")
    func oversizedBody() async throws {
        var limits = HTTPLimits()
        limits.maxBodyBytes = 64
        try await H.withApp(limits: limits) { client, _, _ in
            let body = #"{"gauge":[{"metric":"\#(String(repeating: "m", count: 100))","value":1}]}"#
            try await client.execute(uri: "/v2/datapoint", method: .post, headers: H.headers(), body: ByteBuffer(string: body)) { response in
                #expect(response.status == .contentTooLarge)
            }
        }
    }

    @Test("Vectors 26, 29, 31: JSON and protobuf events land in _events in the documented layout")
    func eventsStored() async throws {
        try await H.withApp { client, _, records in
            let json = #"[{"eventType":"deployments","category":null,"dimensions":{"host":"web-1"},"properties":{"version":"2015.04.29-01","n":3},"timestamp":null}]"#
            try await client.execute(uri: "/v2/event", method: .post, headers: H.headers(), body: ByteBuffer(string: json)) { response in
                #expect(response.status == .ok && H.body(response) == "\"OK\"")
            }
            // Vector 31's event with a recent timestamp (the record store keeps only its retention window).
            let recent = DialectEnvironment.nowMillis() - 60_000
            let protobuf = TestProtobufEncoder.upload([TestProtobufEncoder.event(
                eventType: "deploy", dimensions: [("service", "api")], properties: [("version", .string("1.2"))], category: 1_000_000, timestamp: recent)])
            try await client.execute(uri: "/v2/event", method: .post, headers: H.headers(contentType: "application/x-protobuf"),
                                     body: ByteBuffer(bytes: protobuf)) { response in
                #expect(response.status == .ok && H.body(response) == "\"OK\"")
            }
            let events = try await H.events(records)
            #expect(events.count == 2)
            let deploy = try #require(events.first { $0[field: "title"] == .string("deploy") })
            #expect(deploy.timeNanos == recent * 1_000_000)
            #expect(deploy[field: "tags"] == .array([.string("service:api")]))
            #expect(deploy[field: "category"] == .string("USER_DEFINED"))
            #expect(deploy[field: "dialect"] == .string("signalfx"))
            let deployments = try #require(events.first { $0[field: "title"] == .string("deployments") })
            #expect(deployments[field: "host"] == .string("web-1"))
            #expect(deployments[field: "properties"] == .object([RecordField("version", .string("2015.04.29-01")), RecordField("n", .int(3))]))
            #expect(abs(deployments.timeNanos / 1_000_000 - DialectEnvironment.nowMillis()) < 60_000)
        }
    }

    @Test("Captured signalfx-python events (gzip and plain, protobuf and JSON) are stored", arguments: S.eventFixtures)
    func fixtureEventsStored(_ name: String) async throws {
        let request = try S.fixture(name)
        let headers = H.headers(contentType: request["content_type"] as? String, encoding: request["content_encoding"] as? String)
        let raw = S.fixtureBodies(request).raw
        try await H.withApp { client, _, records in
            try await client.execute(uri: "/v2/event", method: .post, headers: headers, body: ByteBuffer(bytes: raw)) { response in
                #expect(response.status == .ok && H.body(response) == "\"OK\"")
            }
            let events = try await H.events(records)
            #expect(events.map { $0[field: "title"] } == [.string("capture.deploy")])
            #expect(events.first?[field: "properties"]?[member: "green"] == .bool(true))
        }
    }

    @Test("Vector 30 and 32: an unparseable event body is 400 with nothing stored")
    func invalidEvents() async throws {
        try await H.withApp { client, _, records in
            try await client.execute(uri: "/v2/event", method: .post, headers: H.headers(), body: ByteBuffer(string: "INVALID_JSON")) { response in
                #expect(response.status == .badRequest)
            }
            try await client.execute(uri: "/v2/event", method: .post, headers: H.headers(contentType: "application/x-protobuf"),
                                     body: ByteBuffer(bytes: S.bytes(hex: "0a0420c0843d"))) { response in
                #expect(response.status == .badRequest)
            }
            #expect(try await H.events(records).isEmpty)
        }
    }
}

/// The per-process memory of metric names whose metadata is written.
@Suite struct SignalFxSeenNamesTests {
    @Test("Names are unseen once per organisation, and the memory is bounded")
    func seenNames() {
        let seen = SignalFxSeenNames(capacity: 3)
        #expect(Set(seen.unseen(["a", "b"], org: OrgID("x"))) == ["a", "b"])
        seen.insert(["a", "b"], org: OrgID("x"))
        #expect(seen.unseen(["a", "b", "c"], org: OrgID("x")) == ["c"])
        #expect(Set(seen.unseen(["a"], org: OrgID("y"))) == ["a"])
        seen.insert(["c", "d"], org: OrgID("x"))
        #expect(Set(seen.unseen(["a", "c"], org: OrgID("x"))) == ["a"])
    }
}
