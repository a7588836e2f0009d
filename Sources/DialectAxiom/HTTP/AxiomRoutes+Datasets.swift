import BasinHTTP
import BasinModel
import BasinWire
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import StorageAPI

extension AxiomRoutes {
    static let datasetsEndpoint = "/v2/datasets"
    static let datasetEndpoint = "/v2/datasets/{id}"
    static let trimEndpoint = "/v2/datasets/{id}/trim"
    static let fieldsEndpoint = "/v2/datasets/{id}/fields"
    static let userEndpoint = "/v2/user"

    /// `GET /v{1,2}/datasets`: every dataset of the token's organisation, reserved ones included.
    func listDatasets(_ request: Request, version: AxiomAPIVersion) async -> Response {
        let endpoint = Self.datasetsEndpoint
        let principal: Principal
        switch authorize(request, anyOf: [.query, .admin], to: "read datasets") {
        case .success(let found): principal = found
        case .failure(let error): return fail(error, endpoint: endpoint)
        }
        do {
            let datasets = try await records.datasets(org: principal.org)
            return ok(AxiomDatasetRenderer.render(datasets, version: version), endpoint: endpoint)
        } catch {
            return fail(storeFailure(error, operation: "list datasets"), endpoint: endpoint)
        }
    }

    /// `POST /v{1,2}/datasets`: `409` when the name exists, `400` for an invalid name.
    func createDataset(_ request: Request, version: AxiomAPIVersion) async -> Response {
        let endpoint = Self.datasetsEndpoint
        let principal: Principal
        switch authorize(request, anyOf: [.ingest, .admin], to: "create datasets") {
        case .success(let found): principal = found
        case .failure(let error): return fail(error, endpoint: endpoint)
        }
        let body: AxiomDatasetCreateRequest
        switch await decodeBody(AxiomDatasetCreateRequest.self, request) {
        case .success(let found): body = found
        case .failure(let error): return fail(error, endpoint: endpoint)
        }
        if let problem = Self.datasetNameProblem(body.name) {
            return fail(.badRequest(problem), endpoint: endpoint)
        }
        if let kind = body.kind, !kind.isEmpty, !Self.datasetKinds.contains(kind) {
            return fail(.badRequest("invalid dataset kind \"\(kind)\""), endpoint: endpoint)
        }
        let retentionDays = body.useRetentionPeriod == false ? 0 : max(0, body.retentionDays ?? 0)
        do {
            let created = try await records.createDataset(
                org: principal.org, DatasetSpec(name: body.name, description: body.description ?? "", retentionDays: retentionDays))
            return ok(AxiomDatasetRenderer.render(created, version: version), endpoint: endpoint)
        } catch let error as any ClassifiedError where error.kind == .conflict {
            return fail(AxiomErrorResponse(status: .conflict, message: "dataset \"\(body.name)\" already exists"), endpoint: endpoint)
        } catch {
            return fail(storeFailure(error, operation: "create dataset"), endpoint: endpoint)
        }
    }

    /// `GET /v{1,2}/datasets/{id}`: `404` when unknown.
    func getDataset(_ request: Request, name: String, version: AxiomAPIVersion) async -> Response {
        let endpoint = Self.datasetEndpoint
        let principal: Principal
        switch authorize(request, anyOf: [.query, .admin], to: "read datasets") {
        case .success(let found): principal = found
        case .failure(let error): return fail(error, endpoint: endpoint)
        }
        do {
            guard let dataset = try await records.dataset(org: principal.org, name: name) else {
                return fail(.datasetNotFound, endpoint: endpoint)
            }
            return ok(AxiomDatasetRenderer.render(dataset, version: version), endpoint: endpoint)
        } catch {
            return fail(storeFailure(error, operation: "get dataset"), endpoint: endpoint)
        }
    }

