import BasinHTTP
import BasinModel
import BasinWire
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import StorageAPI

extension DatadogRoutes {
    /// The Agent's distribution intakes (spec §3.4): `/api/beta/sketches`, and `/api/v1/sketches`
    /// some Agent versions use.
    static let sketchPaths = ["/api/beta/sketches", "/api/v1/sketches"]

    /// `POST /api/beta/sketches` (protobuf `SketchPayload`, compressed like series): stores the
    /// sketches in the distribution layout of `distribution_points` (``DatadogSketchDecoder``),
    /// marks the metrics `vendorType = "distribution"`, answers `202 {}` once stored.
    ///
    /// A JSON body (first byte `{`) is refused with `400` and a hint; the Agent drops on 400
    /// instead of retrying.
    func submitSketches(_ request: Request, endpoint: String) async -> Response {
        let principal: Principal, body: ByteBuffer
        switch await extrasIngestBody(request, endpoint: endpoint) {
        case .success(let found): (principal, body) = found
        case .failure(let response): return response
        }
        if body.getInteger(at: body.readerIndex, as: UInt8.self) == UInt8(ascii: "{") {
            return fail(DatadogErrorResponse(status: .badRequest, messages: [
                "sketch payloads must be protobuf SketchPayload (Content-Type: application/x-protobuf); send JSON distributions to /api/v1/distribution_points",
            ]), endpoint: endpoint)
        }
        var batch = MetricBatch()
        let result: DatadogIntakeResult
        do {
            result = try DatadogSketchDecoder(options: intakeOptions(), limits: recordLimits).decode(body, into: &batch)
        } catch {
            return fail(DatadogErrorResponse(error), endpoint: endpoint)
        }
        return await storeDistributions(batch, result, org: principal.org, endpoint: endpoint, success: "{}")
    }
}
