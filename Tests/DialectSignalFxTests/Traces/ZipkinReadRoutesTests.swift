import BasinModel
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import StorageAPI
import Testing

@testable import DialectSignalFx

/// The Zipkin v2 read API as Grafana's Zipkin data source calls it.
@Suite("Zipkin read routes")
struct ZipkinReadRoutesTests {
    typealias H = SignalFxTraceRouteHarness
    static let base = "/zipkin/api/v2"

    static func post(_ client: any TestClientProtocol, _ body: String, token: String = "sfx") async throws {
        try await client.execute(uri: "/v2/trace", method: .post, headers: H.ingest(token), body: ByteBuffer(string: body)) { r in
            #expect(r.status == .ok, "\(H.text(r))")
        }
    }

    static func get(_ client: any TestClientProtocol, _ path: String, headers: HTTPFields = H.read()) async throws -> (HTTPResponse.Status, Any?, String) {
        try await client.execute(uri: base + path, method: .get, headers: headers) { r in (r.status, H.json(r), H.text(r)) }
    }

    @Test("a trace reads back by its 16- or 32-digit id, spans in the v2 shape, oldest first")
    func traceById() async throws {
        try await H.withApp { client, _ in
            let now = H.nowMicros()
            try await Self.post(client, H.trace("463ac35c9f6413ad", at: now))
            for id in ["463ac35c9f6413ad", "0000000000000000463ac35c9f6413ad", "463AC35C9F6413AD"] {
                let (status, json, text) = try await Self.get(client, "/trace/\(id)")
                #expect(status == .ok, "\(text)")
                let spans = try #require(json as? [[String: Any]])
                #expect(spans.count == 2)
                #expect(spans[0]["traceId"] as? String == "463ac35c9f6413ad")
                #expect(spans[0]["id"] as? String == "000000000000000a")
                #expect(spans[0]["kind"] as? String == "SERVER")
                #expect(spans[0]["timestamp"] as? Int64 == now)
                #expect(spans[0]["duration"] as? Int == 5000)
                #expect((spans[0]["localEndpoint"] as? [String: Any])?["serviceName"] as? String == "frontend")
                #expect((spans[0]["tags"] as? [String: String]) == ["http.method": "GET", "http.status_code": "200"])
                #expect(spans[1]["parentId"] as? String == "000000000000000a")
                #expect((spans[1]["remoteEndpoint"] as? [String: Any])?["port"] as? Int == 9000)
                #expect(((spans[1]["annotations"] as? [[String: Any]])?.first)?["value"] as? String == "wire send")
            }
        }
    }

    @Test("a 64-bit id also finds a 128-bit trace by its lower half, as Zipkin does")
    func lowerHalf() async throws {
        try await H.withApp { client, _ in
            try await Self.post(client, H.trace("5af7183fb1d4cf5f463ac35c9f6413ad", at: H.nowMicros()))
            let (status, json, _) = try await Self.get(client, "/trace/463ac35c9f6413ad")
            #expect(status == .ok)
            #expect((json as? [Any])?.count == 2)
        }
    }

    @Test("an unknown trace is 404, a malformed id 400", arguments: [("/trace/00000000000000ff", 404), ("/trace/xyz", 400)])
    func unknownTrace(_ path: String, _ status: Int) async throws {
        try await H.withApp { client, _ in
            let (got, _, _) = try await Self.get(client, path)
            #expect(Int(got.code) == status)
        }
    }

