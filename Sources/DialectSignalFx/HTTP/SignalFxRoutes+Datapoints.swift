import BasinHTTP
import BasinModel
import BasinWire
import Hummingbird
import Logging
import NIOCore
import StorageAPI

extension SignalFxRoutes {
    /// `POST /v2/datapoint`: authenticate, pick the decoder by `Content-Type`, read, decode,
    /// store the valid points and the `dialect` metadata of new metric names, answer `"OK"`.
    ///
    /// The answer goes out only after the store's `append` returned (acknowledged points are
    /// durable). Dropped points are counted as rejected samples and logged at `info`.
    func ingestDatapoints(_ request: Request) async -> Response {
        let endpoint = Self.datapointEndpoint
        let principal: Principal
        switch authenticate(request) {
        case .success(let found): principal = found
        case .failure(let error): return finish(.failure(error), endpoint: endpoint)
        }
        guard let format = SignalFxBodyFormat(contentType: request.headers[.contentType]) else {
            return finish(.failure(.unsupportedContentType(request.headers[.contentType] ?? "")), endpoint: endpoint)
        }
        if format == .otlp { return finish(.failure(.otlpUnsupported), endpoint: endpoint) }
        let body: ByteBuffer
        switch await readBody(request) {
        case .success(let bytes): body = bytes
        case .failure(let error): return finish(.failure(error), endpoint: endpoint)
        }
        var batch = SignalFxDatapointBatch(limits: intakeLimits(), nowMillis: DialectEnvironment.nowMillis())
        let failure = body.withUnsafeReadableBytes { raw -> SignalFxErrorResponse? in
            do throws(WireError) {
                if format == .json {
                    try SignalFxDatapointJSONDecoder.decode(raw, into: &batch)
                } else {
                    try SignalFxDatapointProtobufDecoder.decode(raw, into: &batch)
                }
                return nil
            } catch {
                return format == .json ? .invalidJSON(error) : .invalidProtobuf(error)
            }
        }
        if let failure { return finish(.failure(failure), endpoint: endpoint) }
        environment.selfMetrics.recordSamples(
            dialect: SignalFx.dialect, endpoint: endpoint, accepted: batch.acceptedCount, rejected: batch.droppedCount)
        if let first = batch.firstDrop {
            environment.logger.info("signalfx: invalid datapoints dropped", metadata: [
                "org": "\(principal.org)", "dropped": "\(batch.droppedCount)",
                "first_reason": "\(first.reason.rawValue)", "first_metric": "\(first.metric)",
            ])
        }
        do {
            if !batch.metrics.isEmpty {
                try await environment.store.append(batch.metrics, org: principal.org)
            }
            try await storeMetadata(batch.metricNames, org: principal.org)
        } catch {
            let response = SignalFxErrorResponse(storage: error)
            if response.status == .internalServerError {
                environment.logger.error("signalfx: store failed", metadata: ["error": "\(error)"])
            }
            return finish(.failure(response), endpoint: endpoint)
        }
        return finish(.success(()), endpoint: endpoint)
    }

    /// Writes `dialect: signalfx` for the names this instance has not written yet, in one batch.
    func storeMetadata(_ names: Set<String>, org: OrgID) async throws {
        let fresh = seenNames.unseen(names, org: org)
        guard !fresh.isEmpty else { return }
        var updates: [String: MetricMetadata] = [:]
        for name in fresh { updates[name] = MetricMetadata(dialect: SignalFx.dialect) }
        try await environment.store.updateMetricMetadata(org: org, updates)
        seenNames.insert(fresh, org: org)
    }
}
