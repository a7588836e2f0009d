import BasinHTTP
import BasinModel
import BasinWire
import Hummingbird
import Logging
import NIOCore
import StorageAPI

extension SignalFxRoutes {
    /// `POST /v2/event`: authenticate, pick the decoder by `Content-Type`, read, decode, store
    /// the valid events as records of the reserved `_events` dataset (layout in
    /// ``SignalFxEvent/record(nowMillis:)``), answer `"OK"` once they are durable.
    func ingestEvents(_ request: Request) async -> Response {
        let endpoint = Self.eventEndpoint
        let principal: Principal
        switch authenticate(request) {
        case .success(let found): principal = found
        case .failure(let error): return finish(.failure(error), endpoint: endpoint)
        }
        guard let format = SignalFxBodyFormat(contentType: request.headers[.contentType]), format != .otlp else {
            return finish(.failure(.unsupportedContentType(request.headers[.contentType] ?? "")), endpoint: endpoint)
        }
        let body: ByteBuffer
        switch await readBody(request) {
        case .success(let bytes): body = bytes
        case .failure(let error): return finish(.failure(error), endpoint: endpoint)
        }
        var batch = SignalFxEventBatch()
        let limits = intakeLimits()
        let failure = body.withUnsafeReadableBytes { raw -> SignalFxErrorResponse? in
            do throws(WireError) {
                if format == .json {
                    try SignalFxEventJSONDecoder.decode(raw, limits: limits, into: &batch)
                } else {
                    try SignalFxEventProtobufDecoder.decode(raw, limits: limits, into: &batch)
                }
                return nil
            } catch {
                return format == .json ? .invalidJSON(error) : .invalidProtobuf(error)
            }
        }
        if let failure { return finish(.failure(failure), endpoint: endpoint) }
        environment.selfMetrics.recordSamples(
            dialect: SignalFx.dialect, endpoint: endpoint, accepted: batch.events.count, rejected: batch.dropped)
        if batch.dropped > 0 {
            environment.logger.info("signalfx: invalid events dropped", metadata: [
                "org": "\(principal.org)", "dropped": "\(batch.dropped)",
            ])
        }
        guard !batch.events.isEmpty else { return finish(.success(()), endpoint: endpoint) }
        let nowMillis = DialectEnvironment.nowMillis()
        do {
            try await records.appendRecords(
                batch.events.map { $0.record(nowMillis: nowMillis) }, org: principal.org, dataset: ReservedDataset.events.rawValue)
        } catch {
            let response = SignalFxErrorResponse(storage: error)
            if response.status == .internalServerError {
                environment.logger.error("signalfx: storing events failed", metadata: ["error": "\(error)"])
            }
            return finish(.failure(response), endpoint: endpoint)
        }
        return finish(.success(()), endpoint: endpoint)
    }
}
