import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

extension DialectEnvironment {
    /// The principal of `secret`, or nil for a secret no token has.
    ///
    /// A refused secret is logged as a warning with the dialect, path and user agent: agents
    /// (Datadog's among them) drop their data on an authentication error and log little, so the
    /// server is where an operator sees it.
    public func verify(secret: String, dialect: String, _ request: Request) -> Principal? {
        guard let principal = tokens.verify(secret: secret) else {
            logger.warning("\(dialect): request with an unknown token rejected", metadata: [
                "path": "\(request.uri.path)",
                "user_agent": "\(request.headers[.userAgent] ?? "")",
            ])
            return nil
        }
        return principal
    }

    /// The server clock in milliseconds since the epoch (rounded down), as the intake windows use it.
    public static func nowMillis() -> Int64 {
        Int64((Date().timeIntervalSince1970 * 1000).rounded(.down))
    }
}

extension Response {
    /// A JSON response with `body`.
    public static func json(status: HTTPResponse.Status, _ body: ByteBuffer) -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: body))
    }
}
