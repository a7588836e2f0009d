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

@testable import DialectDynatrace

/// Golden response bodies of `GET /api/v2/metrics/query`, `GET /api/v2/metrics` and
/// `GET /api/v2/metrics/{metricKey}`: `Fixtures/Query/Dynatrace/<case>.query.txt`
/// (one query parameter `name=value` or header `Name: value` per line; `path=` overrides the path)
/// beside `<case>.expected.txt` (the status, a newline, the exact body) over one fixed data set.
///
/// `BASIN_UPDATE_GOLDEN=1 swift test --filter DynatraceQueryGolden` rewrites the expected files in
/// the source tree and then fails, so an update is never silently green.
@Suite("Dynatrace query golden responses")
struct DynatraceQueryGoldenTests {
    static var fixtureDirectory: URL {
        Bundle.module.resourceURL!.appendingPathComponent("Fixtures/Query/Dynatrace")
    }

    static var sourceDirectory: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/Query/Dynatrace")
    }

    static let cases: [String] = {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: fixtureDirectory.path)) ?? []
        return names.filter { $0.hasSuffix(".query.txt") }.map { String($0.dropLast(".query.txt".count)) }.sorted()
    }()

    /// The data every case reads (org `acme`, the org of ``FixedTokens``).
    static func store() async throws -> InMemoryMetricStore {
        let f = QueryFixture()
        try await f.load([
            ("builtin:host.cpu.usage", [("dt.entity.host", "HOST-0990886B7D39FE29")], .gauge, 10, 20.5),
            ("builtin:host.cpu.usage", [("dt.entity.host", "HOST-0990886B7D39FE29")], .gauge, 190, 30),
            ("builtin:host.cpu.idle", [("dt.entity.host", "HOST-0990886B7D39FE29")], .gauge, 10, 79.5),
            ("builtin:host.cpu.idle", [("dt.entity.host", "HOST-0990886B7D39FE29")], .gauge, 190, 70),
            ("builtin:host.cpu.idle", [("dt.entity.host", "HOST-1")], .gauge, 70, 81),
            ("visits.count", [("country", "Austria")], .count, 10, 6593),
            ("visits.count", [("country", "Switzerland")], .count, 10, 1002),
            ("visits.count", [("country", "Germany")], .count, 10, 564),
            ("visits.count", [("country", "Germany")], .count, 200, 600),
            ("latency", [("route", "/a b")], .summary, 10, 5), ("latency:min", [("route", "/a b")], .summary, 10, 1),
            ("latency:max", [("route", "/a b")], .summary, 10, 9), ("latency:sum", [("route", "/a b")], .summary, 10, 20),
            ("latency:count", [("route", "/a b")], .summary, 10, 4),
            ("latency", [("route", "/a b")], .summary, 70, 0.25), ("latency:min", [("route", "/a b")], .summary, 70, 0.25),
            ("latency:max", [("route", "/a b")], .summary, 70, 0.25), ("latency:sum", [("route", "/a b")], .summary, 70, 0.25),
            ("latency:count", [("route", "/a b")], .summary, 70, 1),
            ("system.load.1", [("host", "web-1"), ("env", "prod")], .gauge, 30, 0.5),
            ("system.load.1", [("host", "web-1"), ("env", "dev")], .gauge, 40, 1.5),
        ])
        try await f.store.updateMetricMetadata(
            org: f.org, metricName: "builtin:host.cpu.idle",
            MetricMetadata(unit: "Percent", description: "CPU idle time", displayName: "CPU idle", dialect: "dynatrace"))
        try await f.store.updateMetricMetadata(org: f.org, metricName: "latency", MetricMetadata(unit: "MilliSecond", dialect: "dynatrace"))
        return f.store
    }

    /// The GET request a case file describes.
    static func request(_ text: String) -> Request {
        var path = "/api/v2/metrics/query"
        var query: [String] = []
        var fields = HTTPFields()
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        for line in text.split(separator: "\n") {
            if let colon = line.range(of: ": ") {
                fields[HTTPField.Name(String(line[..<colon.lowerBound]))!] = String(line[colon.upperBound...])
            } else if let eq = line.firstIndex(of: "=") {
                let name = String(line[..<eq]), value = String(line[line.index(after: eq)...])
                if name == "path" { path = value; continue }
                query.append(name + "=" + (value.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""))
            }
        }
        if fields[.authorization] == nil { fields[.authorization] = "Api-Token query-token" }
        let head = HTTPRequest(method: .get, scheme: "http", authority: "localhost", path: path + "?" + query.joined(separator: "&"), headerFields: fields)
        return Request(head: head, body: RequestBody(buffer: ByteBuffer()))
    }

    @Test("fixture cases are present")
    func casesPresent() {
        #expect(Self.cases.count >= 10)
    }

    @Test("answers each query with its golden status and body", arguments: cases)
    func golden(name: String) async throws {
        let text = try String(contentsOf: Self.fixtureDirectory.appendingPathComponent("\(name).query.txt"), encoding: .utf8)
        let routes = DynatraceRoutes(environment: DialectEnvironment(
            store: try await Self.store(), tokens: FixedTokens(), limits: HTTPLimits(), selfMetrics: SelfMetrics(), logger: Logger(label: "test")))
        let request = Self.request(text)
        let path = request.uri.path
        let response: Response
        if path.hasSuffix("/api/v2/metrics/query") {
            response = await routes.query(request)
        } else if path.hasSuffix("/api/v2/metrics") {
            response = await routes.listMetrics(request)
        } else {
            response = await routes.describeMetric(request, key: String(path.split(separator: "/").last ?? ""))
        }
        let rendered = "\(response.status.code) \(response.headers[.contentType] ?? "")\n" + (try await DynatraceRoutesTests.bodyText(response)) + "\n"
        let expectedName = "\(name).expected.txt"
        if ProcessInfo.processInfo.environment["BASIN_UPDATE_GOLDEN"] == "1" {
            try rendered.write(to: Self.sourceDirectory.appendingPathComponent(expectedName), atomically: true, encoding: .utf8)
            Issue.record("updated \(expectedName); rerun without BASIN_UPDATE_GOLDEN")
            return
        }
        guard let expected = try? String(contentsOf: Self.fixtureDirectory.appendingPathComponent(expectedName), encoding: .utf8) else {
            Issue.record("missing \(expectedName); run with BASIN_UPDATE_GOLDEN=1 to create it")
            return
        }
        #expect(rendered == expected)
    }

    @Test("following nextPageKey lists every metric once, in key order")
    func paging() async throws {
        let routes = DynatraceRoutes(environment: DialectEnvironment(
            store: try await Self.store(), tokens: FixedTokens(), limits: HTTPLimits(), selfMetrics: SelfMetrics(), logger: Logger(label: "test")))
        var seen: [String] = []
        var text = "path=/api/v2/metrics\npageSize=2\nfields=metricId"
        for _ in 0..<10 {
            let body = try await DynatraceRoutesTests.bodyText(await routes.listMetrics(Self.request(text)))
            let json = try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any] ?? [:]
            #expect(json["totalCount"] as? Int == 5)
            seen += (json["metrics"] as? [[String: Any]] ?? []).compactMap { $0["metricId"] as? String }
            guard let next = json["nextPageKey"] as? String else { break }
            text = "path=/api/v2/metrics\nnextPageKey=\(next)"
        }
        #expect(seen == ["builtin:host.cpu.idle", "builtin:host.cpu.usage", "latency", "system.load.1", "visits.count"])
    }

    @Test("authentication: 401 without a known token, 403 without the query scope, api-token parameter accepted", arguments: [
        ("/api/v2/metrics/query?metricSelector=visits.count", [:], 401, #"{"error":{"code":401,"message":"Token Authentication failed"}}"#),
        ("/api/v2/metrics/query?metricSelector=visits.count", ["Authorization": "Api-Token nope"], 401,
         #"{"error":{"code":401,"message":"Token Authentication failed"}}"#),
        ("/api/v2/metrics/query?metricSelector=visits.count", ["Authorization": "Api-Token ingest-token"], 403,
         #"{"error":{"code":403,"message":"Token is missing required scope. Use one of: metrics.read (Read metrics)"}}"#),
        ("/api/v2/metrics/query?metricSelector=visits.count&api-token=query-token", [:], 200, nil),
        ("/api/v2/metrics/query?metricSelector=visits.count", ["Authorization": "api-token query-token"], 200, nil),
    ] as [(String, [String: String], Int, String?)])
    func authentication(_ path: String, _ headers: [String: String], _ status: Int, _ body: String?) async throws {
        var fields = HTTPFields()
        for (name, value) in headers { fields[HTTPField.Name(name)!] = value }
        let head = HTTPRequest(method: .get, scheme: "http", authority: "localhost", path: path, headerFields: fields)
        let routes = DynatraceRoutes(environment: DialectEnvironment(
            store: try await Self.store(), tokens: FixedTokens(), limits: HTTPLimits(), selfMetrics: SelfMetrics(), logger: Logger(label: "test")))
        let response = await routes.query(Request(head: head, body: RequestBody(buffer: ByteBuffer())))
        #expect(Int(response.status.code) == status)
        if let body { #expect(try await DynatraceRoutesTests.bodyText(response) == body) }
    }
}