    /// `PUT /v{1,2}/datasets/{id}`: description and retention; `retentionDays: 0` or
    /// `useRetentionPeriod: false` turns retention off.
    func updateDataset(_ request: Request, name: String, version: AxiomAPIVersion) async -> Response {
        let endpoint = Self.datasetEndpoint
        let principal: Principal
        switch authorize(request, anyOf: .admin, to: "update datasets") {
        case .success(let found): principal = found
        case .failure(let error): return fail(error, endpoint: endpoint)
        }
        let body: AxiomDatasetUpdateRequest
        switch await decodeBody(AxiomDatasetUpdateRequest.self, request) {
        case .success(let found): body = found
        case .failure(let error): return fail(error, endpoint: endpoint)
        }
        var retentionDays = body.retentionDays.map { max(0, $0) }
        if body.useRetentionPeriod == false { retentionDays = 0 }
        do {
            if let error = try await userDatasetProblem(name, org: principal.org) {
                return fail(error, endpoint: endpoint)
            }
            let updated = try await records.updateDataset(
                org: principal.org, name: name, description: body.description, retentionDays: retentionDays)
            return ok(AxiomDatasetRenderer.render(updated, version: version), endpoint: endpoint)
        } catch {
            return fail(storeFailure(error, operation: "update dataset"), endpoint: endpoint)
        }
    }

    /// `DELETE /v{1,2}/datasets/{id}`: `204`.
    func deleteDataset(_ request: Request, name: String) async -> Response {
        let endpoint = Self.datasetEndpoint
        let principal: Principal
        switch authorize(request, anyOf: .admin, to: "delete datasets") {
        case .success(let found): principal = found
        case .failure(let error): return fail(error, endpoint: endpoint)
        }
        do {
            if let error = try await userDatasetProblem(name, org: principal.org) {
                return fail(error, endpoint: endpoint)
            }
            try await records.deleteDataset(org: principal.org, name: name)
            return noContent(endpoint: endpoint)
        } catch {
            return fail(storeFailure(error, operation: "delete dataset"), endpoint: endpoint)
        }
    }

