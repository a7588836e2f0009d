import BasinHTTP
import BasinModel
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import StorageAPI
import Testing

@testable import DialectAxiom

/// The routes as registered on a router: paths, methods and path parameters reach the handlers.
@Suite("Axiom routes on a router")
struct AxiomRouterTests {
    static func withApp(_ body: @Sendable (any TestClientProtocol, AxiomTestRecordStore) async throws -> Void) async throws {
        let harness = AxiomRouteHarness()
        try await harness.create("test")
        let router = Router(context: BasinRequestContext.self)
        harness.routes.register(on: router)
        let app = Application(router: router)
        try await app.test(.router) { client in try await body(client, harness.store) }
    }

    static let auth: HTTPFields = [.authorization: "Bearer all-token", .contentType: "application/json"]

    static let routes: [(method: HTTPRequest.Method, path: String, body: String, status: Int)] = [
        (.post, "/v1/datasets/test/ingest", #"[{"a":1}]"#, 200),
        (.post, "/v1/ingest/test", #"{"a":1}"#, 200),
        (.post, "/v1/datasets/nope/ingest", #"{"a":1}"#, 404),
        (.get, "/v2/datasets", "", 200),
        (.get, "/v1/datasets", "", 200),
        (.get, "/v2/datasets/test", "", 200),
        (.get, "/v1/datasets/test", "", 200),
        (.put, "/v2/datasets/test", #"{"description":"x"}"#, 200),
        (.put, "/v1/datasets/test", #"{"description":"x"}"#, 200),
        (.get, "/v2/datasets/test/fields", "", 200),
        (.get, "/v1/datasets/test/fields", "", 200),
        (.post, "/v2/datasets/test/trim", #"{"maxDuration":"1h"}"#, 204),
        (.post, "/v1/datasets/test/trim", #"{"maxDuration":"3600s"}"#, 200),
        (.post, "/v2/datasets", #"{"name":"other"}"#, 200),
        (.post, "/v1/datasets", #"{"name":"other1"}"#, 200),
        (.get, "/v2/user", "", 200),
        (.get, "/v1/user", "", 200),
        (.delete, "/v2/datasets/test", "", 204),
    ]

    @Test("every route answers through the router")
    func registered() async throws {
        try await Self.withApp { client, _ in
            for route in Self.routes {
                try await client.execute(uri: route.path, method: route.method, headers: Self.auth, body: ByteBuffer(string: route.body)) { response in
                    #expect(Int(response.status.code) == route.status, "\(route.method) \(route.path)")
                    if response.status != .noContent {
                        #expect(response.headers[.contentType] == "application/json", "\(route.method) \(route.path)")
                    }
                }
            }
        }
    }

    @Test("APL query paths are left to the query side")
    func noAPLRoutes() async throws {
        try await Self.withApp { client, _ in
            for path in ["/v1/datasets/_apl?format=tabular", "/v1/query/_apl?format=tabular"] {
                try await client.execute(uri: path, method: .post, headers: Self.auth, body: ByteBuffer(string: #"{"apl":"['test']"}"#)) { response in
                    #expect(response.status == .notFound)
                }
            }
        }
    }
}
