import BasinHTTP
import BasinModel
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import StorageAPI
import Testing

@testable import DialectDatadog

private typealias H = DatadogIntakeExtrasHarness

@Suite("DatadogIntakeExtras routes")
struct DatadogIntakeExtrasRouteTests {
    @Test("check_run stores datadogpy's object and the api-client's array; 202 with the recorded body")
    func serviceChecks() async throws {
        try await H.withApp { client, stores in
            var response = try await H.post(client, "/api/v1/check_run", #"{"check": "app.ok", "host_name": "h", "status": 2, "message": "boom", "tags": ["a:b"]}"#)
            #expect(response.status == .accepted)
            #expect(H.text(response) == #"{"status": "ok"}"#)
            response = try await H.post(client, "/api/v1/check_run", #"[{"check":"app.ok","host_name":"host","status":0,"tags":["test:x"]}]"#)
            #expect(response.status == .accepted)
            response = try await H.post(client, "/api/v1/check_run", "{}")
            #expect(response.status == .accepted)
            let records = try await H.records(stores, "_service_checks")
            #expect(records.count == 2)
            #expect(Set(records.compactMap { $0[field: "status"] }) == [.int(2), .int(0)])
            response = try await H.post(client, "/api/v1/check_run", #"[{"check":"x","host_name":"h","status":7,"tags":[]}]"#)
            #expect(response.status == .badRequest)
            #expect((H.json(response)["errors"] as? [String])?.first?.contains("status") == true)
            response = try await H.post(client, "/api/v1/check_run", "[]", apiKey: nil)
            #expect(response.status == .forbidden)
            #expect(H.text(response) == #"{"errors": ["API key required"]}"#)
        }
    }

    @Test("An event posted is answered with its id, found by id and listed with filters")
    func eventsRoundTrip() async throws {
        try await H.withApp { client, _ in
            let now = H.nowSeconds()
            var response = try await H.post(client, "/api/v1/events",
                #"{"title":"Deploy","text":"done","tags":["env:prod","service:api"],"priority":"low","source_type_name":"jenkins","date_happened":\#(now)}"#)
            #expect(response.status == .accepted)
            let body = H.json(response)
            #expect(body["status"] as? String == "ok")
            let event = try #require(body["event"] as? [String: Any])
            let idString = try #require(event["id_str"] as? String)
            #expect((event["id"] as? NSNumber)?.int64Value == Int64(idString))
            #expect(event["date_happened"] as? Int == Int(now))
            #expect(event["url"] as? String == "/event/event?id=\(idString)")

            response = try await H.get(client, "/api/v1/events/\(idString)")
            #expect(response.status == .ok)
            let got = try #require(H.json(response)["event"] as? [String: Any])
            #expect(got["title"] as? String == "Deploy")
            #expect(got["priority"] as? String == "low")
            #expect(got["source_type_name"] as? String == "jenkins")

            _ = try await H.post(client, "/api/v1/events", #"{"title":"Other","text":"x","tags":["env:dev"]}"#)
            func list(_ query: String) async throws -> [String] {
                // A wide window: the second event is stamped when it arrives, which on a loaded
                // machine can be well after `now`.
                let r = try await H.get(client, "/api/v1/events?start=\(now - 3_600)&end=\(now + 3_600)" + query)
                #expect(r.status == .ok)
                #expect(H.json(r)["status"] as? String == "ok")
                return (H.json(r)["events"] as? [[String: Any]] ?? []).compactMap { $0["title"] as? String }
            }
            #expect(try await list("").sorted() == ["Deploy", "Other"])
            #expect(try await list("&tags=env%3Aprod%2Cservice%3Aapi") == ["Deploy"])
            #expect(try await list("&tags=env") .sorted() == ["Deploy", "Other"])
            #expect(try await list("&priority=normal") == ["Other"])
            #expect(try await list("&sources=jenkins,nagios") == ["Deploy"])
            #expect(try await list("&unaggregated=true&exclude_aggregate=false").count == 2)
            #expect(try await list("&page=1").isEmpty)
        }
    }

    @Test("Event errors: too old, missing text, unknown id, missing start, keys without the query scope")
    func eventErrors() async throws {
        try await H.withApp { client, _ in
            var response = try await H.post(client, "/api/v1/events", #"{"date_happened":1,"tags":["test:x"],"text":"A text message.","title":"T"}"#)
            #expect(response.status == .badRequest)
            #expect(H.text(response) == #"{"errors": ["Event too far in the past"]}"#)
            response = try await H.post(client, "/api/v1/events", #"{"title":"only title"}"#)
            #expect(response.status == .badRequest)
            response = try await H.get(client, "/api/v1/events/12345")
            #expect(response.status == .notFound)
            #expect(H.text(response) == #"{"errors": ["Event not found"]}"#)
            response = try await H.get(client, "/api/v1/events/abc")
            #expect(response.status == .notFound)
            response = try await H.get(client, "/api/v1/events?end=5")
            #expect(response.status == .badRequest)
            response = try await H.get(client, "/api/v1/events?start=1&end=2", apiKey: "ingest-key")
            #expect(response.status == .forbidden)
            response = try await H.get(client, "/api/v1/events?start=1&end=2", apiKey: "ingest-key", appKey: "read-key")
            #expect(response.status == .ok)
            #expect(H.text(response) == #"{"events":[],"status":"ok"}"#)
            response = try await H.post(client, "/api/v1/events", #"{"title":"t","text":"x"}"#, apiKey: "read-key")
            #expect(response.status == .forbidden)
        }
    }

    @Test("Events written by another dialect (SignalFx layout) are listed and found by their derived id")
    func otherDialectsEvents() async throws {
        try await H.withApp { client, stores in
            let now = H.nowSeconds()
            let record = Record(timeNanos: now * 1_000_000_000 + 5, fields: [
                RecordField("title", .string("sfx.deploy")), RecordField("tags", .array([.string("host:a"), .string("env:prod")])),
                RecordField("host", .string("a")), RecordField("category", .string("USER_DEFINED")), RecordField("dialect", .string("signalfx")),
            ])
            try await stores.records.appendRecords([record], org: OrgID("acme"), dataset: "_events")
            var response = try await H.get(client, "/api/v1/events?start=\(now - 10)&end=\(now + 10)&tags=env%3Aprod")
            let events = H.json(response)["events"] as? [[String: Any]] ?? []
            #expect(events.count == 1)
            let id = try #require(events.first?["id_str"] as? String)
            #expect(events.first?["host"] as? String == "a")
            #expect(events.first?["alert_type"] as? String == "info")
            response = try await H.get(client, "/api/v1/events/\(id)")
            #expect(response.status == .ok)
            #expect((H.json(response)["event"] as? [String: Any])?["title"] as? String == "sfx.deploy")
            // Another organisation sees nothing.
            response = try await H.get(client, "/api/v1/events?start=\(now - 10)&end=\(now + 10)", apiKey: "other-key")
            #expect((H.json(response)["events"] as? [Any])?.isEmpty == true)
        }
    }

    @Test("distribution_points store count/sum/min/max and bins read back from the metric store")
    func distributionPoints() async throws {
        try await H.withApp { client, stores in
            let ts = H.nowSeconds() / 10 * 10
            var response = try await H.post(client, "/api/v1/distribution_points",
                #"{"series":[{"metric":"system.load.1.dist","points":[[\#(ts),[1.0,2.0]]],"host":"web-1"}]}"#, contentType: "text/json")
            #expect(response.status == .accepted)
            #expect(H.text(response) == #"{"status": "ok"}"#)
            let found = try await stores.metrics.select(SelectRequest(
                org: OrgID("acme"), matchers: [.equal("__name__", "system.load.1.dist")], startMillis: (ts - 1) * 1000, endMillis: (ts + 1) * 1000))
            var byStat: [String: Double] = [:]
            for series in found where series.labels["dd_dist"] != "bin" { byStat[series.labels["dd_dist"] ?? "?"] = series.values.first }
            #expect(byStat == ["count": 2, "sum": 3, "min": 1, "max": 2])
            #expect(found.filter { $0.labels["dd_dist"] == "bin" }.reduce(0) { $0 + ($1.values.first ?? 0) } == 2)
            #expect(found.allSatisfy { $0.labels["host"] == "web-1" })
            let metadata = try await stores.metrics.metricMetadata(org: OrgID("acme"), metricName: "system.load.1.dist")
            #expect(metadata["system.load.1.dist"]?.vendorType == "distribution")
            response = try await H.post(client, "/api/v1/distribution_points", #"{"series":[{"metric":"x","points":[[1475317847.0,1.0]]}]}"#)
            #expect(response.status == .badRequest)
        }
    }

    @Test("Logs: v2 answers 202 {}, v1 input 200 {}, the logs dataset is created; key errors use the logs envelope")
    func logs() async throws {
        try await H.withApp { client, stores in
            var response = try await H.post(client, "/api/v2/logs",
                #"[{"ddsource":"nginx","ddtags":"env:staging,version:5.1","hostname":"i-012345678","message":"Hello World","service":"payment","status":"info"}]"#)
            #expect(response.status == .accepted)
            #expect(H.text(response) == "{}")
            response = try await H.post(client, "/v1/input", #"[{"ddtags":"host:X","message":"Test"}]"#)
            #expect(response.status == .ok)
            #expect(H.text(response) == "{}")
            response = try await client.execute(uri: "/v1/input/both-key?ddsource=app", method: .post,
                                                headers: [.contentType: "text/plain"], body: ByteBuffer(string: "line one\nline two\n"))
            #expect(response.status == .ok)
            let logs = try await H.records(stores, "logs")
            #expect(logs.count == 4)
            response = try await H.post(client, "/api/v2/logs", "[]", apiKey: nil)
            #expect(response.status == .unauthorized)
            #expect(H.text(response) == #"{"errors":[{"status":"401","title":"Unauthorized","detail":"API key required"}]}"#)
            response = try await H.post(client, "/api/v2/logs", "[]", apiKey: "nope")
            #expect(response.status == .forbidden)
            response = try await H.post(client, "/api/v2/logs", "[1]")
            #expect(response.status == .badRequest)
            #expect((H.json(response)["errors"] as? [[String: Any]])?.first?["status"] as? String == "400")
        }
    }

    @Test("Agent housekeeping routes answer 2xx; newer intakes answer 400 with the reason", arguments: [
        ("/intake/", HTTPResponse.Status.ok), ("/intake", .ok), ("/api/v1/metadata", .ok), ("/api/v2/host_metadata", .ok),
        ("/support/flare", .ok), ("/api/v1/collector", .ok), ("/api/v0.2/traces", .ok),
        ("/api/intake/metrics/v3/series", .badRequest), ("/api/beta/sketches", .badRequest),
    ])
    func agentRoutes(_ path: String, _ status: HTTPResponse.Status) async throws {
        try await H.withApp { client, _ in
            let response = try await H.post(client, path, "{}")
            #expect(response.status == status)
            #expect(H.json(response).isEmpty == (status == .ok))
        }
    }

    @Test("Agent /intake/ events are stored in _events and listed")
    func agentIntakeEvents() async throws {
        try await H.withApp { client, _ in
            let now = H.nowSeconds()
            let response = try await H.post(client, "/intake/",
                #"{"internalHostname":"h","events":{"api":[{"msg_title":"Agent event","msg_text":"x","timestamp":\#(now),"tags":["a:b"]}]}}"#)
            #expect(response.status == .ok)
            let list = try await H.get(client, "/api/v1/events?start=\(now - 5)&end=\(now + 5)")
            #expect((H.json(list)["events"] as? [[String: Any]])?.first?["title"] as? String == "Agent event")
        }
    }
}

import Foundation
