import BasinHTTP
import BasinModel
import BasinTestKit
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import StorageAPI
import Testing

@testable import DialectDatadog

/// Accepts two fixed keys: one with the ingest scope, one with query only.
struct FixedTokens: TokenVerifier {
    func verify(secret: String) -> Principal? {
        switch secret {
        case "ingest-key": Principal(org: OrgID("acme"), tokenID: "t1", scopes: [.ingest])
        case "query-key": Principal(org: OrgID("acme"), tokenID: "t2", scopes: [.query])
        default: nil
        }
    }
}

/// Collects a response body into a shared box.
final class BodyBox: @unchecked Sendable {
    var buffer = ByteBuffer()
}

struct CollectingWriter: ResponseBodyWriter {
    let box: BodyBox
    mutating func write(_ buffer: ByteBuffer) async throws {
        var copy = buffer
        box.buffer.writeBuffer(&copy)
    }
    consuming func finish(_ trailingHeaders: HTTPFields?) async throws {}
}

@Suite("Datadog routes")
struct DatadogRoutesTests {
    let store = InMemoryMetricStore()

    var routes: DatadogRoutes {
        DatadogRoutes(environment: DialectEnvironment(
            store: store, tokens: FixedTokens(), limits: HTTPLimits(),
            selfMetrics: SelfMetrics(), logger: Logger(label: "test")))
    }

    static func request(_ method: HTTPRequest.Method = .post, path: String = "/api/v1/series", headers: HTTPFields = [:], body: String = "") -> Request {
        let head = HTTPRequest(method: method, scheme: "http", authority: "localhost", path: path, headerFields: headers)
        return Request(head: head, body: RequestBody(buffer: ByteBuffer(string: body)))
    }

    static func bodyText(_ response: Response) async throws -> String {
        let box = BodyBox()
        try await response.body.write(CollectingWriter(box: box))
        return String(buffer: box.buffer)
    }

    static let series = #"{"series":[{"metric":"m","points":[[1700000000,1.5]],"host":"h","tags":["env:prod"]}]}"#

    @Test("stores series and answers 202 with Datadog's exact body")
    func acceptsSeries() async throws {
        let response = await routes.submitSeriesV1(Self.request(headers: [HTTPField.Name("DD-API-KEY")!: "ingest-key", .contentType: "application/json"], body: Self.series))
        #expect(response.status == .accepted)
        #expect(try await Self.bodyText(response) == #"{"status": "ok"}"#)
        #expect(response.headers[.contentType] == "application/json")
        let stored = try await store.series(org: OrgID("acme"), matcherSets: [], startMillis: 0, endMillis: .max)
        #expect(stored == [Labels(metricName: "m", [("env", "prod"), ("host", "h")])])
    }

    @Test("accepts text/json and the api_key query parameter")
    func acceptsQueryKey() async throws {
        let response = await routes.submitSeriesV1(Self.request(path: "/api/v1/series?api_key=ingest-key", headers: [.contentType: "text/json"], body: Self.series))
        #expect(response.status == .accepted)
    }

