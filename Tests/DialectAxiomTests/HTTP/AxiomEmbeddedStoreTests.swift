import BasinHTTP
import BasinModel
import BasinTestKit
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import StorageAPI
import StorageEngine
import Testing

@testable import DialectAxiom

/// The routes over the real embedded record store: create, ingest, fields, trim, delete.
@Suite("Axiom routes over EmbeddedRecordStore")
struct AxiomEmbeddedStoreTests {
    static func withRoutes(_ body: (AxiomRoutes) async throws -> Void) async throws {
        let directory = NSTemporaryDirectory() + "basin-axiom-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try await EmbeddedRecordStore.open(directory: directory, logger: Logger(label: "test"))
        let routes = AxiomRoutes(
            environment: DialectEnvironment(
                store: InMemoryMetricStore(), tokens: AxiomTestTokens(), limits: HTTPLimits(), selfMetrics: SelfMetrics(),
                logger: Logger(label: "test")),
            records: store)
        do {
            try await body(routes)
        } catch {
            try? await store.close()
            throw error
        }
        try await store.close()
    }

    @Test("axiom-py's session: create, ingest a JSON array, list fields, trim, delete")
    func pySession() async throws {
        try await Self.withRoutes { routes in
            let created = await routes.createDataset(AxiomRouteHarness.request(
                path: "/v1/datasets", body: #"{"name":"capture-api","description":"created by the Basin capture script"}"#), version: .v1)
            #expect(created.status == .ok)
            let body = #"[{"_time": "2026-11-22T12:35:43+00:00", "service": "api", "latency_ms": 12.5, "status": 200, "user": {"id": 7, "plan": "pro"}}, {"service": "db", "latency_ms": 3, "tags": ["a", "b"]}]"#
            let ingest = await routes.ingest(AxiomRouteHarness.request(
                path: "/v1/datasets/capture-api/ingest", headers: ["Content-Type": "application/json", "Content-Encoding": "1"], body: body),
                dataset: "capture-api")
            #expect(try await AxiomRouteHarness.text(ingest)
                == #"{"ingested":2,"failed":0,"failures":[],"processedBytes":\#(body.utf8.count),"blocksCreated":0,"walLength":2}"#)
            let fields = await routes.listFields(AxiomRouteHarness.request(.get, path: "/v2/datasets/capture-api/fields"), name: "capture-api")
            let text = try await AxiomRouteHarness.text(fields)
            #expect(fields.status == .ok)
            for expected in [
                #"{"name":"_time","type":"datetime""#, #"{"name":"_sysTime","type":"datetime""#, #"{"name":"latency_ms","type":"integer|float""#,
                #"{"name":"service","type":"string""#, #"{"name":"tags","type":"array""#,
            ] {
                #expect(text.contains(expected), "\(expected) in \(text)")
            }
            let trim = await routes.trimDataset(
                AxiomRouteHarness.request(path: "/v1/datasets/capture-api/trim", body: #"{"maxDuration":"3600s"}"#), name: "capture-api", version: .v1)
            #expect(trim.status == .ok)
            let delete = await routes.deleteDataset(AxiomRouteHarness.request(.delete, path: "/v1/datasets/capture-api"), name: "capture-api")
            #expect(delete.status == .noContent)
            let gone = await routes.getDataset(AxiomRouteHarness.request(.get, path: "/v1/datasets/capture-api"), name: "capture-api", version: .v1)
            #expect(gone.status == .notFound)
        }
    }

    @Test("duplicate create is 409 and unknown dataset ingest is 404 with the real store")
    func conflicts() async throws {
        try await Self.withRoutes { routes in
            for expected in [200, 409] {
                let response = await routes.createDataset(AxiomRouteHarness.request(path: "/v2/datasets", body: #"{"name":"dup"}"#), version: .v2)
                #expect(Int(response.status.code) == expected)
            }
            let ingest = await routes.ingest(AxiomRouteHarness.request(path: "/v1/datasets/nope/ingest", body: "{}"), dataset: "nope")
            #expect(ingest.status == .notFound)
        }
    }
}
