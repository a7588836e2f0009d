import Foundation
import Hummingbird

/// The query string read as an HTML form: `+` is a space (Python's requests, Go's clients and
/// Grafana encode spaces so; a literal `+` arrives as `%2B`) and percent escapes are undone
/// (an invalid escape is kept as written). Every dialect reads its query parameters here.
public enum FormQuery {
    /// The parameters in order, repeated names kept.
    public static func parameters(_ request: Request) -> [(name: String, value: String)] {
        guard let query = request.uri.query, !query.isEmpty else { return [] }
        return query.split(separator: "&", omittingEmptySubsequences: true).map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            return (decode(parts[0]), parts.count > 1 ? decode(parts[1]) : "")
        }
    }

    /// The first value of `name`, or nil when the parameter is absent.
    public static func first(_ request: Request, _ name: String) -> String? {
        parameters(request).first { $0.name == name }?.value
    }

    /// One form-encoded component.
    static func decode(_ text: Substring) -> String {
        let spaced = text.replacingOccurrences(of: "+", with: " ")
        return spaced.removingPercentEncoding ?? spaced
    }
}
