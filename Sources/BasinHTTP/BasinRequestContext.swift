import Hummingbird
import Logging
import NIOCore

/// The request context of every Basin route.
///
/// Authentication is per dialect (each vendor has its own credential header and error
/// envelope), so the context carries nothing but Hummingbird's core storage; handlers receive
/// an authenticated ``Principal`` from their dialect's `authenticate` step.
public struct BasinRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
    }

    /// Bodies are read through ``BodyReader`` with explicit limits; Hummingbird's own decoding
    /// limit only applies to Codable admin endpoints.
    public var maxUploadSize: Int { 1 << 20 }
}
