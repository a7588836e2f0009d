import BasinWire
import Foundation
import NIOCore
import Testing

@testable import DialectSignalFx

/// Reads a fixture of `Fixtures/Traces/`.
enum TraceFixtures {
    static func url(_ name: String) -> URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/Traces/\(name)")
    }

    static func bytes(_ name: String) throws -> ByteBuffer {
        ByteBuffer(bytes: try Data(contentsOf: url(name)))
    }
}

@Suite("SignalFx trace decoder")
struct SignalFxTraceDecoderTests {
    /// A fixture and what it decodes to, in summary.
    struct Case: Sendable, CustomTestStringConvertible {
        var file: String
        var kinds: [ZipkinSpanKind?]
        var rejections: [String]
        var testDescription: String { file }
    }

    static let cases: [Case] = [
        Case(file: "zipkin-v2-basic.json", kinds: [.client, .server], rejections: []),
        Case(file: "zipkin-v1-shared.json", kinds: [.client, .server], rejections: []),
        Case(file: "zipkin-v1-client.json", kinds: [.client, nil], rejections: []),
        Case(file: "vector-37-v2-binary-annotations.json", kinds: [.server], rejections: ["zipkinV2BinaryAnnotations:0000000000000002"]),
        Case(file: "vector-38-zero-parent.json", kinds: [.server], rejections: []),
        Case(file: "invalid-ids.json", kinds: [nil], rejections: [
            "invalidTraceID:0000000000000002", "zeroTraceID:0000000000000003",
            "invalidSpanID:00000000000000000004", "zeroStartTime:0000000000000005",
        ]),
    ]

    static func decode(_ file: String) throws -> ZipkinDecodeResult {
        try ZipkinSpanDecoder().decode(try TraceFixtures.bytes(file))
    }

    @Test("each fixture decodes to the expected spans and rejections", arguments: cases)
    func fixtures(_ c: Case) throws {
        let result = try Self.decode(c.file)
        #expect(result.spans.map(\.kind) == c.kinds)
        #expect(result.rejections.map { "\($0.reason.rawValue):\($0.spanId)" } == c.rejections)
        for span in result.spans {
            #expect(span.traceId.utf8.count == 32)
            #expect(span.id.utf8.count == 16)
        }
    }

    @Test("a Zipkin v2 span keeps every member, ids normalised and typed tags as text")
    func v2Members() throws {
        let spans = try Self.decode("zipkin-v2-basic.json").spans
        let client = spans[0]
        #expect(client.traceId == "00000000000000005af7183fb1d4cf5f")
        #expect(client.originalTraceId == "5af7183fb1d4cf5f")
        #expect(client.reportedTraceId == "5af7183fb1d4cf5f")
        #expect(client.parentId == "6b221d5bc9e6496c")
        #expect(client.name == "get /api")
        #expect(client.timestampMicros == 1_556_604_172_355_737)
        #expect(client.durationMicros == 1431)
        #expect(client.localEndpoint == ZipkinEndpoint(serviceName: "frontend", ipv4: "192.168.99.1", port: 8081))
        #expect(client.remoteEndpoint == ZipkinEndpoint(serviceName: "backend", ipv4: "172.19.0.2", port: 9000))
        #expect(client.annotations == [ZipkinAnnotation(timestampMicros: 1_556_604_172_356_000, value: "wire send")])
        #expect(client.tags == ["http.method": "GET", "http.path": "/api", "http.status_code": "200", "error": "false"])
        let server = spans[1]
        #expect(server.remoteEndpoint == nil)
        #expect(server.localEndpoint == ZipkinEndpoint(serviceName: "frontend", ipv6: "::1"))
        #expect(server.debug == true && server.shared == false)
    }

    @Test("a v1 span shared by client and server becomes a client span and a shared server span")
    func v1Shared() throws {
        let spans = try Self.decode("zipkin-v1-shared.json").spans
        let client = spans[0], server = spans[1]
        #expect(client.id == server.id)
        #expect(client.parentId == nil)
        #expect(client.localEndpoint?.serviceName == "frontend")
        #expect(client.remoteEndpoint == ZipkinEndpoint(serviceName: "backend", ipv4: "192.168.1.3", port: 9000))
        #expect(client.timestampMicros == 1_472_470_996_199_000)
        #expect(client.durationMicros == 207_000)
        #expect(client.annotations.map(\.value) == ["ws", "wr"])
        #expect(client.tags == ["clnt/finagle.version": "6.36.0"])
        #expect(client.shared == nil)
        #expect(server.shared == true)
        #expect(server.localEndpoint == ZipkinEndpoint(serviceName: "backend", ipv4: "192.168.1.3", port: 9000))
        #expect(server.remoteEndpoint == ZipkinEndpoint(serviceName: "frontend", ipv4: "192.168.1.2", port: 50000))
        #expect(server.timestampMicros == 1_472_470_996_250_000)
        #expect(server.durationMicros == 100_000)
        #expect(server.tags == ["http.path": "/api"])
    }

