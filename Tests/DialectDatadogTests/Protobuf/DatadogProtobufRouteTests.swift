import BasinHTTP
import BasinModel
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import StorageAPI
import Testing

@testable import DialectDatadog

/// Fixed bodies made outside Swift (Python `gzip`/`zlib` and the `zstd` command, level 3, like
/// the Agent), all of one `MetricPayload`: series `pb.compressed`, host resource `agent-1`, tag
/// `env:e2e`, type 3 (gauge), unit `byte`, interval 10, points (1700000000, 1.25) and
/// (1700000010, 2.5); and one `SketchPayload`: sketch `pb.sketch`, host `agent-1`, tag
/// `env:e2e`, the §7.43 dogsketch at 1700000000 (cnt 17, min 8, max 21, sum 240).
enum DatadogProtobufFixtures {
    static let seriesRaw = "ClUKDwoEaG9zdBIHYWdlbnQtMRINcGIuY29tcHJlc3NlZBoHZW52OmUyZSIPCQAAAAAAAPQ/EIDiz6oGIg8JAAAAAAAABEAQiuLPqgYoAzIEYnl0ZUAK"
    static let seriesGzip = "H4sIAN4FD2sC/+MK5eLnYsnILy4RYk9MT80r0TUU4i1I0kvOzy0oSi0uTk2RYk/NK7NKNUpV4udkAIMv9gINj86vYoMLsDgIdIEENJiNWJIqS1IduAD4qH02VwAAAA=="
    static let seriesZstd = "KLUv/SRXhQIAVAQKVQoPCgRob3N0EgdhZ2VudC0xEg1wYi5jb21wcmVzc2VkGgdlbnY6ZTJlIg8JAPQ/EIDiz6oGBEAQiigDMgRieXRlQAoDACAQmsV/gTJGv2dd"
    static let seriesDeflate = "eJzjCuXi52LJyC8uEWJPTE/NK9E1FOItSNJLzs8tKEotLk5NkWJPzSuzSjVKVeLnZACDL/YCDY/Or2KDC7A4CHSBBDSYjViSKktSHbgA+PIW9Q=="
    static let sketchZstd = "KLUv/SR3bQMANAYKdQoJcGIuc2tldGNoEgdhZ2VudC0xIgdlbnY6ZTJlOlYIgOLPqgYQERkAIEAhADVAKTwsQDEAbkA6GQCAF4IXjheQF74XwBfQF9IX1BfWF/YX+BdCDQAAAQABBAYBAgABAAEEFAAChJCVATnhU/E="

    static func bytes(_ base64: String) -> [UInt8] { Array(Data(base64Encoded: base64)!) }
}

@Suite("DatadogProtobuf routes")
struct DatadogProtobufRouteTests {
    typealias H = DatadogIntakeExtrasHarness
    typealias F = DatadogProtobufFixtures

    static func post(
        _ client: any TestClientProtocol, _ path: String, _ body: [UInt8], encoding: String? = nil,
        contentType: String? = "application/x-protobuf"
    ) async throws -> TestResponse {
        var headers = H.headers(contentType: contentType)
        if let encoding { headers[.contentEncoding] = encoding }
        headers[HTTPField.Name("DD-Agent-Payload")!] = "4.87.0"
        return try await client.execute(uri: path, method: .post, headers: headers, body: ByteBuffer(bytes: body))
    }

    /// `[timestamp seconds: value]` of the single series a query returns.
    static func points(_ client: any TestClientProtocol, _ query: String, from: Int64 = 1_699_999_990, to: Int64 = 1_700_000_100) async throws -> [Int64: Double] {
        let encoded = query.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
        let response = try await H.get(client, "/api/v1/query?from=\(from)&to=\(to)&query=\(encoded)", appKey: "both-key")
        #expect(response.status == .ok, "\(H.text(response))")
        let series = H.json(response)["series"] as? [[String: Any]] ?? []
        guard series.count == 1 else {
            Issue.record("\(query): \(series.count) series: \(H.text(response))")
            return [:]
        }
        var out: [Int64: Double] = [:]
        for point in series[0]["pointlist"] as? [[Any]] ?? [] {
            if let t = point[0] as? Double, let v = point[1] as? Double { out[Int64(t / 1000)] = v }
        }
        return out
    }

    @Test("v2 protobuf bodies are stored, in every content encoding the Agent uses", arguments: [
        ("identity", F.seriesRaw), ("gzip", F.seriesGzip), ("zstd", F.seriesZstd), ("deflate", F.seriesDeflate),
    ])
    func encodings(_ encoding: String, _ base64: String) async throws {
        try await H.withApp { client, _ in
            let response = try await Self.post(client, "/api/v2/series", F.bytes(base64), encoding: encoding)
            #expect(response.status == .accepted, "\(H.text(response))")
            #expect(H.text(response) == #"{"errors": []}"#)
            let got = try await Self.points(client, "avg:pb.compressed{host:agent-1,env:e2e}")
            #expect(got == [1_700_000_000: 1.25, 1_700_000_010: 2.5])
            let metadata = H.json(try await H.get(client, "/api/v1/metrics/pb.compressed", appKey: "both-key"))
            #expect(metadata["unit"] as? String == "byte")
            #expect(metadata["type"] as? String == "gauge")
            #expect(metadata["statsd_interval"] as? Int == 10)
        }
    }

