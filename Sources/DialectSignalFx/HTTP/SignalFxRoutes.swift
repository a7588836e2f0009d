import BasinHTTP
import BasinModel
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import StorageAPI
import Synchronization

/// The Splunk Observability (SignalFx) ingest routes (`../shared/specs/signalfx.md`):
/// `POST /v2/datapoint` (JSON or protobuf `DataPointUploadMessage`) and `POST /v2/event`
/// (JSON or protobuf `EventUploadMessage`).
///
/// Credentials: the `X-SF-Token` header in any capitalisation, holding a Basin token with the
/// `ingest` scope; otherwise `401`. The body format follows `Content-Type` (JSON when absent,
/// `415` for anything else); `Content-Encoding` is undone by ``BodyReader`` (gzip as every
/// client sends, also deflate and zstd). Success is `200` with the JSON string `"OK"` (spec §2.4).
/// Points and events that are individually invalid are dropped and counted while the rest is
/// stored; only a body that cannot be parsed is `400` (spec §3.5). Other methods get `405`.
///
/// Trace routes (`POST /v2/trace`) are registered by an extension in `Traces/`, which can use
/// ``authenticate(_:)``, ``readBody(_:)`` and ``finish(_:endpoint:)``. See `docs/dialects/signalfx.md`.
public struct SignalFxRoutes: Sendable {
    /// What the routes use: store, tokens, limits, self-metrics, logger.
    public let environment: DialectEnvironment
    /// Where events go (the reserved `_events` dataset).
    public let records: any RecordStore
    /// Metric names whose metadata this instance already wrote.
    let seenNames: SignalFxSeenNames

    /// The self-metrics endpoint names.
    static let datapointEndpoint = "/v2/datapoint"
    static let eventEndpoint = "/v2/event"

    /// Creates the routes.
    ///
    /// - Parameters:
    ///   - environment: the shared dialect environment; its limits cap bodies and labels.
    ///   - records: the record store that receives events.
    public init(environment: DialectEnvironment, records: any RecordStore) {
        self.environment = environment
        self.records = records
        self.seenNames = SignalFxSeenNames()
    }

    /// Adds `POST /v2/datapoint` and `POST /v2/event` (and `405` for their other methods) to `router`.
    public func register(on router: Router<BasinRequestContext>) {
        router.post(RouterPath(Self.datapointEndpoint)) { request, _ in
            await self.ingestDatapoints(request)
        }
        router.post(RouterPath(Self.eventEndpoint)) { request, _ in
            await self.ingestEvents(request)
        }
        for path in [Self.datapointEndpoint, Self.eventEndpoint] {
            for method in [HTTPRequest.Method.get, .put, .delete, .patch] {
                router.on(RouterPath(path), method: method) { _, _ in
                    self.finish(.failure(.onlyPost), endpoint: path)
                }
            }
        }
    }

    /// The principal of the request's `X-SF-Token`, which must have the `ingest` scope.
    func authenticate(_ request: Request) -> Result<Principal, SignalFxErrorResponse> {
        guard let secret = Credentials.header(request, "X-SF-Token"),
              let principal = environment.verify(secret: secret, dialect: SignalFx.dialect, request) else {
            return .failure(.invalidToken)
        }
        guard principal.scopes.contains(.ingest) else { return .failure(.missingIngestScope) }
        return .success(principal)
    }

    /// The body with its `Content-Encoding` undone, within the server's limits.
    func readBody(_ request: Request) async -> Result<ByteBuffer, SignalFxErrorResponse> {
        do {
            return .success(try await BodyReader.read(request, limits: environment.limits))
        } catch {
            return .failure(SignalFxErrorResponse(error))
        }
    }

    /// Counts the outcome in self-monitoring and renders it: `200` `"OK"` or the error.
    func finish(_ outcome: Result<Void, SignalFxErrorResponse>, endpoint: String) -> Response {
        switch outcome {
        case .success:
            environment.selfMetrics.recordRequest(dialect: SignalFx.dialect, endpoint: endpoint, status: 200)
            return Response.json(status: .ok, ByteBuffer(string: SignalFx.okBody))
        case .failure(let error):
            environment.selfMetrics.recordRequest(dialect: SignalFx.dialect, endpoint: endpoint, status: Int(error.status.code))
            return error.response
        }
    }

    /// The intake limits: SignalFx's own, lowered to the server's.
    func intakeLimits() -> SignalFxIntakeLimits {
        let server = environment.limits
        return SignalFxIntakeLimits(
            serverMaxLabels: server.maxLabelsPerSeries, serverMaxLabelNameBytes: server.maxLabelNameBytes,
            serverMaxLabelValueBytes: server.maxLabelValueBytes, serverMaxMetricNameBytes: server.maxMetricNameBytes)
    }
}

/// The metric names (per organisation) whose `dialect` metadata was already written by this
/// process, so a steady stream of the same names costs no metadata writes.
///
/// Bounded: past ``capacity`` names it forgets everything and starts over (a rewrite of
/// metadata that is already there is harmless).
final class SignalFxSeenNames: Sendable {
    private let names = Mutex<Set<String>>([])
    /// Most names remembered.
    let capacity: Int

    init(capacity: Int = 100_000) {
        self.capacity = capacity
    }

    /// The names of `candidates` not seen yet for `org`.
    func unseen(_ candidates: Set<String>, org: OrgID) -> [String] {
        names.withLock { seen in candidates.filter { !seen.contains(Self.key(org, $0)) } }
    }

    /// Remembers names whose metadata is now stored.
    func insert(_ stored: [String], org: OrgID) {
        names.withLock { seen in
            if seen.count + stored.count > capacity { seen.removeAll(keepingCapacity: true) }
            for name in stored { seen.insert(Self.key(org, name)) }
        }
    }

    private static func key(_ org: OrgID, _ name: String) -> String {
        "\(org.name)\u{0}\(name)"
    }
}
