/// Settings of the Axiom routes that are not per request.
public struct AxiomRoutesOptions: Sendable {
    /// Whether ingesting into a dataset that does not exist creates it (with an empty
    /// description and the store's retention). Default false: Axiom answers `404` and its
    /// clients create datasets first (spec §5.4).
    public var createDatasetOnIngest: Bool
    /// Most bytes of an ingest body as sent; nil (the default) uses
    /// `HTTPLimits.maxDecompressedBytes` (64 MiB), since the spec asks for at least 50 MiB
    /// and an uncompressed body is its own decompressed size.
    public var maxIngestBodyBytes: Int?
    /// Most bytes of a datasets API body (create, update, trim).
    public var maxAdminBodyBytes: Int
    /// Decoder limits (events per request, field name length, string size, nesting, fields per event).
    public var ingestLimits: AxiomIngestLimits
    /// Whether stored events get a `_sysTime` field (the receive time), Axiom's system field.
    public var storesSysTime: Bool

    /// The defaults above.
    public init(
        createDatasetOnIngest: Bool = false, maxIngestBodyBytes: Int? = nil, maxAdminBodyBytes: Int = 1 << 20,
        ingestLimits: AxiomIngestLimits = AxiomIngestLimits(), storesSysTime: Bool = true
    ) {
        self.createDatasetOnIngest = createDatasetOnIngest
        self.maxIngestBodyBytes = maxIngestBodyBytes
        self.maxAdminBodyBytes = maxAdminBodyBytes
        self.ingestLimits = ingestLimits
        self.storesSysTime = storesSysTime
    }
}