    static let failures: [(path: String, headers: [String: String], body: String, status: Int, text: String)] = [
        ("/api/v1/series", [:], series, 403, #"{"errors": ["API key required"]}"#),
        ("/api/v1/series", ["DD-API-KEY": "wrong"], series, 403, #"{"errors": ["Forbidden"]}"#),
        ("/api/v1/series", ["DD-API-KEY": "query-key"], series, 403, #"{"errors": ["Forbidden"]}"#),
        ("/api/v1/series", ["DD-API-KEY": "ingest-key"], "", 400, #"{"errors": ["empty request body, expected a JSON object with \"series\" at byte 0"]}"#),
        ("/api/v1/series", ["DD-API-KEY": "ingest-key"], "[]", 400, #"{"errors": ["payload: expected an object, found an array at byte 0"]}"#),
        ("/api/v1/series", ["DD-API-KEY": "ingest-key", "Content-Type": "application/x-protobuf"], series, 415,
         #"{"errors": ["unsupported Content-Type \"application/x-protobuf\"; send application/json or text/json"]}"#),
        ("/api/v1/series", ["DD-API-KEY": "ingest-key", "Content-Encoding": "br"], series, 415,
         #"{"errors": ["unsupported Content-Encoding \"br\"; supported: gzip, deflate, zstd, identity"]}"#),
    ]

    @Test("rejects requests with Datadog's error envelope", arguments: failures)
    func rejects(path: String, headers: [String: String], body: String, status: Int, text: String) async throws {
        var fields = HTTPFields()
        for (name, value) in headers { fields[HTTPField.Name(name)!] = value }
        let response = await routes.submitSeriesV1(Self.request(path: path, headers: fields, body: body))
        #expect(Int(response.status.code) == status)
        let received = try await Self.bodyText(response)
        #expect(received == text)
        let stored = try await store.series(org: OrgID("acme"), matcherSets: [], startMillis: 0, endMillis: .max)
        #expect(stored.isEmpty)
    }

    @Test("records the dialect and the declared interval as metric metadata, keeping the first dialect")
    func recordsMetadata() async throws {
        try await store.updateMetricMetadata(org: OrgID("acme"), metricName: "from.elsewhere", MetricMetadata(dialect: "dynatrace"))
        let body = #"{"series":[{"metric":"req.rate","type":"rate","interval":10,"points":[[1700000000,2.5]]},{"metric":"from.elsewhere","points":[[1700000000,1]]}]}"#
        let response = await routes.submitSeriesV1(Self.request(path: "/api/v1/series", headers: [HTTPField.Name("DD-API-KEY")!: "ingest-key", .contentType: "application/json"], body: body))
        #expect(response.status == .accepted)
        let metadata = try await store.metricMetadata(org: OrgID("acme"), metricName: nil)
        #expect(metadata["req.rate"] == MetricMetadata(dialect: "datadog", intervalSeconds: 10))
        #expect(metadata["from.elsewhere"] == MetricMetadata(dialect: "dynatrace"))
    }

    @Test("stores v2 JSON series and answers 202 with {\"errors\": []}")
    func acceptsSeriesV2() async throws {
        let body = #"{"series":[{"metric":"m.b","type":3,"points":[{"timestamp":1700000000,"value":0.7}],"resources":[{"name":"h","type":"host"}]}]}"#
        let response = await routes.submitSeriesV2(Self.request(path: "/api/v2/series", headers: [HTTPField.Name("DD-API-KEY")!: "ingest-key", .contentType: "application/json"], body: body))
        #expect(response.status == .accepted)
        #expect(try await Self.bodyText(response) == #"{"errors": []}"#)
        let kinds = try await store.metricKinds(org: OrgID("acme"), metricName: nil)
        #expect(kinds == ["m.b": .gauge])
    }

    @Test("reads protobuf v2 bodies; a truncated one is 400 naming the problem")
    func truncatedProtobuf() async throws {
        // 0x0A opens field 1 (a series) of every MetricPayload; nothing follows it here.
        let response = await routes.submitSeriesV2(Self.request(path: "/api/v2/series", headers: [HTTPField.Name("DD-API-KEY")!: "ingest-key", .contentType: "application/x-protobuf"], body: "\u{0A}"))
        #expect(response.status == .badRequest)
        #expect(try await Self.bodyText(response).contains("errors"))
    }

    @Test("answers 400 when every series is over a limit")
    func totalRejection() async throws {
        let name = String(repeating: "m", count: 600)
        let body = #"{"series":[{"metric":"\#(name)","points":[[1700000000,1]]}]}"#
        let response = await routes.submitSeriesV1(Self.request(headers: [HTTPField.Name("DD-API-KEY")!: "ingest-key"], body: body))
        #expect(response.status == .badRequest)
        #expect(try await Self.bodyText(response).contains("exceeds the limit of 512 bytes (maxMetricNameBytes)"))
    }

    @Test("validates keys from the header or the query string", arguments: [
        ("/api/v1/validate", "ingest-key", 200, #"{"valid": true}"#),
        ("/api/v1/validate?api_key=query-key", nil, 200, #"{"valid": true}"#),
        ("/api/v1/validate", nil, 403, #"{"errors": ["API key required"]}"#),
        ("/api/v1/validate?api_key=nope", nil, 403, #"{"errors": ["Forbidden"]}"#),
    ] as [(String, String?, Int, String)])
    func validate(path: String, key: String?, status: Int, text: String) async throws {
        var fields = HTTPFields()
        if let key { fields[HTTPField.Name("DD-API-KEY")!] = key }
        let response = routes.validate(Self.request(.get, path: path, headers: fields))
        #expect(Int(response.status.code) == status)
        #expect(try await Self.bodyText(response) == text)
    }
}
