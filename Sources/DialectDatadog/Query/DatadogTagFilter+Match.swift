import Foundation
import BasinModel
import StorageAPI

extension DatadogTagFilter {
    /// Whether a series' labels satisfy the filter. Datadog tags are Basin labels (`host`
    /// included); the metric name label never matches a tag.
    func matches(_ labels: Labels) -> Bool {
        switch self {
        case .tag(let key, let pattern):
            guard key != Labels.metricNameKey, let value = labels[key] else { return false }
            guard let pattern else { return true }
            return Self.glob(pattern, matches: value)
        case .oneOf(let key, let values):
            guard key != Labels.metricNameKey, let value = labels[key] else { return false }
            return values.contains { Self.glob($0, matches: value) }
        case .not(let inner): return !inner.matches(labels)
        case .and(let parts): return parts.allSatisfy { $0.matches(labels) }
        case .or(let parts): return parts.contains { $0.matches(labels) }
        }
    }

    /// `*` matches any run of characters; everything else is literal and case-sensitive.
    static func glob(_ pattern: String, matches value: String) -> Bool {
        guard pattern.contains("*") else { return pattern == value }
        let parts = pattern.split(separator: "*", omittingEmptySubsequences: false)
        var rest = Substring(value)
        for (i, part) in parts.enumerated() {
            if i == 0 {
                guard rest.hasPrefix(part) else { return false }
                rest = rest.dropFirst(part.count)
            } else if i == parts.count - 1 {
                return rest.hasSuffix(part)
            } else if !part.isEmpty {
                guard let r = rest.range(of: part) else { return false }
                rest = rest[r.upperBound...]
            }
        }
        return true
    }

    /// Matchers the store can apply (a subset of the filter's conditions: the store returns a
    /// superset, which ``matches(_:)`` then narrows); empty when nothing can be pushed down.
    var pushdownMatchers: [LabelMatcher] {
        switch self {
        case .tag(let key, let pattern?) where key != Labels.metricNameKey:
            if !pattern.contains("*") { return [.equal(key, pattern)] }
            if pattern == "*" { return [] }
            return (try? LabelMatcher(name: key, op: .regexMatch, value: Self.regex(pattern))).map { [$0] } ?? []
        case .not(.tag(let key, let pattern?)) where key != Labels.metricNameKey && !pattern.contains("*"):
            return (try? LabelMatcher(name: key, op: .notEqual, value: pattern)).map { [$0] } ?? []
        case .and(let parts):
            return parts.flatMap(\.pushdownMatchers)
        default:
            return []
        }
    }

    /// The anchored regular expression of a glob.
    static func regex(_ pattern: String) -> String {
        var out = ""
        for c in pattern {
            if c == "*" { out += ".*"; continue }
            if "\\.+?()[]{}|^$".contains(c) { out.append("\\") }
            out.append(c)
        }
        return out
    }
}
