import BasinModel
import Foundation

/// What a token may do.
public struct TokenScopes: OptionSet, Sendable, Hashable, CustomStringConvertible {
    public let rawValue: UInt8

    public init(rawValue: UInt8) {
        self.rawValue = rawValue
    }

    /// Write telemetry through any dialect's intake.
    public static let ingest = TokenScopes(rawValue: 1)
    /// Read through any query API.
    public static let query = TokenScopes(rawValue: 2)
    /// Manage tokens and organisations.
    public static let admin = TokenScopes(rawValue: 4)

    /// Parses a comma-separated list (`ingest,query`); nil when a name is unknown or the list is empty.
    public init?(parsing text: String) {
        var scopes: TokenScopes = []
        for part in text.split(separator: ",") {
            switch part.trimmingCharacters(in: .whitespaces).lowercased() {
            case "ingest": scopes.insert(.ingest)
            case "query": scopes.insert(.query)
            case "admin": scopes.insert(.admin)
            default: return nil
            }
        }
        if scopes.isEmpty { return nil }
        self = scopes
    }

    /// The scope names, comma-separated, in a fixed order.
    public var description: String { names.joined(separator: ",") }

    /// The scope names in a fixed order.
    public var names: [String] {
        var out: [String] = []
        if contains(.ingest) { out.append("ingest") }
        if contains(.query) { out.append("query") }
        if contains(.admin) { out.append("admin") }
        return out
    }
}

/// An authenticated caller: the organisation its token belongs to and what it may do.
public struct Principal: Sendable, Hashable {
    public let org: OrgID
    public let tokenID: String
    public let scopes: TokenScopes

    public init(org: OrgID, tokenID: String, scopes: TokenScopes) {
        self.org = org
        self.tokenID = tokenID
        self.scopes = scopes
    }
}

/// Checks presented secrets against the live tokens.
public protocol TokenVerifier: Sendable {
    /// The principal of the token whose secret this is, or nil when none matches.
    ///
    /// Implementations compare hashes in constant time.
    func verify(secret: String) -> Principal?
}