    @Test("a v1 client span takes its times from cs/cr and its remote from sa; a local span its endpoint from lc")
    func v1ClientAndLocal() throws {
        let spans = try Self.decode("zipkin-v1-client.json").spans
        let client = spans[0], local = spans[1]
        #expect(client.traceId == "463ac35c9f6413ad48485a3953bb6124")
        #expect(client.originalTraceId == "463AC35C9F6413AD48485A3953BB6124")
        #expect(client.id == "000000000000000a")
        #expect(client.timestampMicros == 1_472_470_996_300_000)
        #expect(client.durationMicros == 40_000)
        #expect(client.localEndpoint == ZipkinEndpoint(serviceName: "backend", ipv4: "192.168.1.3"))
        #expect(client.remoteEndpoint == ZipkinEndpoint(serviceName: "mysql", ipv4: "10.0.0.9", port: 3306))
        #expect(client.tags == ["sql.query": "select 1", "rows": "12"])
        #expect(local.originalTraceId == nil)
        #expect(local.kind == nil)
        #expect(local.localEndpoint?.serviceName == "backend")
        #expect(local.tags == ["lc": "cache"])
        #expect(local.durationMicros == 5000)
    }

    @Test("an all-zero parentId is a root span (vector 38)")
    func zeroParent() throws {
        let span = try #require(try Self.decode("vector-38-zero-parent.json").spans.first)
        #expect(span.parentId == nil)
    }

    @Test("an empty array and an empty body decode to nothing (vector 34)", arguments: ["[]", "", " [ ] "])
    func empty(_ body: String) throws {
        let result = try ZipkinSpanDecoder().decode(ByteBuffer(string: body))
        #expect(result.spans.isEmpty && result.rejections.isEmpty)
    }

    /// Bodies refused whole, and a fragment of the message.
    static let refused: [(body: String, message: String)] = [
        ("{}", "expected an array"),                                  // vector 35
        ("[1]", "expected an object"),
        ("[{", "unexpected end"),
        ("INVALID_JSON", "expected an array"),
        (#"[{"traceId":5}]"#, "expected a string"),
        (#"[{"id":"1"}] x"#, "unexpected data"),
        (#"[{"tags":{"a":[[[[[[[[1]]]]]]]]}}]"#, "nested deeper than 8"),
        (#"[{"id":"1"},{"id":"2"},{"id":"3"}]"#, "more than 2 spans in one request (maxSpansPerRequest)"),
    ]

    @Test("a body that is not a JSON array of span objects, or passes a request limit, is refused whole", arguments: 0..<refused.count)
    func refusedWhole(_ index: Int) {
        var limits = SignalFxTraceLimits()
        limits.maxSpansPerRequest = 2
        let (body, message) = Self.refused[index]
        do {
            _ = try ZipkinSpanDecoder(limits: limits).decode(ByteBuffer(string: body))
            Issue.record("\(body) decoded")
        } catch {
            #expect(error.message.contains(message), "\(error.message)")
        }
    }

    /// A span over a per-span limit, and the limit's name.
    static let oversized: [(span: String, limit: String)] = [
        (#""name":"\#(String(repeating: "n", count: 20))""#, "maxNameBytes"),
        (#""tags":{"k":"\#(String(repeating: "v", count: 20))"}"#, "maxTagValueBytes"),
        (#""tags":{"\#(String(repeating: "k", count: 20))":"v"}"#, "maxTagKeyBytes"),
        (#""tags":{"a":"1","b":"2","c":"3","d":"4"}"#, "maxTagsPerSpan"),
        (#""annotations":[{"timestamp":1,"value":"a"},{"timestamp":2,"value":"b"},{"timestamp":3,"value":"c"},{"timestamp":4,"value":"d"}]"#, "maxAnnotationsPerSpan"),
        (#""localEndpoint":{"serviceName":"\#(String(repeating: "s", count: 20))"}"#, "maxNameBytes"),
    ]

    @Test("a span over a per-span limit is dropped as spanTooLargeDropped, naming the limit; the rest is kept", arguments: 0..<oversized.count)
    func perSpanLimits(_ index: Int) throws {
        var limits = SignalFxTraceLimits()
        limits.maxNameBytes = 10
        limits.maxTagKeyBytes = 10
        limits.maxTagValueBytes = 10
        limits.maxTagsPerSpan = 3
        limits.maxAnnotationsPerSpan = 3
        let (member, limit) = Self.oversized[index]
        let body = #"[{"traceId":"1","id":"2","timestamp":1,"kind":"CLIENT",\#(member)},{"traceId":"1","id":"3","timestamp":1}]"#
        let result = try ZipkinSpanDecoder(limits: limits).decode(ByteBuffer(string: body))
        #expect(result.spans.map(\.id) == ["0000000000000003"])
        #expect(result.rejections.map(\.reason) == [.spanTooLargeDropped])
        #expect(result.limitProblem?.contains(limit) == true, "\(result.limitProblem ?? "")")
    }

    @Test("timestamps may be floats (truncated) and null members are absent")
    func floatsAndNulls() throws {
        let body = #"[{"traceId":"1","id":"2","timestamp":1556604172355737.9,"duration":null,"name":null,"kind":"server","tags":{"a":null}}]"#
        let span = try #require(try ZipkinSpanDecoder().decode(ByteBuffer(string: body)).spans.first)
        #expect(span.timestampMicros == 1_556_604_172_355_737)
        #expect(span.durationMicros == nil && span.name == nil)
        #expect(span.kind == .server)
        #expect(span.tags.isEmpty)
    }
}
