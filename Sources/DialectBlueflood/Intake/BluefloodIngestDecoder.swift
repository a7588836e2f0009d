import BasinModel
import BasinWire

/// Decodes the bodies of Blueflood's ingest listener (spec `blueflood.md` §3–§6) into samples,
/// metadata and error entries, deciding every 400 itself so the routes only map the result
/// to a status: `.failure` is a 400 (or the 500 Blueflood gives for unstorable values);
/// `.success` with ``BluefloodIntake/errors`` is a 207, without is a 200.
///
/// Two parsers are imitated, because Blueflood uses two:
/// - `/ingest`, `/ingest/multi` and `/events` are bound by Jackson 1: an unknown member fails
///   the whole request, scalars are coerced to strings, numeric strings to integers, `null` to 0
///   for `collectionTime`/`ttlInSeconds`/`when`.
/// - The aggregated endpoints are bound by Gson: unknown members are ignored, numeric strings
///   are accepted where numbers are expected.
/// Both parsers' syntax is strict JSON here (Gson's lenient syntax — comments, single quotes,
/// unquoted names — is not accepted; no known client sends it).
///
/// Nothing is read recursively: values the dialect ignores are skipped with an explicit stack
/// and their depth checked against ``BluefloodIntakeOptions/maxValueDepth``.
///
/// - Complexity: O(n) in the body size; per sample three column appends and, for a basic
///   metric, one dictionary lookup on its name bytes.
public struct BluefloodIngestDecoder: Sendable {
    /// The clock, window and limits.
    public let options: BluefloodIntakeOptions

    /// Creates a decoder.
    public init(options: BluefloodIntakeOptions) {
        self.options = options
    }

    /// Decodes `POST /ingest` (`multiTenant` false: samples go to `pathTenant`) or
    /// `POST /ingest/multi` (true: each element's `tenantId`), applying §3.2 steps 1–4.
    ///
    /// - Parameters:
    ///   - body: the decompressed body; only read during the call.
    ///   - pathTenant: the `{tenantId}` of the path, used for generic errors and value errors.
    ///   - multiTenant: whether elements carry their own `tenantId`.
    /// - Returns: at least one sample to store (with the rejected items' entries, for a 207),
    ///   or the failure: `Cannot parse content` (not an array of known members, malformed JSON),
    ///   the collected entries or `No valid metrics` when nothing is left to store, the TTL
    ///   message of B56, or a 500 `Failed parsing content` for a value beyond `Double`'s range.
    public func decodeMetrics(_ body: UnsafeRawBufferPointer, pathTenant: String, multiTenant: Bool) -> Result<BluefloodIntake, BluefloodIntakeFailure> {
        if !multiTenant, let failure = checkPathTenant(pathTenant) { return .failure(failure) }
        var state = BluefloodMetricState(options: options, pathTenant: pathTenant, multiTenant: multiTenant)
        var scanner = BluefloodJSON.scanner(body)
        do throws(WireError) {
            try state.decode(&scanner)
        } catch {
            return .failure(.generic(pathTenant, "Cannot parse content"))
        }
        if let abort = state.abort { return .failure(abort) }
        let errors = state.validationErrors + state.valueErrors
        let intake = state.sinks.intake(errors: errors)
        guard intake.sampleCount > 0 else {
            return .failure(errors.isEmpty ? .generic(pathTenant, "No valid metrics") : .errors(errors))
        }
        return .success(intake)
    }

    /// Decodes `POST /ingest/aggregated` (`multi` false: one bundle; any error fails the request
    /// with all errors) or `POST /ingest/aggregated/multi` (true: an array of bundles; invalid
    /// bundles are skipped and their entries returned, for a 207).
    ///
    /// Samples are written into each bundle's own `tenantId`; `pathTenant` only names generic errors.
    ///
    /// - Returns: the samples of the valid bundles (possibly none, when a valid bundle holds only
    ///   empty sets) or the failure: `Invalid request body` (empty, `null`, malformed, wrong
    ///   shape), the plain-text `No valid metrics` for an empty multi array, the entries when
    ///   no bundle is valid, or a 500 `Failed parsing content` for a set without `values`.
    public func decodeAggregated(_ body: UnsafeRawBufferPointer, pathTenant: String, multi: Bool) -> Result<BluefloodIntake, BluefloodIntakeFailure> {
        var state = BluefloodBundleState(options: options)
        var scanner = BluefloodJSON.scanner(body)
        var bundles = 0
        do throws(WireError) {
            if multi {
                try scanner.readArrayStart()
                var first = true
                while try scanner.readNextArrayElement(isFirst: &first) {
                    if try scanner.readNull() { continue }
                    try state.decodeBundle(&scanner)
                    bundles += 1
                }
            } else {
                // Gson maps an empty body or `null` to no payload at all.
                guard !(try scanner.readNull()), scanner.peekToken() != .end else {
                    return .failure(.generic(pathTenant, "Invalid request body"))
                }
                try state.decodeBundle(&scanner)
                bundles = 1
            }
            try scanner.readEnd()
        } catch {
            return .failure(.generic(pathTenant, "Invalid request body"))
        }
        if let abort = state.abort { return .failure(abort) }
        if multi, bundles == 0 { return .failure(.plainText("No valid metrics")) }
        if state.validBundles == 0 || (!multi && !state.errors.isEmpty) {
            return .failure(.errors(state.errors))
        }
        return .success(state.sinks.intake(errors: state.errors))
    }

    /// Decodes `POST /events`: exactly one annotation object (§6).
    ///
    /// - Returns: the event, stored under `pathTenant`, or the failure: `Invalid Data: …` for
    ///   malformed JSON, unknown members or several root values, else one entry per violated rule.
    public func decodeEvent(_ body: UnsafeRawBufferPointer, pathTenant: String) -> Result<BluefloodEvent, BluefloodIntakeFailure> {
        if let failure = checkPathTenant(pathTenant) { return .failure(failure) }
        return BluefloodEventReader(options: options, tenantId: pathTenant).decode(body)
    }

    /// A path tenant too long to be an organisation is a generic 400.
    func checkPathTenant(_ tenant: String) -> BluefloodIntakeFailure? {
        let bytes = tenant.utf8.count
        guard bytes > options.maxTenantBytes else { return nil }
        return .generic(tenant, BluefloodIntakeOptions.overLimit("tenantId", bytes: bytes, limit: options.maxTenantBytes))
    }
}
