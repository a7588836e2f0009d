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

@testable import DialectBlueflood

/// Tokens: `t1` (tenant `836986`, ingest and query), `reader` (`836986`, query only), `other`
/// (tenant `999`), `service` (admin: any tenant).
struct BluefloodTestTokens: TokenVerifier {
    func verify(secret: String) -> Principal? {
        switch secret {
        case "t1": Principal(org: OrgID("836986"), tokenID: "t1", scopes: [.ingest, .query])
        case "reader": Principal(org: OrgID("836986"), tokenID: "reader", scopes: [.query])
        case "other": Principal(org: OrgID("999"), tokenID: "other", scopes: [.ingest, .query])
        case "service": Principal(org: OrgID("default"), tokenID: "service", scopes: [.admin])
        default: nil
        }
    }
}

/// The Blueflood routes on a router over the real embedded stores in a temporary directory.
enum BluefloodRouteHarness {
    static let tenant = "836986"

    static func withApp(_ body: @Sendable (any TestClientProtocol, any MetricStore) async throws -> Void) async throws {
        try await EmbeddedRoutesHarness.withApp(tokens: BluefloodTestTokens(), register: { environment, records, router in
            BluefloodRoutes(environment: environment, records: records).register(on: router)
        }) { client, stores in try await body(client, stores.metrics) }
    }

    static func headers(_ token: String? = "t1", contentType: String? = "application/json", _ extra: [String: String] = [:]) -> HTTPFields {
        var fields = HTTPFields()
        if let token { fields[HTTPField.Name("X-Auth-Token")!] = token }
        if let contentType { fields[.contentType] = contentType }
        for (name, value) in extra { fields[HTTPField.Name(name)!] = value }
        return fields
    }

    static func nowMillis() -> Int64 { Int64(Date().timeIntervalSince1970 * 1000) }

    static func json(_ response: TestResponse) -> Any? {
        try? JSONSerialization.jsonObject(with: Data(response.body.readableBytesView), options: [.fragmentsAllowed])
    }

    static func errors(_ response: TestResponse) -> [[String: Any]] {
        ((json(response) as? [String: Any])?["errors"] as? [[String: Any]]) ?? []
    }

    static func metricsJSON(_ names: [String], time: Int64, ttl: Int = 172_800) -> String {
        "[" + names.enumerated().map { i, name in
            #"{"collectionTime":\#(time),"ttlInSeconds":\#(ttl),"metricValue":\#(i + 1),"metricName":"\#(name)"}"#
        }.joined(separator: ",") + "]"
    }
}
