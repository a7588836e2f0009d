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

@testable import DialectAxiom

/// Four fixed tokens of organisation `acme`, one per scope and one with all.
struct AxiomTestTokens: TokenVerifier {
    func verify(secret: String) -> Principal? {
        switch secret {
        case "ingest-token": Principal(org: OrgID("acme"), tokenID: "t-ingest", scopes: [.ingest])
        case "query-token": Principal(org: OrgID("acme"), tokenID: "t-query", scopes: [.query])
        case "admin-token": Principal(org: OrgID("acme"), tokenID: "t-admin", scopes: [.admin])
        case "all-token": Principal(org: OrgID("acme"), tokenID: "t-all", scopes: [.ingest, .query, .admin])
        default: nil
        }
    }
}

/// Collects a response body.
final class AxiomBodyBox: @unchecked Sendable {
    var buffer = ByteBuffer()
}

struct AxiomCollectingWriter: ResponseBodyWriter {
    let box: AxiomBodyBox
    mutating func write(_ buffer: ByteBuffer) async throws {
        var copy = buffer
        box.buffer.writeBuffer(&copy)
    }
    consuming func finish(_ trailingHeaders: HTTPFields?) async throws {}
}

/// Routes over a fresh test store, and request helpers.
struct AxiomRouteHarness {
    let store = AxiomTestRecordStore()
    var options = AxiomRoutesOptions()
    var limits = HTTPLimits()

    var routes: AxiomRoutes {
        AxiomRoutes(
            environment: DialectEnvironment(
                store: InMemoryMetricStore(), tokens: AxiomTestTokens(), limits: limits, selfMetrics: SelfMetrics(),
                logger: Logger(label: "test")),
            records: store, options: options)
    }

    static let acme = OrgID("acme")

    static func request(
        _ method: HTTPRequest.Method = .post, path: String, token: String? = "all-token", headers: [String: String] = [:], body: ByteBuffer
    ) -> Request {
        var fields = HTTPFields()
        if let token { fields[.authorization] = "Bearer \(token)" }
        for (name, value) in headers { fields[HTTPField.Name(name)!] = value }
        let head = HTTPRequest(method: method, scheme: "http", authority: "localhost", path: path, headerFields: fields)
        return Request(head: head, body: RequestBody(buffer: body))
    }

    static func request(
        _ method: HTTPRequest.Method = .post, path: String, token: String? = "all-token", headers: [String: String] = [:], body: String = ""
    ) -> Request {
        request(method, path: path, token: token, headers: headers, body: ByteBuffer(string: body))
    }

    static func text(_ response: Response) async throws -> String {
        let box = AxiomBodyBox()
        try await response.body.write(AxiomCollectingWriter(box: box))
        return String(buffer: box.buffer)
    }

    static func base64(_ text: String) -> ByteBuffer {
        ByteBuffer(bytes: Data(base64Encoded: text) ?? Data())
    }

    /// Creates dataset `name` in organisation `acme`.
    func create(_ name: String, description: String = "") async throws {
        _ = try await store.createDataset(org: Self.acme, DatasetSpec(name: name, description: description))
    }
}
