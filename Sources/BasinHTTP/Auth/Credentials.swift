import Foundation
import HTTPTypes
import Hummingbird

/// Reads credentials the way each vendor's clients send them.
public enum Credentials {
    /// The first value of a header, matched case-insensitively; nil when absent or empty.
    public static func header(_ request: Request, _ name: String) -> String? {
        guard let field = HTTPField.Name(name), let value = request.headers[field], !value.isEmpty else { return nil }
        return value
    }

    /// The token of `Authorization: Bearer <token>`.
    public static func bearer(_ request: Request) -> String? {
        authorization(request, scheme: "bearer")
    }

    /// The password of `Authorization: Basic base64(user:password)` (Grafana's basic auth).
    public static func basicPassword(_ request: Request) -> String? {
        guard let encoded = authorization(request, scheme: "basic"),
              let data = Data(base64Encoded: encoded),
              let decoded = String(data: data, encoding: .utf8),
              let colon = decoded.firstIndex(of: ":") else { return nil }
        let password = String(decoded[decoded.index(after: colon)...])
        return password.isEmpty ? nil : password
    }

    /// The credential of `Authorization: <scheme> <credential>`, scheme matched case-insensitively.
    public static func authorization(_ request: Request, scheme: String) -> String? {
        guard let value = request.headers[.authorization] else { return nil }
        guard let space = value.firstIndex(of: " ") else { return nil }
        guard value[..<space].lowercased() == scheme.lowercased() else { return nil }
        let credential = value[value.index(after: space)...].trimmingCharacters(in: .whitespaces)
        return credential.isEmpty ? nil : credential
    }

    /// A query-string parameter (some clients put keys there, like Datadog's `api_key`).
    public static func queryParameter(_ request: Request, _ name: String) -> String? {
        guard let value = request.uri.queryParameters.get(name), !value.isEmpty else { return nil }
        return value
    }
}
