import BasinHTTP
import BasinModel
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import StorageAPI
import Testing

@testable import DialectAxiom

/// The datasets API, v1 and v2: golden bodies, statuses, scopes.
@Suite("Axiom dataset routes")
struct AxiomDatasetRoutesTests {
    static let created = "2020-11-18T21:30:20.623322799Z"

    static func v2(_ name: String, description: String = "", retentionDays: Int = 0, canWrite: Bool = true, created: String = created) -> String {
        #"{"id":"\#(name)","name":"\#(name)","kind":"axiom:events:v1","description":"\#(description)","who":"basin","created":"\#(created)","updatedAt":"\#(created)","canWrite":\#(canWrite),"useRetentionPeriod":\#(retentionDays > 0),"retentionDays":\#(retentionDays),"mapFields":[]}"#
    }

    static func v1(_ name: String, description: String = "", created: String = created) -> String {
        #"{"id":"\#(name)","name":"\#(name)","description":"\#(description)","who":"basin","created":"\#(created)"}"#
    }

    static let epoch = "1970-01-01T00:00:00.000000000Z"

    @Test("A26: POST /v2/datasets echoes the dataset")
    func createV2() async throws {
        let harness = AxiomRouteHarness()
        let response = await harness.routes.createDataset(AxiomRouteHarness.request(
            path: "/v2/datasets",
            body: #"{"name":"test","kind":"axiom:events:v1","description":"This is a test description","useRetentionPeriod":true,"retentionDays":30}"#),
            version: .v2)
        #expect(response.status == .ok)
        #expect(try await AxiomRouteHarness.text(response) == Self.v2("test", description: "This is a test description", retentionDays: 30))
        #expect(response.headers[.contentType] == "application/json")
    }

    @Test("POST /v1/datasets (axiom-py fixture 001) answers the v1 shape")
    func createV1() async throws {
        let harness = AxiomRouteHarness()
        let response = await harness.routes.createDataset(AxiomRouteHarness.request(
            path: "/v1/datasets", body: #"{"name":"capture-api","description":"created by the Basin capture script"}"#), version: .v1)
        #expect(try await AxiomRouteHarness.text(response) == Self.v1("capture-api", description: "created by the Basin capture script"))
    }

    static let createFailures: [(what: String, token: String?, body: String, status: Int, text: String)] = [
        ("duplicate name is 409", "all-token", #"{"name":"dup"}"#, 409, #"{"code":409,"message":"dataset \"dup\" already exists"}"#),
        ("invalid name is 400", "all-token", #"{"name":"bad name"}"#, 400,
         #"{"code":400,"message":"dataset name may hold only letters, digits, '-', '_' and '.'"}"#),
        ("axiom- prefix is 400", "all-token", #"{"name":"axiom-x"}"#, 400, #"{"code":400,"message":"dataset name must not start with \"axiom-\""}"#),
        ("trailing dot is 400", "all-token", #"{"name":"x."}"#, 400, #"{"code":400,"message":"dataset name must end with a letter or digit"}"#),
        ("missing name is 400", "all-token", #"{"description":"x"}"#, 400, #"{"code":400,"message":"invalid request body: missing \"name\""}"#),
        ("malformed body is 400", "all-token", "{", 400, #"{"code":400,"message":"invalid request body: expected a JSON object"}"#),
        ("unknown kind is 400", "all-token", #"{"name":"k","kind":"nope"}"#, 400, #"{"code":400,"message":"invalid dataset kind \"nope\""}"#),
        ("query-only token is 403", "query-token", #"{"name":"q"}"#, 403, #"{"code":403,"message":"token is not allowed to create datasets"}"#),
        ("no token is 401", nil, #"{"name":"q"}"#, 401, #"{"code":401,"message":"invalid authentication credentials"}"#),
    ]

    @Test("create failures", arguments: createFailures)
    func createFailure(what: String, token: String?, body: String, status: Int, text: String) async throws {
        let harness = AxiomRouteHarness()
        try await harness.create("dup")
        let response = await harness.routes.createDataset(AxiomRouteHarness.request(path: "/v2/datasets", token: token, body: body), version: .v2)
        #expect(Int(response.status.code) == status, "\(what)")
        #expect(try await AxiomRouteHarness.text(response) == text, "\(what)")
    }

    @Test("an ingest-only token may create datasets")
    func ingestTokenCreates() async throws {
        let harness = AxiomRouteHarness()
        let response = await harness.routes.createDataset(
            AxiomRouteHarness.request(path: "/v2/datasets", token: "ingest-token", body: #"{"name":"mine"}"#), version: .v2)
        #expect(response.status == .ok)
    }

    @Test("A25: GET /v2/datasets lists every dataset, reserved ones read-only")
    func list() async throws {
        let harness = AxiomRouteHarness()
        try await harness.create("test")
        let response = await harness.routes.listDatasets(AxiomRouteHarness.request(.get, path: "/v2/datasets", token: "query-token"), version: .v2)
        #expect(response.status == .ok)
        let expected = "[" + [
            Self.v2("_annotations", canWrite: false, created: Self.epoch), Self.v2("_events", canWrite: false, created: Self.epoch),
            Self.v2("_service_checks", canWrite: false, created: Self.epoch), Self.v2("test"),
        ].joined(separator: ",") + "]"
        #expect(try await AxiomRouteHarness.text(response) == expected)
        let v1 = await harness.routes.listDatasets(AxiomRouteHarness.request(.get, path: "/v1/datasets"), version: .v1)
        #expect(try await AxiomRouteHarness.text(v1).hasSuffix(Self.v1("test") + "]"))
    }

    @Test("an ingest-only token cannot list datasets (403, like Axiom)")
    func ingestTokenCannotList() async throws {
        let harness = AxiomRouteHarness()
        let response = await harness.routes.listDatasets(AxiomRouteHarness.request(.get, path: "/v2/datasets", token: "ingest-token"), version: .v2)
        #expect(response.status == .forbidden)
        #expect(try await AxiomRouteHarness.text(response) == #"{"code":403,"message":"token is not allowed to read datasets"}"#)
    }

    @Test("get: 200, and A31 404 with a trace id for an unknown dataset")
    func get() async throws {
        let harness = AxiomRouteHarness()
        try await harness.create("test", description: "d")
        let found = await harness.routes.getDataset(AxiomRouteHarness.request(.get, path: "/v2/datasets/test"), name: "test", version: .v2)
        #expect(try await AxiomRouteHarness.text(found) == Self.v2("test", description: "d"))
        let missing = await harness.routes.getDataset(AxiomRouteHarness.request(.get, path: "/v2/datasets/nope"), name: "nope", version: .v2)
        #expect(missing.status == .notFound)
        #expect(try await AxiomRouteHarness.text(missing) == #"{"code":404,"message":"dataset not found"}"#)
        #expect(missing.headers[AxiomRoutes.traceIDHeader] != nil)
    }

    @Test("A27: PUT with retentionDays 0 turns retention off; v1 update of the description (axiom-py)")
    func update() async throws {
        let harness = AxiomRouteHarness()
        _ = try await harness.store.createDataset(org: AxiomRouteHarness.acme, DatasetSpec(name: "test", retentionDays: 30))
        let response = await harness.routes.updateDataset(AxiomRouteHarness.request(
            .put, path: "/v2/datasets/test", body: #"{"description":"This is the new description","retentionDays":0}"#),
            name: "test", version: .v2)
        #expect(try await AxiomRouteHarness.text(response) == Self.v2("test", description: "This is the new description"))
        let v1 = await harness.routes.updateDataset(
            AxiomRouteHarness.request(.put, path: "/v1/datasets/test", body: #"{"description":"py"}"#), name: "test", version: .v1)
        #expect(try await AxiomRouteHarness.text(v1) == Self.v1("test", description: "py"))
        let missing = await harness.routes.updateDataset(
            AxiomRouteHarness.request(.put, path: "/v2/datasets/nope", body: "{}"), name: "nope", version: .v2)
        #expect(missing.status == .notFound)
        let forbidden = await harness.routes.updateDataset(
            AxiomRouteHarness.request(.put, path: "/v2/datasets/test", token: "ingest-token", body: "{}"), name: "test", version: .v2)
        #expect(forbidden.status == .forbidden)
    }

    @Test("A28: DELETE is 204 with no body; unknown is 404")
    func delete() async throws {
        let harness = AxiomRouteHarness()
        try await harness.create("test")
        let response = await harness.routes.deleteDataset(AxiomRouteHarness.request(.delete, path: "/v2/datasets/test"), name: "test")
        #expect(response.status == .noContent)
        #expect(try await AxiomRouteHarness.text(response) == "")
        #expect(try await harness.store.dataset(org: AxiomRouteHarness.acme, name: "test") == nil)
        let again = await harness.routes.deleteDataset(AxiomRouteHarness.request(.delete, path: "/v2/datasets/test"), name: "test")
        #expect(again.status == .notFound)
        let reserved = await harness.routes.deleteDataset(AxiomRouteHarness.request(.delete, path: "/v2/datasets/_events"), name: "_events")
        #expect(reserved.status == .forbidden)
        #expect(try await AxiomRouteHarness.text(reserved)
            == #"{"code":403,"message":"dataset \"_events\" is reserved and cannot be changed"}"#)
    }

    @Test("A29: trim: v2 204, v1 200 {\"numDeleted\":0}; the cut-off is now minus maxDuration", arguments: [
        ("1h0m0s", Int64(3600) * 1_000_000_000), ("3600s", Int64(3600) * 1_000_000_000), ("30d", Int64(30 * 86_400) * 1_000_000_000),
        ("1.5h", Int64(5400) * 1_000_000_000), ("300ms", Int64(300_000_000)), ("0", Int64(0)),
    ])
    func trim(duration: String, nanos: Int64) async throws {
        let harness = AxiomRouteHarness()
        try await harness.create("test")
        let before = AxiomRoutes.nowNanos()
        let v2 = await harness.routes.trimDataset(
            AxiomRouteHarness.request(path: "/v2/datasets/test/trim", body: #"{"maxDuration":"\#(duration)"}"#), name: "test", version: .v2)
        let after = AxiomRoutes.nowNanos()
        #expect(v2.status == .noContent)
        let cut = try #require(await harness.store.trims.first?.beforeNanos)
        #expect(cut >= before - nanos && cut <= after - nanos)
        let v1 = await harness.routes.trimDataset(
            AxiomRouteHarness.request(path: "/v1/datasets/test/trim", body: #"{"maxDuration":"\#(duration)"}"#), name: "test", version: .v1)
        #expect(v1.status == .ok)
        #expect(try await AxiomRouteHarness.text(v1) == #"{"numDeleted":0}"#)
    }

    @Test("trim failures: bad duration 400, unknown dataset 404, non-admin 403")
    func trimFailures() async throws {
        let harness = AxiomRouteHarness()
        try await harness.create("test")
        let bad = await harness.routes.trimDataset(
            AxiomRouteHarness.request(path: "/v2/datasets/test/trim", body: #"{"maxDuration":"soon"}"#), name: "test", version: .v2)
        #expect(try await AxiomRouteHarness.text(bad)
            == #"{"code":400,"message":"invalid maxDuration \"soon\": use a duration such as 1h, 30m or 7d"}"#)
        let missing = await harness.routes.trimDataset(
            AxiomRouteHarness.request(path: "/v2/datasets/nope/trim", body: #"{"maxDuration":"1h"}"#), name: "nope", version: .v2)
        #expect(missing.status == .notFound)
        let forbidden = await harness.routes.trimDataset(
            AxiomRouteHarness.request(path: "/v2/datasets/test/trim", token: "query-token", body: #"{"maxDuration":"1h"}"#),
            name: "test", version: .v2)
        #expect(forbidden.status == .forbidden)
    }

    @Test("fields: _time first, Axiom type names, several types joined with |")
    func fields() async throws {
        let harness = AxiomRouteHarness()
        try await harness.create("test")
        let ingest = await harness.routes.ingest(AxiomRouteHarness.request(
            path: "/v1/datasets/test/ingest", headers: ["Content-Type": "application/x-ndjson"],
            body: "{\"n\":1,\"s\":\"x\",\"b\":true,\"o\":{\"k\":1},\"a\":[1],\"z\":null}\n{\"n\":1.5}"), dataset: "test")
        #expect(ingest.status == .ok)
        let response = await harness.routes.listFields(AxiomRouteHarness.request(.get, path: "/v2/datasets/test/fields"), name: "test")
        func field(_ name: String, _ type: String) -> String {
            #"{"name":"\#(name)","type":"\#(type)","unit":"","hidden":false,"description":""}"#
        }
        let expected = "[" + [
            field("_time", "datetime"), field("_sysTime", "datetime"), field("a", "array"), field("b", "boolean"),
            field("n", "integer|float"), field("o", "map"), field("s", "string"), field("z", "string"),
        ].joined(separator: ",") + "]"
        #expect(try await AxiomRouteHarness.text(response) == expected)
    }

    @Test("GET /v2/user answers the token's identity")
    func user() async throws {
        let harness = AxiomRouteHarness()
        let response = await harness.routes.currentUser(AxiomRouteHarness.request(.get, path: "/v2/user", token: "admin-token"))
        #expect(try await AxiomRouteHarness.text(response) == #"{"id":"t-admin","name":"acme","email":"","role":{"id":"admin","name":"admin"}}"#)
        let anonymous = await harness.routes.currentUser(AxiomRouteHarness.request(.get, path: "/v2/user", token: "xapt-123"))
        #expect(anonymous.status == .unauthorized)
    }

    @Test("Go durations")
    func durations() {
        #expect(AxiomDuration.parseNanos("1h30m") == 5_400_000_000_000)
        #expect(AxiomDuration.parseNanos("2us") == 2000)
        #expect(AxiomDuration.parseNanos("1µs") == 1000)
        #expect(AxiomDuration.parseNanos("-1s") == -1_000_000_000)
        #expect(AxiomDuration.parseNanos("") == nil)
        #expect(AxiomDuration.parseNanos("1") == nil)
        #expect(AxiomDuration.parseNanos("1x") == nil)
        #expect(AxiomDuration.parseNanos("h") == nil)
    }
}
