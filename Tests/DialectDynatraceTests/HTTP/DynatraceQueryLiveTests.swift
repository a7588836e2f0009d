import BasinHTTP
import BasinModel
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// Lines posted to the real router on a loopback port, read back through `/api/v2/metrics/query`
/// (and a Datadog series, by its name as sent).
@Suite("Dynatrace query, live on loopback")
struct DynatraceQueryLiveTests {
    /// The decoded `MetricData` of a query.
    static func query(
        _ client: any TestClientProtocol, token: String, _ parameters: [String: String], prefix: String = ""
    ) async throws -> (status: Int, json: [String: Any]) {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        let query = parameters.sorted { $0.key < $1.key }
            .map { "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")" }.joined(separator: "&")
        return try await client.execute(
            uri: "\(prefix)/api/v2/metrics/query?\(query)", method: .get, headers: [.authorization: "Api-Token \(token)"]
        ) { response in
            let json = try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any] ?? [:]
            return (Int(response.status.code), json)
        }
    }

    /// `[dimensionMap: values]` of the first result (nulls as nil).
    static func series(_ json: [String: Any]) -> [[String: String]: [Double?]] {
        let result = (json["result"] as? [[String: Any]])?.first?["data"] as? [[String: Any]] ?? []
        var out: [[String: String]: [Double?]] = [:]
        for s in result {
            out[s["dimensionMap"] as? [String: String] ?? [:]] = (s["values"] as? [Any] ?? []).map { ($0 as? NSNumber)?.doubleValue }
        }
        return out
    }

    @Test("gauges, counts and summaries come back with their values, per slot and folded, on both paths")
    func roundTrip() async throws {
        try await DynatraceIngestLiveTests.withServer { client, admin, tokens in
            let ingest = try tokens.create(org: "default", scopes: [.ingest], name: "dt").secret
            let reader = try tokens.create(org: "default", scopes: [.query], name: "read").secret
            let now = Int64(Date().timeIntervalSince1970 * 1000)
            let ts = now / 1000 * 1000 - 5_000
            let body = """
            q.cpu,host=web-1 gauge,50 \(ts)
            q.cpu,host=web-1 gauge,70 \(ts - 1000)
            q.cpu,host=web-2 gauge,10 \(ts)
            q.requests,region=EAST count,delta=50 \(ts)
            q.requests,region=EAST count,delta=25 \(ts - 1000)
            q.latency,route=/a gauge,min=1,max=9,sum=20,count=4 \(ts)
            q.latency,route=/a gauge,min=0.5,max=2,sum=2,count=1 \(ts - 1000)
            """
            try await client.execute(
                uri: "/api/v2/metrics/ingest", method: .post, headers: [.authorization: "Api-Token \(ingest)"], body: ByteBuffer(string: body)
            ) { response in
                #expect(response.status == .accepted)
            }
            let inf = ["from": "now-10m", "resolution": "Inf"]
            let cpu = try await Self.query(client, token: reader, inf.merging(["metricSelector": "q.cpu"]) { $1 })
            #expect(cpu.status == 200)
            #expect(cpu.json["resolution"] as? String == "Inf")
            #expect(cpu.json["totalCount"] as? Int == 2)
            #expect(cpu.json["nextPageKey"] is NSNull)
            #expect(Self.series(cpu.json) == [["host": "web-1"]: [60], ["host": "web-2"]: [10]])
            let checks: [(String, [[String: String]: [Double?]])] = [
                ("q.cpu:max", [["host": "web-1"]: [70], ["host": "web-2"]: [10]]),
                ("q.cpu:splitBy():avg", [[:]: [130.0 / 3]]),
                (#"q.cpu:filter(eq("host","web-2"))"#, [["host": "web-2"]: [10]]),
                ("q.requests.count", [["region": "EAST"]: [75]]),
                ("q.latency", [["route": "/a"]: [22.0 / 5]]),
                ("q.latency:min", [["route": "/a"]: [0.5]]),
                ("q.latency:max", [["route": "/a"]: [9]]),
                ("q.latency:count", [["route": "/a"]: [5]]),
            ]
            for (selector, expected) in checks {
                let answer = try await Self.query(client, token: reader, inf.merging(["metricSelector": selector]) { $1 })
                #expect(Self.series(answer.json) == expected, "\(selector)")
            }
            // Per-minute slots: the points sit in one slot, the others are null; timestamps are slot ends.
            let slots = try await Self.query(
                client, token: reader, ["metricSelector": "q.requests.count:fold", "from": "now-10m", "resolution": "1m"], prefix: "/e/env1")
            #expect(Self.series(slots.json) == [["region": "EAST"]: [75]])
            let perMinute = try await Self.query(client, token: reader, ["metricSelector": #"q.cpu:splitBy("host")"#, "from": "now-10m", "resolution": "1m"])
            let values = Self.series(perMinute.json)[["host": "web-2"]] ?? []
            #expect(values.compactMap { $0 } == [10])
            #expect(values.count >= 10)
            let data = ((perMinute.json["result"] as? [[String: Any]])?.first?["data"] as? [[String: Any]])?.first
            let stamps = data?["timestamps"] as? [Int64] ?? []
            #expect(stamps.allSatisfy { $0 % 60_000 == 0 })
            #expect(stamps.last.map { $0 >= now } ?? false)
            // The ingest token may not read; the admin token may.
            #expect(try await Self.query(client, token: ingest, ["metricSelector": "q.cpu"]).status == 403)
            #expect(try await Self.query(client, token: admin, ["metricSelector": "q.cpu"]).status == 200)
        }
    }

    @Test("a series sent through the Datadog dialect is read by its name as sent, dots included")
    func datadogSeries() async throws {
        try await DynatraceIngestLiveTests.withServer { client, admin, _ in
            let seconds = Int64(Date().timeIntervalSince1970) - 5
            let series = #"{"series":[{"metric":"system.load.1","points":[[\#(seconds),0.5]],"type":"gauge","host":"web-1","tags":["env:prod"]}]}"#
            try await client.execute(
                uri: "/api/v1/series", method: .post, headers: [HTTPField.Name("DD-API-KEY")!: admin, .contentType: "application/json"],
                body: ByteBuffer(string: series)
            ) { response in
                #expect(response.status == .accepted)
            }
            let answer = try await Self.query(client, token: admin, ["metricSelector": "system.load.1:fold", "from": "now-10m"])
            #expect(answer.status == 200)
            #expect(Self.series(answer.json) == [["host": "web-1", "env": "prod"]: [0.5]])
        }
    }

    @Test("metadata lines show in the descriptors; the list hides a summary's statistic series")
    func descriptors() async throws {
        try await DynatraceIngestLiveTests.withServer { client, _, tokens in
            let ingest = try tokens.create(org: "default", scopes: [.ingest], name: "dt").secret
            let reader = try tokens.create(org: "default", scopes: [.query], name: "read").secret
            let body = """
            #d.temp gauge dt.meta.unit=Cel,dt.meta.description="The temperature",dt.meta.displayName="Temperature"
            d.temp,host=web-1 gauge,21
            d.lat,route=/a gauge,min=1,max=2,sum=3,count=2
            d.hits count,delta=4
            """
            try await client.execute(
                uri: "/api/v2/metrics/ingest", method: .post, headers: [.authorization: "Api-Token \(ingest)"], body: ByteBuffer(string: body)
            ) { response in
                #expect(response.status == .accepted)
            }
            try await client.execute(
                uri: "/api/v2/metrics?metricSelector=d.*&fields=%2BdefaultAggregation", method: .get, headers: [.authorization: "Api-Token \(reader)"]
            ) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body) == #"{"totalCount":3,"nextPageKey":null,"metrics":[{"metricId":"d.hits.count","displayName":"d.hits.count","description":"","unit":"Unspecified","defaultAggregation":{"type":"value"}},{"metricId":"d.lat","displayName":"d.lat","description":"","unit":"Unspecified","defaultAggregation":{"type":"avg"}},{"metricId":"d.temp","displayName":"Temperature","description":"The temperature","unit":"Cel","defaultAggregation":{"type":"avg"}}]}"#)
            }
            try await client.execute(uri: "/e/env1/api/v2/metrics/d.temp", method: .get, headers: [.authorization: "Api-Token \(reader)"]) { response in
                #expect(response.status == .ok)
                let json = try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any] ?? [:]
                #expect(json["unit"] as? String == "Cel")
                #expect((json["dimensionDefinitions"] as? [[String: Any]])?.compactMap { $0["key"] as? String } == ["host"])
            }
            try await client.execute(uri: "/api/v2/metrics/d.temp", method: .get, headers: [.authorization: "Api-Token \(ingest)"]) { response in
                #expect(response.status == .forbidden)
            }
        }
    }
}