    @Test("without Content-Type a protobuf body is sniffed; JSON still works on the same route")
    func sniffing() async throws {
        try await H.withApp { client, _ in
            var response = try await Self.post(client, "/api/v2/series", F.bytes(F.seriesZstd), encoding: "zstd", contentType: nil)
            #expect(response.status == .accepted, "\(H.text(response))")
            response = try await Self.post(client, "/api/v2/series", Array(#"{"series":[{"metric":"pb.json","type":3,"points":[{"timestamp":1700000000,"value":7}]}]}"#.utf8), contentType: "application/json")
            #expect(response.status == .accepted)
            // The Agent's diagnose probe: `{}` even under the protobuf type.
            response = try await Self.post(client, "/api/v2/series", Array("{}".utf8))
            #expect(response.status == .accepted)
            #expect(try await Self.points(client, "pb.json{*}") == [1_700_000_000: 7])
            #expect(try await Self.points(client, "pb.compressed{*}") == [1_700_000_000: 1.25, 1_700_000_010: 2.5])
        }
    }

    @Test("errors: malformed protobuf 400, zstd without Content-Encoding 400 with a hint, empty body 202, no key 403")
    func errors() async throws {
        try await H.withApp { client, _ in
            var response = try await Self.post(client, "/api/v2/series", [0x0A, 0x7F, 0x01])
            #expect(response.status == .badRequest)
            #expect((H.json(response)["errors"] as? [String])?.first?.contains("runs past the end") == true)
            response = try await Self.post(client, "/api/v2/series", F.bytes(F.seriesZstd))
            #expect(response.status == .badRequest)
            #expect(H.text(response).contains("Content-Encoding: zstd"))
            response = try await Self.post(client, "/api/v2/series", [])
            #expect(response.status == .accepted)
            var headers = H.headers(apiKey: nil, contentType: "application/x-protobuf")
            headers[.contentEncoding] = "zstd"
            response = try await client.execute(uri: "/api/v2/series", method: .post, headers: headers, body: ByteBuffer(bytes: F.bytes(F.seriesZstd)))
            #expect(response.status == .forbidden)
        }
    }

    @Test("sketches: zstd SketchPayload is stored as a distribution and answers every aggregator", arguments: ["/api/beta/sketches", "/api/v1/sketches"])
    func sketches(_ path: String) async throws {
        try await H.withApp { client, _ in
            let response = try await Self.post(client, path, F.bytes(F.sketchZstd), encoding: "zstd")
            #expect(response.status == .accepted, "\(H.text(response))")
            #expect(H.text(response) == "{}")
            let metadata = H.json(try await H.get(client, "/api/v1/metrics/pb.sketch", appKey: "both-key"))
            #expect(metadata["type"] as? String == "distribution")
            let t: Int64 = 1_700_000_000
            #expect(try await Self.points(client, "count:pb.sketch{*}")[t] == 17)
            #expect(try await Self.points(client, "sum:pb.sketch{env:e2e}")[t] == 240)
            #expect(try await Self.points(client, "min:pb.sketch{host:agent-1}")[t] == 8)
            #expect(try await Self.points(client, "max:pb.sketch{*}")[t] == 21)
            let avg = try await Self.points(client, "avg:pb.sketch{*}")[t] ?? .nan
            #expect(abs(avg - 240.0 / 17) < 1e-9)
            // §7.43 (the Agent's interpolated values) within 1 %.
            for (aggregator, expected) in [("p50", 13.18), ("p75", 14.84), ("p90", 15.19), ("p95", 15.55)] {
                let got = try await Self.points(client, "\(aggregator):pb.sketch{*}")[t] ?? .nan
                #expect(abs(got - expected) <= expected * 0.01, "\(aggregator): \(got) vs \(expected)")
            }
        }
    }

    @Test("sketches: JSON bodies and malformed protobuf get 400; no key 403")
    func sketchErrors() async throws {
        try await H.withApp { client, _ in
            var response = try await Self.post(client, "/api/beta/sketches", Array("{}".utf8), contentType: "application/json")
            #expect(response.status == .badRequest)
            #expect(H.text(response).contains("SketchPayload"))
            response = try await Self.post(client, "/api/beta/sketches", [0x0A, 0x04, 0x3A, 0x02, 0x3A, 0x05])
            #expect(response.status == .badRequest)
            var headers = H.headers(apiKey: "read-key", contentType: "application/x-protobuf")
            headers[.contentEncoding] = "zstd"
            response = try await client.execute(uri: "/api/beta/sketches", method: .post, headers: headers, body: ByteBuffer(bytes: F.bytes(F.sketchZstd)))
            #expect(response.status == .forbidden)
        }
    }
}