    /// `POST /v{1,2}/datasets/{id}/trim` `{"maxDuration":"1h0m0s"}`: deletes events older than
    /// now minus the duration; v2 answers `204`, v1 `200 {"numDeleted":0}`.
    func trimDataset(_ request: Request, name: String, version: AxiomAPIVersion) async -> Response {
        let endpoint = Self.trimEndpoint
        let principal: Principal
        switch authorize(request, anyOf: .admin, to: "trim datasets") {
        case .success(let found): principal = found
        case .failure(let error): return fail(error, endpoint: endpoint)
        }
        let body: AxiomTrimRequest
        switch await decodeBody(AxiomTrimRequest.self, request) {
        case .success(let found): body = found
        case .failure(let error): return fail(error, endpoint: endpoint)
        }
        guard let duration = AxiomDuration.parseNanos(body.maxDuration), duration >= 0 else {
            return fail(.badRequest("invalid maxDuration \"\(body.maxDuration)\": use a duration such as 1h, 30m or 7d"), endpoint: endpoint)
        }
        do {
            if let error = try await userDatasetProblem(name, org: principal.org) {
                return fail(error, endpoint: endpoint)
            }
            let (before, overflow) = Self.nowNanos().subtractingReportingOverflow(duration)
            try await records.trimDataset(org: principal.org, name: name, beforeNanos: overflow ? .min : before)
        } catch {
            return fail(storeFailure(error, operation: "trim dataset"), endpoint: endpoint)
        }
        if version == .v2 { return noContent(endpoint: endpoint) }
        return ok(ByteBuffer(string: #"{"numDeleted":0}"#), endpoint: endpoint)
    }

    /// `GET /v{1,2}/datasets/{id}/fields`: the fields seen, with Axiom's type names.
    func listFields(_ request: Request, name: String) async -> Response {
        let endpoint = Self.fieldsEndpoint
        let principal: Principal
        switch authorize(request, anyOf: [.query, .admin], to: "read datasets") {
        case .success(let found): principal = found
        case .failure(let error): return fail(error, endpoint: endpoint)
        }
        do {
            guard try await records.dataset(org: principal.org, name: name) != nil else {
                return fail(.datasetNotFound, endpoint: endpoint)
            }
            let stats = try await records.datasetStats(org: principal.org, name: name)
            return ok(AxiomDatasetRenderer.renderFields(stats), endpoint: endpoint)
        } catch {
            return fail(storeFailure(error, operation: "list fields"), endpoint: endpoint)
        }
    }

    /// `GET /v{1,2}/user`: the token's identity, `{"id","name","email","role":{"id","name"}}`
    /// (clients call it to validate personal tokens). Any valid token may ask.
    func currentUser(_ request: Request) async -> Response {
        let endpoint = Self.userEndpoint
        let principal: Principal
        switch authorize(request, anyOf: [.ingest, .query, .admin], to: "read the user") {
        case .success(let found): principal = found
        case .failure(let error): return fail(error, endpoint: endpoint)
        }
        let role = principal.scopes.contains(.admin) ? "admin" : "user"
        var writer = JSONWriter(capacity: 160)
        writer.raw("{\"id\":")
        writer.string(principal.tokenID)
        writer.raw(",\"name\":")
        writer.string(principal.org.name)
        writer.raw(",\"email\":\"\",\"role\":{\"id\":")
        writer.string(role)
        writer.raw(",\"name\":")
        writer.string(role)
        writer.raw("}}")
        return ok(writer.buffer, endpoint: endpoint)
    }

    // MARK: Helpers

    /// Nil when `name` is a user dataset of `org`; `404` when unknown, `403` for a reserved one.
    func userDatasetProblem(_ name: String, org: OrgID) async throws -> AxiomErrorResponse? {
        guard let dataset = try await records.dataset(org: org, name: name) else { return .datasetNotFound }
        if dataset.reserved {
            return AxiomErrorResponse(status: .forbidden, message: "dataset \"\(name)\" is reserved and cannot be changed")
        }
        return nil
    }

    static let datasetKinds: Set<String> = ["axiom:events:v1", "otel:logs:v1", "otel:traces:v1", "otel:metrics:v1"]

    /// Nil when `name` is a valid new dataset name: the spec's
    /// `^[A-Za-z0-9]([A-Za-z0-9._-]{0,126}[A-Za-z0-9])?$`, not starting with `axiom-`.
    static func datasetNameProblem(_ name: String) -> String? {
        if let problem = DatasetName.problem(name) { return problem }
        if name.hasPrefix("axiom-") { return "dataset name must not start with \"axiom-\"" }
        if let last = name.utf8.last, !(last.isASCIIAlphanumeric) {
            return "dataset name must end with a letter or digit"
        }
        return nil
    }

    /// Reads and decodes a small JSON body; `400` for malformed JSON.
    func decodeBody<T: Decodable>(_ type: T.Type, _ request: Request) async -> Result<T, AxiomErrorResponse> {
        let buffer: ByteBuffer
        do {
            buffer = try await BodyReader.read(request, limits: environment.limits, maxBytes: options.maxAdminBodyBytes)
        } catch {
            return .failure(AxiomErrorResponse(error))
        }
        do {
            return .success(try JSONDecoder().decode(T.self, from: Data(buffer.readableBytesView)))
        } catch DecodingError.keyNotFound(let key, _) {
            return .failure(.badRequest("invalid request body: missing \"\(key.stringValue)\""))
        } catch {
            return .failure(.badRequest("invalid request body: expected a JSON object"))
        }
    }
}

extension UInt8 {
    var isASCIIAlphanumeric: Bool {
        (0x30...0x39).contains(self) || (0x41...0x5A).contains(self) || (0x61...0x7A).contains(self)
    }
}
