import BasinHTTP
import BasinModel
import BasinTestKit
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import StorageAPI
import Testing

@testable import DialectDynatrace

/// Accepts two fixed tokens: one with the ingest scope, one with query only.
struct FixedTokens: TokenVerifier {
    func verify(secret: String) -> Principal? {
        switch secret {
        case "ingest-token": Principal(org: OrgID("acme"), tokenID: "t1", scopes: [.ingest])
        case "query-token": Principal(org: OrgID("acme"), tokenID: "t2", scopes: [.query])
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

/// The ingest handler in process over an in-memory store: status codes and exact response bodies.
@Suite("Dynatrace ingest routes")
struct DynatraceRoutesTests {
    let store = InMemoryMetricStore()

    func routes(limits: HTTPLimits = HTTPLimits()) -> DynatraceRoutes {
        DynatraceRoutes(environment: DialectEnvironment(
            store: store, tokens: FixedTokens(), limits: limits, selfMetrics: SelfMetrics(), logger: Logger(label: "test")))
    }

    static func request(path: String = "/api/v2/metrics/ingest", headers: [String: String] = [:], body: String) -> Request {
        var fields = HTTPFields()
        for (name, value) in headers { fields[HTTPField.Name(name)!] = value }
        let head = HTTPRequest(method: .post, scheme: "http", authority: "localhost", path: path, headerFields: fields)
        return Request(head: head, body: RequestBody(buffer: ByteBuffer(string: body)))
    }

    static func bodyText(_ response: Response) async throws -> String {
        let box = BodyBox()
        try await response.body.write(CollectingWriter(box: box))
        return String(buffer: box.buffer)
    }

    static let auth = ["Authorization": "Api-Token ingest-token"]
    static let now = DialectEnvironment.nowMillis()

    /// (what, path, headers, body, status, exact response body).
    static let answers: [(what: String, path: String, headers: [String: String], body: String, status: Int, text: String)] = [
        ("7.1 #1 one valid line", "/api/v2/metrics/ingest", auth,
         "cpu.temperature,dt.entity.host=HOST-06F288EE2A930951,cpu=1 55", 202,
         #"{"linesOk":1,"linesInvalid":0,"error":null,"warnings":null}"#),
        ("7.1 #5 a renamed key is a warning", "/api/v2/metrics/ingest", auth,
         "new_user_count,region=EAST count,delta=50", 202,
         #"{"linesOk":1,"linesInvalid":0,"error":null,"warnings":{"message":"First 1 warnings reported","warningLines":[{"line":1,"warning":"metric key 'new_user_count' changed to 'new_user_count.count'"}]}}"#),
        ("7.1 #22 lower-case scheme", "/api/v2/metrics/ingest", ["Authorization": "api-token ingest-token"],
         "a.b gauge,1", 202, #"{"linesOk":1,"linesInvalid":0,"error":null,"warnings":null}"#),
        ("7.1 #22 JMeter's Api-token", "/api/v2/metrics/ingest", ["Authorization": "Api-token ingest-token"],
         "a.b gauge,1", 202, #"{"linesOk":1,"linesInvalid":0,"error":null,"warnings":null}"#),
        ("7.1 #22 api-token query parameter", "/api/v2/metrics/ingest?api-token=ingest-token", [:],
         "a.b gauge,1", 202, #"{"linesOk":1,"linesInvalid":0,"error":null,"warnings":null}"#),
        ("Managed path /e/{env}/…", "/e/abc12345/api/v2/metrics/ingest", auth,
         "a.b gauge,1", 202, #"{"linesOk":1,"linesInvalid":0,"error":null,"warnings":null}"#),
        ("any Content-Type and Accept: */*; q=0", "/api/v2/metrics/ingest",
         ["Authorization": "Api-Token ingest-token", "Content-Type": "application/octet-stream", "Accept": "*/*; q=0"],
         "a.b gauge,1", 202, #"{"linesOk":1,"linesInvalid":0,"error":null,"warnings":null}"#),
        ("7.2 #23 empty body", "/api/v2/metrics/ingest", auth, "", 400,
         #"{"linesOk":0,"linesInvalid":0,"error":{"code":400,"message":"empty request","invalidLines":[]}}"#),
        ("7.2 #24-style single invalid line", "/api/v2/metrics/ingest", auth, "1system.load 2.33154", 400,
         #"{"linesOk":0,"linesInvalid":1,"error":{"code":400,"message":"1 invalid lines","invalidLines":[{"line":1,"error":"invalid metric key"}]},"warnings":null}"#),
        ("errors and warnings together", "/api/v2/metrics/ingest", auth, "jvm.buffer.count gauge,4\nx.y gauge,min=0,max=1642,sum=0,count=0", 400,
         #"{"linesOk":1,"linesInvalid":1,"error":{"code":400,"message":"1 invalid lines","invalidLines":[{"line":2,"error":"inconsistent gauge fields: count == 0 => min, max, sum == 0: min: 0.000000, max: 1642.000000, sum: 0.000000, count: 0"}]},"warnings":{"message":"First 1 warnings reported","warningLines":[{"line":1,"warning":"metric key 'jvm.buffer.count' changed to 'jvm.buffer.count.gauge'"}]}}"#),
        ("7.2 #43 no token", "/api/v2/metrics/ingest", [:], "a.b gauge,1", 401,
         #"{"error":{"code":401,"message":"Token Authentication failed"}}"#),
        ("unknown token", "/api/v2/metrics/ingest", ["Authorization": "Api-Token nope"], "a.b gauge,1", 401,
         #"{"error":{"code":401,"message":"Token Authentication failed"}}"#),
        ("a Bearer header is not an Api-Token", "/api/v2/metrics/ingest", ["Authorization": "Bearer ingest-token"], "a.b gauge,1", 401,
         #"{"error":{"code":401,"message":"Token Authentication failed"}}"#),
        ("7.2 #44 token without the ingest scope", "/api/v2/metrics/ingest", ["Authorization": "Api-Token query-token"], "a.b gauge,1", 403,
         #"{"error":{"code":403,"message":"Token is missing required scope. Use one of: metrics.ingest (Ingest metrics)"}}"#),
        ("unknown Content-Encoding", "/api/v2/metrics/ingest", ["Authorization": "Api-Token ingest-token", "Content-Encoding": "br"], "a.b gauge,1", 415,
         #"{"error":{"code":415,"message":"unsupported Content-Encoding \"br\"; supported: gzip, deflate, zstd, identity"}}"#),
    ]

    @Test("answers with Dynatrace's status codes and exact bodies", arguments: answers)
    func answersExactly(what: String, path: String, headers: [String: String], body: String, status: Int, text: String) async throws {
        let response = await routes().ingest(Self.request(path: path, headers: headers, body: body))
        #expect(Int(response.status.code) == status, "\(what)")
        #expect(try await Self.bodyText(response) == text, "\(what)")
        #expect(response.headers[.contentType] == "application/json")
    }

    @Test("7.2 #30 valid lines are stored even when the answer is 400")
    func partialSuccessStores() async throws {
        var lines = (1...116).map { "ok.line,i=\($0) gauge,\($0)" }
        lines[18] = "x.y gauge,min=35.689672,max=35.689672,sum=35.669104,count=1"
        let response = await routes().ingest(Self.request(headers: Self.auth, body: lines.joined(separator: "\n")))
        #expect(response.status == .badRequest)
        let text = try await Self.bodyText(response)
        #expect(text.hasPrefix(#"{"linesOk":115,"linesInvalid":1,"error":{"code":400,"message":"1 invalid lines","invalidLines":[{"line":19,"error":"inconsistent gauge fields: min <= avg <= max doesn't hold: min: 35.689672, max: 35.689672, sum: 35.669104, count: 1, avg: 35.669104, tolerance: 0.000001"}]}"#))
        let stored = try await store.series(org: OrgID("acme"), matcherSets: [], startMillis: 0, endMillis: .max)
        #expect(stored.count == 115)
    }

    @Test("7.2 #31 more than 10 invalid lines: First 10 errors reported")
    func firstTenErrors() async throws {
        let body = (1...40).map { $0 % 4 == 0 ? "BAD,Key=1 1" : "ok.line,i=\($0) 1" }.joined(separator: "\n")
        let response = await routes().ingest(Self.request(headers: Self.auth, body: body))
        let text = try await Self.bodyText(response)
        #expect(text.hasPrefix(#"{"linesOk":30,"linesInvalid":10,"error":{"code":400,"message":"10 invalid lines""#))
        let more = (1...40).map { $0 % 3 == 0 ? "BAD,Key=1 1" : "ok.line,i=\($0) 1" }.joined(separator: "\n")
        let second = try await Self.bodyText(await routes().ingest(Self.request(headers: Self.auth, body: more)))
        #expect(second.hasPrefix(#"{"linesOk":27,"linesInvalid":13,"error":{"code":400,"message":"First 10 errors reported","invalidLines":[{"line":3,"#))
        #expect(second.components(separatedBy: #""line":"#).count - 1 == 10)
    }

    @Test("7.2 #42 a body over the limit is 413 in the error envelope; the limit is configurable")
    func bodyLimit() async throws {
        var limits = HTTPLimits()
        limits.maxDynatraceBodyBytes = 64
        let body = (0..<10).map { "a.b,i=\($0) gauge,1" }.joined(separator: "\n")
        let response = await routes(limits: limits).ingest(Self.request(headers: Self.auth, body: body))
        #expect(response.status == .contentTooLarge)
        #expect(try await Self.bodyText(response) == #"{"error":{"code":413,"message":"request body exceeds the limit of 64 bytes"}}"#)
        #expect(HTTPLimits().maxDynatraceBodyBytes == 1_048_576)
    }

    @Test("stores kinds: gauge, count and summary parts, with the server clock for lines without a timestamp")
    func storesKinds() async throws {
        let before = DialectEnvironment.nowMillis()
        let body = "g.one 1\nc.two count,delta=2\ns.three gauge,min=1,max=3,sum=4,count=2"
        let response = await routes().ingest(Self.request(headers: Self.auth, body: body))
        #expect(response.status == .accepted)
        let kinds = try await store.metricKinds(org: OrgID("acme"), metricName: nil)
        #expect(kinds == ["g.one": .gauge, "c.two.count": .count, "s.three": .summary, "s.three:min": .summary,
                          "s.three:max": .summary, "s.three:sum": .summary, "s.three:count": .summary])
        let samples = try await store.select(SelectRequest(
            org: OrgID("acme"), matchers: [try LabelMatcher(name: "__name__", op: .equal, value: "s.three")], startMillis: 0, endMillis: .max))
        #expect(samples.first?.values == [2])
        let at = samples.first?.timestampsMillis.first ?? 0
        #expect(at >= before && at <= DialectEnvironment.nowMillis())
    }

    @Test("7.1 #16 metadata lines go to the store with dialect dynatrace")
    func storesMetadata() async throws {
        let body = #"#cpu.temperature gauge dt.meta.unit=Cel,dt.meta.description="The temperature of the CPU",dt.meta.displayname="CPU temperature""#
        let response = await routes().ingest(Self.request(headers: Self.auth, body: body))
        #expect(response.status == .accepted)
        let metadata = try await store.metricMetadata(org: OrgID("acme"), metricName: "cpu.temperature")
        #expect(metadata["cpu.temperature"] == MetricMetadata(
            unit: "Cel", description: "The temperature of the CPU", displayName: "CPU temperature", dialect: "dynatrace"))
    }
}
