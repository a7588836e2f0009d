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

/// Tokens: `sfx` (org `acme`, ingest), `reader` (`acme`, query only).
struct SignalFxTestTokens: TokenVerifier {
    func verify(secret: String) -> Principal? {
        switch secret {
        case "sfx": Principal(org: OrgID("acme"), tokenID: "sfx", scopes: [.ingest])
        case "reader": Principal(org: OrgID("acme"), tokenID: "reader", scopes: [.query])
        default: nil
        }
    }
}

/// The SignalFx routes on a router over the real embedded stores in a temporary directory.
enum SignalFxRouteHarness {
    static let org = OrgID("acme")

    static func withApp(
        limits: HTTPLimits = HTTPLimits(),
        _ body: @Sendable (any TestClientProtocol, any MetricStore, any RecordStore) async throws -> Void
    ) async throws {
        try await EmbeddedRoutesHarness.withApp(tokens: SignalFxTestTokens(), limits: limits, register: { environment, records, router in
            SignalFxRoutes(environment: environment, records: records).register(on: router)
        }) { client, stores in try await body(client, stores.metrics, stores.records) }
    }

    static func headers(token: String? = "sfx", tokenHeader: String = "X-SF-Token", contentType: String? = "application/json", encoding: String? = nil) -> HTTPFields {
        var fields = HTTPFields()
        if let token { fields[HTTPField.Name(tokenHeader)!] = token }
        if let contentType { fields[.contentType] = contentType }
        if let encoding { fields[.contentEncoding] = encoding }
        return fields
    }

    static func body(_ response: TestResponse) -> String {
        String(buffer: response.body)
    }

    /// Every stored series of the org, rendered `kind labels [t=v ...]`, sorted.
    static func stored(_ store: any MetricStore) async throws -> [String] {
        let series = try await store.select(SelectRequest(
            org: org, matchers: [try LabelMatcher(name: "__name__", op: .regexMatch, value: ".+")], startMillis: 0, endMillis: .max))
        return series.map { s in
            "\(s.kind.name) \(s.labels) " + zip(s.timestampsMillis, s.values).map { "\($0)=\($1)" }.joined(separator: ",")
        }.sorted()
    }

    /// Every record of `_events` of the org, oldest first.
    static func events(_ records: any RecordStore) async throws -> [Record] {
        let result = try await records.scan(RecordQuery(
            org: org, dataset: ReservedDataset.events.rawValue, startNanos: 0, endNanos: .max, stages: []))
        guard case .records(let found) = result.output else { return [] }
        return found.reversed()
    }
}