    @Test("services, span names and remote services list what was stored, for the token's organisation only")
    func names() async throws {
        try await H.withApp { client, _ in
            let now = H.nowMicros()
            try await Self.post(client, H.trace("1", at: now))
            try await Self.post(client, H.trace("2", at: now, root: "post /x"))
            try await Self.post(client, #"[{"traceId":"3","id":"1","timestamp":\#(now),"localEndpoint":{"serviceName":"secret"}}]"#, token: "other")
            #expect(try await Self.get(client, "/services").1 as? [String] == ["frontend"])
            #expect(try await Self.get(client, "/spans?serviceName=frontend").1 as? [String] == ["get /", "post /x", "query"])
            #expect(try await Self.get(client, "/spans?serviceName=FRONTEND").1 as? [String] == ["get /", "post /x", "query"])
            #expect(try await Self.get(client, "/remoteServices?serviceName=frontend").1 as? [String] == ["backend"])
            #expect(try await Self.get(client, "/spans?serviceName=nobody").1 as? [String] == [])
            #expect(try await Self.get(client, "/spans").0 == .badRequest)
        }
    }

    @Test("an organisation without traces reads as empty")
    func emptyOrg() async throws {
        try await H.withApp { client, _ in
            #expect(try await Self.get(client, "/services").1 as? [String] == [])
            let traces = try await Self.get(client, "/traces")
            #expect(traces.0 == .ok && traces.2 == "[]")
            #expect(try await Self.get(client, "/trace/1").0 == .notFound)
        }
    }

    @Test("trace search filters by service, span name, durations and annotationQuery, newest first, up to limit")
    func search() async throws {
        try await H.withApp { client, _ in
            let now = H.nowMicros()
            try await Self.post(client, H.trace("1", at: now - 2_000_000))
            try await Self.post(client, H.trace("2", at: now - 1_000_000, root: "post /x"))
            try await Self.post(client, H.trace("3", at: now - 3 * 86_400_000_000))  // outside the default lookback
            func ids(_ query: String) async throws -> [String] {
                let (status, json, text) = try await Self.get(client, "/traces?" + query)
                #expect(status == .ok, "\(text)")
                let traces = (json as? [[[String: Any]]]) ?? []
                return traces.map { ($0.first?["traceId"] as? String) ?? "?" }
            }
            #expect(try await ids("serviceName=frontend") == ["2", "1"])
            #expect(try await ids("serviceName=frontend&limit=1") == ["2"])
            #expect(try await ids("serviceName=frontend&spanName=get%20%2F") == ["1"])
            #expect(try await ids("serviceName=frontend&spanName=GET+%2F") == ["1"])  // Go and Python form encoding
            #expect(try await ids("serviceName=frontend&spanName=all") == ["2", "1"])
            #expect(try await ids("remoteServiceName=backend") == ["2", "1"])
            #expect(try await ids("minDuration=4000") == ["2", "1"])
            #expect(try await ids("minDuration=6000").isEmpty)
            #expect(try await ids("maxDuration=3000") == ["2", "1"])
            #expect(try await ids("annotationQuery=http.method%3DGET") == ["2", "1"])
            #expect(try await ids("annotationQuery=error%20and%20http.method%3DPOST").isEmpty)
            #expect(try await ids("annotationQuery=wire%20send") == ["2", "1"])
            #expect(try await ids("annotationQuery=frontend").isEmpty)
            #expect(try await ids("lookback=\(4 * 86_400_000)") == ["2", "1", "3"])
            #expect(try await ids("endTs=\(now / 1000 - 1500)&lookback=60000") == ["1"])
            let (status, _, text) = try await Self.get(client, "/traces?limit=x")
            #expect(status == .badRequest && text.contains("limit"))
            let full = try #require(try await Self.get(client, "/traces?serviceName=frontend&limit=1").1 as? [[Any]])
            #expect(full.first?.count == 2)
        }
    }

    @Test("traceMany and /traces?traceIds= return the known traces")
    func traceMany() async throws {
        try await H.withApp { client, _ in
            let now = H.nowMicros()
            try await Self.post(client, H.trace("1", at: now))
            try await Self.post(client, H.trace("2", at: now))
            for path in ["/traceMany?traceIds=1,2,3", "/traces?traceIds=0000000000000001,2,3"] {
                let traces = try #require(try await Self.get(client, path).1 as? [[[String: Any]]])
                #expect(traces.map { $0.first?["traceId"] as? String } == ["1", "2"])
            }
            #expect(try await Self.get(client, "/traceMany").0 == .badRequest)
        }
    }

    @Test("reads need a query token as bearer or basic auth password", arguments: [
        (H.read(bearer: "grafana"), 200), (H.read(bearer: nil, basicPassword: "grafana"), 200),
        (H.read(bearer: nil), 401), (H.read(bearer: "nope"), 401), (H.read(bearer: "sfx"), 401),
    ])
    func readAuth(_ headers: HTTPFields, _ status: Int) async throws {
        try await H.withApp { client, _ in
            let (got, _, _) = try await Self.get(client, "/services", headers: headers)
            #expect(Int(got.code) == status)
        }
    }

    @Test("a read returning more spans than the limit is 400 naming the limit")
    func spanLimit() async throws {
        var options = SignalFxTraceRoutesOptions()
        options.maxSpansPerQuery = 1
        try await H.withApp(options: options) { client, _ in
            try await Self.post(client, H.trace("1", at: H.nowMicros()))
            let (status, _, text) = try await Self.get(client, "/trace/1")
            #expect(status == .badRequest)
            #expect(text.contains("maxSpansPerQuery"))
        }
    }
}
