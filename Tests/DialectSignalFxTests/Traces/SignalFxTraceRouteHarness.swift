import BasinHTTP
import BasinIntakeConformance
import BasinModel
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import StorageAPI
import StorageEngine

@testable import DialectSignalFx

/// Tokens: `sfx` (org `acme`, ingest), `grafana` (`acme`, query), `other` (org `other`, ingest
/// and query).
struct SignalFxTraceTestTokens: TokenVerifier {
    func verify(secret: String) -> Principal? {
        switch secret {
        case "sfx": Principal(org: OrgID("acme"), tokenID: "sfx", scopes: [.ingest])
        case "grafana": Principal(org: OrgID("acme"), tokenID: "grafana", scopes: [.query])
        case "other": Principal(org: OrgID("other"), tokenID: "other", scopes: [.ingest, .query])
        default: nil
        }
    }
}

/// The trace routes on a router over the real embedded stores in a temporary directory.
enum SignalFxTraceRouteHarness {
    static func withApp(
        options: SignalFxTraceRoutesOptions = SignalFxTraceRoutesOptions(),
        _ body: @Sendable (any TestClientProtocol, any RecordStore) async throws -> Void
    ) async throws {
        try await EmbeddedRoutesHarness.withApp(tokens: SignalFxTraceTestTokens(), register: { environment, records, router in
            SignalFxTraceRoutes(environment: environment, records: records, options: options).register(on: router)
        }) { client, stores in try await body(client, stores.records) }
    }

    /// Intake headers: `X-SF-Token` spelled as clients spell it.
    static func ingest(_ token: String? = "sfx", header: String = "X-SF-Token", contentType: String? = "application/json", _ extra: [String: String] = [:]) -> HTTPFields {
        var fields = HTTPFields()
        if let token { fields[HTTPField.Name(header)!] = token }
        if let contentType { fields[.contentType] = contentType }
        for (name, value) in extra { fields[HTTPField.Name(name)!] = value }
        return fields
    }

    /// Read headers as Grafana sends them: a bearer token, or basic auth.
    static func read(bearer: String? = "grafana", basicPassword: String? = nil) -> HTTPFields {
        var fields = HTTPFields()
        if let bearer { fields[.authorization] = "Bearer \(bearer)" }
        if let basicPassword { fields[.authorization] = "Basic " + Data("grafana:\(basicPassword)".utf8).base64EncodedString() }
        return fields
    }

    /// A fixture with its 2016 and 2019 timestamps moved to the current second (the store drops
    /// records older than its retention).
    static func fixture(_ name: String, second: Int64 = Int64(Date().timeIntervalSince1970)) throws -> ByteBuffer {
        let text = String(buffer: try TraceFixtures.bytes(name))
            .replacingOccurrences(of: "1556604172", with: "\(second)")
            .replacingOccurrences(of: "1472470996", with: "\(second)")
        return ByteBuffer(string: text)
    }

    static func nowMicros() -> Int64 { Int64(Date().timeIntervalSince1970 * 1_000_000) }

    static func json(_ response: TestResponse) -> Any? {
        try? JSONSerialization.jsonObject(with: Data(response.body.readableBytesView), options: [.fragmentsAllowed])
    }

    static func text(_ response: TestResponse) -> String { String(buffer: response.body) }

    /// A small v2 trace of two spans starting `at`: `frontend` calls `backend`.
    static func trace(_ traceId: String, at start: Int64, root: String = "get /", child: String = "query") -> String {
        """
        [{"traceId":"\(traceId)","id":"000000000000000a","kind":"SERVER","name":"\(root)","timestamp":\(start),"duration":5000,
          "localEndpoint":{"serviceName":"frontend","ipv4":"10.0.0.1"},"tags":{"http.method":"GET","http.status_code":"200"}},
         {"traceId":"\(traceId)","id":"000000000000000b","parentId":"000000000000000a","kind":"CLIENT","name":"\(child)",
          "timestamp":\(start + 100),"duration":3000,"localEndpoint":{"serviceName":"frontend"},
          "remoteEndpoint":{"serviceName":"backend","port":9000},"annotations":[{"timestamp":\(start + 150),"value":"wire send"}],
          "tags":{"error":"timeout"}}]
        """
    }
}
