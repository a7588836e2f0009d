import BasinModel
import HTTPTypes
import HummingbirdTesting
import NIOCore
import StorageAPI
import Testing

@testable import DialectBlueflood

/// The basic-metric metadata the ingest route writes: all of it the first time, nothing while
/// names come again with the same TTL and unit, the names whose TTL or unit changed.
@Suite("BluefloodMetadataCache")
struct BluefloodMetadataCacheTests {
    static let org = OrgID("acTEST")

    /// The basic metadata of an `/ingest` body of `elements`.
    static func decoded(_ elements: [String]) throws -> BluefloodBasicMetadata {
        let intake = try #require(decodeIntake(.ingest, "[" + elements.joined(separator: ",") + "]").intake)
        return try #require(intake.basicMetadata["acTEST"])
    }

    static func basic(_ unit: String?, _ ttl: Int64) -> MetricMetadata {
        MetricMetadata(unit: unit, dialect: "blueflood", vendorType: "basic", ttlSeconds: ttl)
    }

    /// Compares `elements` with the cache and, like the route after a successful store, commits.
    static func write(_ cache: BluefloodMetadataCache, _ elements: [String]) throws -> [String: MetricMetadata] {
        let changes = cache.changes(try decoded(elements), org: org)
        cache.commit(changes, org: org)
        return changes.updates
    }

    @Test("names are written the first time, skipped while unchanged, written again when their TTL or unit changes")
    func writesOnlyChanges() throws {
        let cache = BluefloodMetadataCache()
        let first = [metricJSON("a", ttl: 60, extra: ",\"unit\":\"ms\""), metricJSON("b", ttl: 60)]
        #expect(try Self.write(cache, first) == ["a": Self.basic("ms", 60), "b": Self.basic(nil, 60)])
        #expect(try Self.write(cache, first).isEmpty)
        // No unit leaves the stored one as it is: nothing to write.
        #expect(try Self.write(cache, [metricJSON("a", ttl: 60), metricJSON("b", ttl: 60)]).isEmpty)
        #expect(try Self.write(cache, [metricJSON("a", ttl: 90, extra: ",\"unit\":\"ms\""), metricJSON("b", ttl: 60)])
            == ["a": Self.basic("ms", 90)])
        #expect(try Self.write(cache, [metricJSON("a", ttl: 90, extra: ",\"unit\":\"s\""), metricJSON("b", ttl: 60, extra: ",\"unit\":\"s\"")])
            == ["a": Self.basic("s", 90), "b": Self.basic("s", 60)])
        #expect(try Self.write(cache, [metricJSON("b", ttl: 60, extra: ",\"unit\":\"s\""), metricJSON("c", ttl: 60)])
            == ["c": Self.basic(nil, 60)])
        // Each organisation has its own names.
        let other = cache.changes(try Self.decoded(first), org: OrgID("other"))
        #expect(other.updates.count == 2)
    }

    @Test("nothing is remembered until the store took the updates")
    func commitAfterStore() throws {
        let cache = BluefloodMetadataCache()
        let body = [metricJSON("a", ttl: 60)]
        // The store failed: no commit, so the next request writes again.
        #expect(cache.changes(try Self.decoded(body), org: Self.org).updates.count == 1)
        #expect(try Self.write(cache, body).count == 1)
        #expect(try Self.write(cache, body).isEmpty)
    }

    @Test("a name another request wrote or forgot between comparison and commit is written again")
    func concurrentWrites() throws {
        let cache = BluefloodMetadataCache()
        let slow = cache.changes(try Self.decoded([metricJSON("a", ttl: 60)]), org: Self.org)
        #expect(try Self.write(cache, [metricJSON("a", ttl: 90)]).count == 1)
        cache.commit(slow, org: Self.org)
        // Which TTL the store kept depends on the order of the two writes: neither is trusted.
        #expect(try Self.write(cache, [metricJSON("a", ttl: 90)]).count == 1)
        #expect(try Self.write(cache, [metricJSON("a", ttl: 90)]).isEmpty)
        let pending = cache.changes(try Self.decoded([metricJSON("b", ttl: 60)]), org: Self.org)
        cache.forget(["a", "b"], org: Self.org)
        cache.commit(pending, org: Self.org)
        #expect(try Self.write(cache, [metricJSON("a", ttl: 90), metricJSON("b", ttl: 60)]).count == 2)
    }

    @Test("past its capacity the cache starts over")
    func bounded() throws {
        let cache = BluefloodMetadataCache(capacity: 3)
        #expect(try Self.write(cache, [metricJSON("a", ttl: 60), metricJSON("b", ttl: 60)]).count == 2)
        #expect(try Self.write(cache, [metricJSON("a", ttl: 60), metricJSON("b", ttl: 60)]).isEmpty)
        // Two more would exceed three entries: everything is forgotten, these too.
        #expect(try Self.write(cache, [metricJSON("c", ttl: 60), metricJSON("d", ttl: 60)]).count == 2)
        #expect(try Self.write(cache, [metricJSON("a", ttl: 60)]).count == 1)
        #expect(try Self.write(cache, [metricJSON("a", ttl: 60)]).isEmpty)
    }

    @Test("through the route, the stored TTL and unit follow every change, and an unchanged name is not written")
    func routeStoresChanges() async throws {
        typealias H = BluefloodRouteHarness
        try await H.withApp { client, store in
            let now = H.nowMillis()
            let org = OrgID(H.tenant)
            let element = { (ttl: Int, unit: String?) in
                #"{"collectionTime":\#(now),"ttlInSeconds":\#(ttl),"metricValue":1,"metricName":"cached.metric""#
                    + (unit.map { #","unit":"\#($0)""# } ?? "") + "}"
            }
            // (ttlInSeconds, unit sent, unit stored): no unit leaves the stored one as it is.
            let steps: [(ttl: Int, unit: String?, stored: String)] = [
                (600, "ms", "ms"), (600, "ms", "ms"), (600, nil, "ms"), (900, nil, "ms"), (900, "s", "s"), (900, "s", "s"),
            ]
            for (ttl, unit, expected) in steps {
                try await client.execute(
                    uri: "/v2.0/\(H.tenant)/ingest", method: .post, headers: H.headers(), body: ByteBuffer(string: "[" + element(ttl, unit) + "]")
                ) { r in #expect(r.status == .ok) }
                let stored = try await store.metricMetadata(org: org, metricName: "cached.metric")["cached.metric"]
                #expect(stored?.ttlSeconds == Int64(ttl))
                #expect(stored?.unit == expected)
                #expect(stored?.vendorType == "basic")
            }
            // An unchanged name is not written again: a TTL set behind the route's back stays.
            try await store.updateMetricMetadata(org: org, metricName: "cached.metric", MetricMetadata(ttlSeconds: 5))
            try await client.execute(
                uri: "/v2.0/\(H.tenant)/ingest", method: .post, headers: H.headers(), body: ByteBuffer(string: "[" + element(900, "s") + "]")
            ) { r in #expect(r.status == .ok) }
            #expect(try await store.metricMetadata(org: org, metricName: "cached.metric")["cached.metric"]?.ttlSeconds == 5)
        }
    }
}
