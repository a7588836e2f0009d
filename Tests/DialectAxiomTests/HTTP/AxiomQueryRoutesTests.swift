import BasinHTTP
import BasinModel
import BasinTestKit
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import StorageAPI
import StorageEngine
import Testing

@testable import DialectAxiom

/// APL answers over the real embedded store, compared with golden files
/// (`Fixtures/Query/<name>.json`; `BASIN_UPDATE_GOLDEN=1` rewrites them and fails the run).
@Suite("Axiom APL query routes")
struct AxiomQueryRoutesTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var format: String
        var apl: String
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "records-tabular", format: "tabular", apl: "['web'] | where status >= 400 | project path, status, geo"),
        Case(name: "records-legacy", format: "legacy", apl: "['web'] | where geo.city == 'Paris'"),
        Case(name: "summarize-binned-tabular", format: "tabular", apl: "['web'] | summarize count(), avg(ms), topk(path, 2) by bin(_time, 1m), status"),
        Case(name: "summarize-binned-legacy", format: "legacy", apl: "['web'] | summarize count() by bin(_time, 1m)"),
        Case(name: "summarize-percentiles-tabular", format: "tabular", apl: "['web'] | summarize percentiles(ms, 50, 99), dcount(path) by status | sort by status asc"),
        Case(name: "count-tabular", format: "tabular", apl: "['web'] | count"),
    ]

    static let events = """
        {"_time":"2026-12-01T10:00:05Z","status":200,"path":"/a","ms":12.5,"geo":{"city":"Paris"}}
        {"_time":"2026-12-01T10:00:40Z","status":404,"path":"/b","ms":3,"geo":{"city":"Lyon"}}
        {"_time":"2026-12-01T10:01:10Z","status":500,"path":"/a","ms":250,"geo":{"city":"Paris"},"tags":["x","y"]}
        {"_time":"2026-12-01T10:01:20Z","status":200,"path":"/c","ms":7}
        """

    static func golden(_ name: String) -> String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/Query/\(name).json").path
    }

    /// The elapsed time is the only thing that varies between runs.
    static func normalized(_ text: String) -> String {
        text.replacingOccurrences(of: #""elapsedTime":\d+"#, with: #""elapsedTime":0"#, options: .regularExpression)
    }

    @Test("answers match their golden files", arguments: cases)
    func answers(c: Case) async throws {
        let directory = NSTemporaryDirectory() + "basin-axiom-query-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try await EmbeddedRecordStore.open(directory: directory, logger: Logger(label: "test"))
        let routes = AxiomRoutes(
            environment: DialectEnvironment(
                store: InMemoryMetricStore(), tokens: AxiomTestTokens(), limits: HTTPLimits(), selfMetrics: SelfMetrics(),
                logger: Logger(label: "test")),
            records: store, options: AxiomRoutesOptions(storesSysTime: false))
        _ = await routes.createDataset(AxiomRouteHarness.request(path: "/v1/datasets", body: #"{"name":"web"}"#), version: .v1)
        let ingest = await routes.ingest(
            AxiomRouteHarness.request(path: "/v1/datasets/web/ingest", headers: ["Content-Type": "application/x-ndjson"], body: Self.events),
            dataset: "web")
        #expect(ingest.status == .ok)
        let body = #"{"apl":"\#(c.apl)","startTime":"2026-12-01T09:00:00Z","endTime":"2026-12-01T11:00:00Z"}"#
        let response = await routes.aplQuery(AxiomRouteHarness.request(path: "/v1/datasets/_apl?format=\(c.format)", body: body))
        let text = Self.normalized(try await AxiomRouteHarness.text(response))
        try await store.close()
        #expect(response.status == .ok, "\(text)")
        let path = Self.golden(c.name)
        if ProcessInfo.processInfo.environment["BASIN_UPDATE_GOLDEN"] == "1" {
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            Issue.record("golden file rewritten: \(path); run again without BASIN_UPDATE_GOLDEN")
            return
        }
        let expected = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text == expected)
    }

    @Test("an APL construct outside the subset is a 400 naming it and its position")
    func unsupported() async throws {
        let directory = NSTemporaryDirectory() + "basin-axiom-query-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try await EmbeddedRecordStore.open(directory: directory, logger: Logger(label: "test"))
        let routes = AxiomRoutes(
            environment: DialectEnvironment(
                store: InMemoryMetricStore(), tokens: AxiomTestTokens(), limits: HTTPLimits(), selfMetrics: SelfMetrics(),
                logger: Logger(label: "test")),
            records: store)
        let response = await routes.aplQuery(AxiomRouteHarness.request(
            path: "/v1/datasets/_apl?format=tabular", body: #"{"apl":"['web'] | join (x) on a"}"#))
        let text = try await AxiomRouteHarness.text(response)
        #expect(response.status == .badRequest)
        #expect(text.contains("join") && text.contains("line 1"), "\(text)")
        let unknown = await routes.aplQuery(AxiomRouteHarness.request(path: "/v1/datasets/_apl?format=tabular", body: #"{"apl":"['nope']"}"#))
        #expect(unknown.status == .notFound)
        try await store.close()
    }
}
