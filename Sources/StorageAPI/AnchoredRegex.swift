import BasinModel

/// A fully anchored regular expression, with fast paths for the shapes Grafana sends most:
/// a literal, a `|`-separated list of literals, `.*` and `.+`.
final class AnchoredRegex: @unchecked Sendable {
    // Regex<AnyRegexOutput> is not Sendable; this class only reads it after init, and
    // `wholeMatch` does not mutate it.
    private let regex: Regex<AnyRegexOutput>?
    private let literals: Set<String>?
    private let matchAll: Bool
    private let matchNonEmpty: Bool

    init(_ pattern: String) throws(StorageError) {
        matchAll = pattern == ".*"
        matchNonEmpty = pattern == ".+"
        if !matchAll, !matchNonEmpty, AnchoredRegex.isLiteralAlternation(pattern) {
            literals = Set(pattern.split(separator: "|", omittingEmptySubsequences: false).map(String.init))
            regex = nil
            return
        }
        literals = nil
        if matchAll || matchNonEmpty {
            regex = nil
            return
        }
        do {
            regex = try Regex("(?:" + pattern + ")")
        } catch {
            throw StorageError(kind: .badRequest, message: "invalid regular expression \"\(pattern)\": \(error)")
        }
    }

    func matches(_ s: String) -> Bool {
        if matchAll { return true }
        if matchNonEmpty { return !s.isEmpty }
        if let literals { return literals.contains(s) }
        guard let regex else { return false }
        return (try? regex.wholeMatch(in: s)) != nil
    }

    private static func isLiteralAlternation(_ pattern: String) -> Bool {
        for u in pattern.utf8 {
            switch u {
            case UInt8(ascii: "\\"), UInt8(ascii: "."), UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "?"),
                 UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "["), UInt8(ascii: "]"), UInt8(ascii: "{"),
                 UInt8(ascii: "}"), UInt8(ascii: "^"), UInt8(ascii: "$"):
                return false
            default:
                continue
            }
        }
        return true
    }
}
