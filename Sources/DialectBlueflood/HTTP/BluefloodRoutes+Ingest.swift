import BasinHTTP
import BasinModel
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import StorageAPI

extension BluefloodRoutes {
    /// `POST /ingest` (path tenant) and `/ingest/multi` (each sample's tenant), §3–§4.
    ///
    /// `200` with an empty body when everything was stored, `207` listing only the rejected
    /// items while the valid ones are stored, `400` when nothing valid remains. The answer goes
    /// out after the store's `append` returned: acknowledged samples are on disk.
    func ingestMetrics(_ request: Request, tenant: String, multiTenant: Bool) async -> Response {
        let endpoint = multiTenant ? "/v2.0/{tenantId}/ingest/multi" : "/v2.0/{tenantId}/ingest"
        return await ingest(request, tenant: tenant, endpoint: endpoint) { decoder, bytes in
            decoder.decodeMetrics(bytes, pathTenant: tenant, multiTenant: multiTenant)
        }
    }

    /// `POST /ingest/aggregated` (one statsd bundle, all or nothing) and
    /// `/ingest/aggregated/multi` (bundles validated one by one), §5; data goes to each bundle's tenant.
    func ingestAggregated(_ request: Request, tenant: String, multi: Bool) async -> Response {
        let endpoint = multi ? "/v2.0/{tenantId}/ingest/aggregated/multi" : "/v2.0/{tenantId}/ingest/aggregated"
        return await ingest(request, tenant: tenant, endpoint: endpoint) { decoder, bytes in
            decoder.decodeAggregated(bytes, pathTenant: tenant, multi: multi)
        }
    }

    /// The ingest steps every metric route shares: authenticate, read, decode, authorise the
    /// tenants written to, store, answer.
    private func ingest(
        _ request: Request, tenant: String, endpoint: String,
        decode: (BluefloodIngestDecoder, UnsafeRawBufferPointer) -> Result<BluefloodIntake, BluefloodIntakeFailure>
    ) async -> Response {
        // Credentials first, so an unauthenticated caller learns nothing about its payload.
        if case (nil, let refusal?) = authorize(request, tenants: [], pathTenant: tenant, scope: .ingest) {
            return record(refusal, endpoint: endpoint)
        }
        let body: ByteBuffer
        do {
            body = try await readBody(request)
        } catch {
            return bodyFailure(error, tenant: tenant, endpoint: endpoint)
        }
        let decoder = BluefloodIngestDecoder(options: intakeOptions())
        let decoded = body.withUnsafeReadableBytes { decode(decoder, $0) }
        let intake: BluefloodIntake
        switch decoded {
        case .success(let value): intake = value
        case .failure(let failure): return record(Self.response(for: failure, tenant: tenant), endpoint: endpoint)
        }
        let tenants = intake.tenants.sorted()
        if case (nil, let refusal?) = authorize(request, tenants: tenants, pathTenant: tenant, scope: .ingest) {
            return record(refusal, endpoint: endpoint)
        }
        environment.selfMetrics.recordSamples(
            dialect: Blueflood.dialect, endpoint: endpoint, accepted: intake.sampleCount, rejected: intake.errors.count)
        do {
            for name in tenants {
                let org = OrgID(name)
                if let batch = intake.batches[name], !batch.isEmpty {
                    try await environment.store.append(batch, org: org)
                }
                try await storeMetadata(intake, tenant: name, org: org)
            }
        } catch {
            return storageFailure(error, tenant: tenant, message: "Error persisting metrics", endpoint: endpoint)
        }
        if !intake.errors.isEmpty {
            return record(Self.errorResponse(HTTPResponse.Status(code: 207, reasonPhrase: "Multi-Status"), intake.errors), endpoint: endpoint)
        }
        return record(Response(status: .ok), endpoint: endpoint)
    }

    /// Writes a tenant's metadata updates: every aggregated one, and the basic ones that
    /// ``metadataCache`` does not know as written already (remembered once the store took them).
    private func storeMetadata(_ intake: BluefloodIntake, tenant: String, org: OrgID) async throws {
        var updates = intake.aggregatedMetadata[tenant] ?? [:]
        let aggregatedNames = Array(updates.keys)
        var changes: BluefloodMetadataCache.Changes?
        if let basic = intake.basicMetadata[tenant], !basic.isEmpty {
            let found = metadataCache.changes(basic, org: org)
            if updates.isEmpty {
                updates = found.updates
            } else {
                updates.merge(found.updates) { _, basic in basic }
            }
            changes = found
        }
        guard !updates.isEmpty else { return }
        do {
            // Whatever the outcome, the basic entries of these names are no longer what is stored.
            defer { metadataCache.forget(aggregatedNames, org: org) }
            try await environment.store.updateMetricMetadata(org: org, updates)
        }
        if let changes { metadataCache.commit(changes, org: org) }
    }

    /// `POST /events`: one annotation into the reserved `_annotations` dataset of the path tenant (§6).
    func ingestEvent(_ request: Request, tenant: String) async -> Response {
        let endpoint = "/v2.0/{tenantId}/events"
        if case (nil, let refusal?) = authorize(request, tenants: [tenant], pathTenant: tenant, scope: .ingest) {
            return record(refusal, endpoint: endpoint)
        }
        let body: ByteBuffer
        do {
            body = try await readBody(request)
        } catch {
            return bodyFailure(error, tenant: tenant, endpoint: endpoint)
        }
        let decoder = BluefloodIngestDecoder(options: intakeOptions())
        let event: BluefloodEvent
        switch body.withUnsafeReadableBytes({ decoder.decodeEvent($0, pathTenant: tenant) }) {
        case .success(let value): event = value
        case .failure(let failure): return record(Self.response(for: failure, tenant: tenant), endpoint: endpoint)
        }
        do {
            try await records.appendRecords([event.record], org: OrgID(tenant), dataset: ReservedDataset.annotations.rawValue)
        } catch {
            return storageFailure(error, tenant: tenant, message: "Error: could not store the event", endpoint: endpoint)
        }
        environment.selfMetrics.recordSamples(dialect: Blueflood.dialect, endpoint: endpoint, accepted: 1, rejected: 0)
        return record(Response(status: .ok), endpoint: endpoint)
    }

    /// The response of a request the decoder refused as a whole.
    static func response(for failure: BluefloodIntakeFailure, tenant: String) -> Response {
        switch failure {
        case .errors(let entries): errorResponse(.badRequest, entries)
        case .plainText(let text): textResponse(.badRequest, text)
        case .internalError(let message): errorResponse(.internalServerError, [.generic(tenantId: tenant, message)])
        }
    }

    /// The decoder options: Blueflood's window around the server clock and the server's limits.
    func intakeOptions() -> BluefloodIntakeOptions {
        var options = BluefloodIntakeOptions(nowMillis: DialectEnvironment.nowMillis())
        options.maxPastMillis = self.options.maxPastMillis
        options.maxFutureMillis = self.options.maxFutureMillis
        // Room for the longest part suffix a timer or counter adds (`:sampleCount`, `:pct_99.9`).
        options.maxMetricNameBytes = max(1, environment.limits.maxMetricNameBytes - 16)
        options.maxSetValueBytes = environment.limits.maxLabelValueBytes
        options.maxUnitBytes = MetricMetadata.maxFieldBytes
        return options
    }
}
