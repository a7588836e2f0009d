import BasinModel
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import StorageAPI
import Testing

@testable import DialectBlueflood

/// Blueflood's `/v1.0/…/experimental/…` aliases (spec §2), Repose's `/limits` (§1), and the
/// client TTL seen through the store's other readers.
@Suite("Blueflood legacy paths, limits and TTL")
struct BluefloodLegacyRoutesTests {
    typealias H = BluefloodRouteHarness
    static let v1 = "/v1.0/\(BluefloodRouteHarness.tenant)/experimental"

    @Test("v1.0 ingest, multi-tenant ingest and statsd aliases store like their v2.0 routes")
    func ingestAliases() async throws {
        try await H.withApp { client, store in
            let now = H.nowMillis()
            try await client.execute(
                uri: Self.v1 + "/metrics", method: .post, headers: H.headers(), body: ByteBuffer(string: H.metricsJSON(["legacy.a"], time: now))
            ) { r in
                #expect(r.status == .ok)
                #expect(r.body.readableBytes == 0)
            }
            let multi = #"[{"tenantId":"tenantOne","collectionTime":\#(now),"ttlInSeconds":3600,"metricValue":2,"metricName":"legacy.multi"}]"#
            try await client.execute(
                uri: "/v1.0/multitenant/experimental/metrics", method: .post, headers: H.headers("t1"), body: ByteBuffer(string: multi)
            ) { r in
                #expect(r.status == .unauthorized, "t1 does not belong to tenantOne")
            }
            try await client.execute(
                uri: "/v1.0/multitenant/experimental/metrics", method: .post, headers: H.headers("service"), body: ByteBuffer(string: multi)
            ) { r in
                #expect(r.status == .ok)
            }
            let bundle = #"{"tenantId":"\#(H.tenant)","timestamp":\#(now),"flushInterval":15000,"gauges":[{"name":"legacy.g","value":7}]}"#
            try await client.execute(uri: Self.v1 + "/metrics/statsd", method: .post, headers: H.headers(), body: ByteBuffer(string: bundle)) { r in
                #expect(r.status == .ok)
            }
            let names = try await store.labelValues(
                org: OrgID(H.tenant), name: Labels.metricNameKey, matcherSets: [], startMillis: now - 1000, endMillis: now + 1000)
            #expect(names == ["legacy.a", "legacy.g"])
            let other = try await store.labelValues(
                org: OrgID("tenantOne"), name: Labels.metricNameKey, matcherSets: [], startMillis: now - 1000, endMillis: now + 1000)
            #expect(other == ["legacy.multi"])
            try await client.execute(uri: Self.v1 + "/metrics", method: .get, headers: H.headers(contentType: nil)) { r in
                #expect(r.status == .methodNotAllowed)
            }
        }
    }

    @Test("v1.0 metric_data views answer as the v2.0 views do")
    func viewAliases() async throws {
        try await H.withApp { client, _ in
            let now = H.nowMillis()
            try await client.execute(
                uri: "/v2.0/\(H.tenant)/ingest", method: .post, headers: H.headers(), body: ByteBuffer(string: H.metricsJSON(["old.a", "old.b"], time: now))
            ) { r in
                #expect(r.status == .ok)
            }
            let range = "from=\(now - 1000)&to=\(now + 1000)&resolution=FULL"
            var single: Any?
            try await client.execute(
                uri: Self.v1 + "/views/metric_data/old.a?" + range, method: .get, headers: H.headers(contentType: nil)
            ) { r in
                #expect(r.status == .ok)
                single = H.json(r)
            }
            try await client.execute(uri: "/v2.0/\(H.tenant)/views/old.a?" + range, method: .get, headers: H.headers(contentType: nil)) { r in
                #expect(NSDictionary(dictionary: H.json(r) as? [String: Any] ?? [:]) == NSDictionary(dictionary: single as? [String: Any] ?? ["": 0]))
            }
            try await client.execute(
                uri: Self.v1 + "/views/metric_data?" + range, method: .post, headers: H.headers(), body: ByteBuffer(string: #"["old.a","old.b"]"#)
            ) { r in
                #expect(r.status == .ok)
                let metrics = try #require((H.json(r) as? [String: Any])?["metrics"] as? [[String: Any]])
                #expect(metrics.compactMap { $0["metric"] as? String }.sorted() == ["old.a", "old.b"])
            }
            try await client.execute(uri: Self.v1 + "/views/metric_data/old.a?" + range, method: .get, headers: H.headers("other", contentType: nil)) { r in
                #expect(r.status == .unauthorized)
            }
        }
    }

    @Test("/limits lists no rate limits for the token's tenant and refuses other tenants")
    func limits() async throws {
        try await H.withApp { client, _ in
            try await client.execute(uri: "/v2.0/\(H.tenant)/limits", method: .get, headers: H.headers(contentType: nil)) { r in
                #expect(r.status == .ok)
                let limits = try #require((H.json(r) as? [String: Any])?["limits"] as? [String: Any])
                #expect((limits["rate"] as? [Any])?.isEmpty == true)
            }
            try await client.execute(uri: "/v2.0/\(H.tenant)/limits", method: .get, headers: H.headers("other", contentType: nil)) { r in
                #expect(r.status == .unauthorized)
            }
            try await client.execute(uri: "/v2.0/\(H.tenant)/limits", method: .get, headers: H.headers(nil, contentType: nil)) { r in
                #expect(r.status == .unauthorized)
            }
        }
    }

    @Test("a sample older than its ttlInSeconds is gone from every reader, while roll-ups keep their own TTL")
    func ttlExpiresEverywhere() async throws {
        try await H.withApp { client, store in
            let now = H.nowMillis()
            let hour: Int64 = 3_600_000
            // Two hours old with a one-hour TTL: expired. Ten minutes old: live.
            let body = "[" + [(now - 2 * hour, 1), (now - hour / 6, 2)].map { t, v in
                #"{"collectionTime":\#(t),"ttlInSeconds":3600,"metricValue":\#(v),"metricName":"ttl.m"}"#
            }.joined(separator: ",") + "]"
            try await client.execute(uri: "/v2.0/\(H.tenant)/ingest", method: .post, headers: H.headers(), body: ByteBuffer(string: body)) { r in
                #expect(r.status == .ok)
            }
            let name = try LabelMatcher(name: Labels.metricNameKey, op: .equal, value: "ttl.m")
            let read = try await store.select(SelectRequest(org: OrgID(H.tenant), matchers: [name], startMillis: now - 3 * hour, endMillis: now))
            #expect(read.flatMap(\.values) == [2])
            let listed = try await store.series(org: OrgID(H.tenant), matcherSets: [[name]], startMillis: now - 3 * hour, endMillis: now - hour)
            #expect(listed.isEmpty)
            try await client.execute(
                uri: "/v2.0/\(H.tenant)/views/ttl.m?from=\(now - 3 * hour)&to=\(now)&resolution=FULL", method: .get, headers: H.headers(contentType: nil)
            ) { r in
                let values = (H.json(r) as? [String: Any])?["values"] as? [[String: Any]]
                #expect(values?.compactMap { $0["average"] as? Int } == [2])
            }
            try await client.execute(
                uri: "/v2.0/\(H.tenant)/views/ttl.m?from=\(now - 3 * hour)&to=\(now)&resolution=MIN5", method: .get, headers: H.headers(contentType: nil)
            ) { r in
                let values = (H.json(r) as? [String: Any])?["values"] as? [[String: Any]]
                #expect(values?.compactMap { $0["average"] as? Int }.sorted() == [1, 2], "MIN5 roll-ups keep 10 days")
            }
        }
    }
}
