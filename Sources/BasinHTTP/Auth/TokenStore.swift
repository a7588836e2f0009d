import BasinModel
import Crypto
import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// One stored token; the secret itself is never stored, only its SHA-256.
public struct TokenRecord: Codable, Sendable, Hashable {
    /// Short public identifier, used to list and revoke.
    public var id: String
    /// The owning organisation's name.
    public var org: String
    /// A human label.
    public var name: String
    /// Scope names (`ingest`, `query`, `admin`).
    public var scopes: [String]
    /// Lower-case hex SHA-256 of the secret.
    public var sha256: String
    /// Creation time, seconds since the epoch.
    public var createdAtSeconds: Int64
    /// Revocation time, or nil while live.
    public var revokedAtSeconds: Int64?

    /// The scopes as a set.
    public var scopeSet: TokenScopes { TokenScopes(parsing: scopes.joined(separator: ",")) ?? [] }
}

/// Tokens and organisations, persisted in `<data>/tokens.json` (mode 0600).
///
/// The file is shared by the running server and the `basin token` commands: writers take an
/// exclusive `flock` on `tokens.lock`, write a temporary file, fsync it and rename it over the
/// old one; the server notices a changed file within a second and reloads it, so a token
/// created from the command line works without a restart.
public final class TokenStore: TokenVerifier, Sendable {
    /// The file name inside the data directory.
    public static let fileName = "tokens.json"
    /// Where the first start writes the initial admin token (mode 0600).
    public static let adminTokenFileName = "admin-token"

    struct FileContents: Codable {
        var version: Int = 1
        var organisations: [String] = []
        var tokens: [TokenRecord] = []
    }

    struct State {
        var contents = FileContents()
        var hashes: [(digest: [UInt8], record: TokenRecord)] = []
        var modificationTime: Date?
        var lastCheck: ContinuousClock.Instant?
    }

    private let directory: String
    private let state: Mutex<State>

    /// Opens (and creates when missing) the token file in `directory`.
    public init(directory: String) throws {
        self.directory = directory
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        state = Mutex(State())
        try state.withLock { try reload(&$0, force: true) }
    }

    private var path: String { directory + "/" + TokenStore.fileName }

    /// Organisations known to the store.
    public func organisations() -> [String] {
        state.withLock { _ = try? reload(&$0, force: false); return $0.contents.organisations }
    }

    /// All tokens, live and revoked.
    public func list() -> [TokenRecord] {
        state.withLock { _ = try? reload(&$0, force: true); return $0.contents.tokens }
    }

    /// Creates the organisation `default` and an admin token when the store has no tokens at all.
    ///
    /// - Returns: the new admin secret (also written to `admin-token` in the data directory, mode
    ///   0600), or nil when tokens already existed.
    public func bootstrapIfEmpty() throws -> String? {
        let secret: String? = try modify { contents in
            guard contents.tokens.isEmpty else { return nil }
            if !contents.organisations.contains(OrgID.default.name) { contents.organisations.append(OrgID.default.name) }
            let (record, secret) = TokenStore.makeToken(org: OrgID.default.name, scopes: [.ingest, .query, .admin], name: "initial admin")
            contents.tokens.append(record)
            return secret
        }
        if let secret {
            try TokenStore.writePrivateFile(path: directory + "/" + TokenStore.adminTokenFileName, contents: Data((secret + "\n").utf8))
        }
        return secret
    }

    /// Creates a token; the organisation is created when it does not exist yet.
    ///
    /// - Returns: the record and the secret, which is shown once and never stored.
    /// - Parameter secret: a chosen secret, for provisioning a value that already lives in an
    ///   agent's configuration; nil (the default) generates 128 random bits.
    public func create(
        org: String, scopes: TokenScopes, name: String, secret chosen: String? = nil
    ) throws -> (record: TokenRecord, secret: String) {
        guard TokenStore.isValidOrgName(org) else {
            throw TokenStoreError(message: "invalid organisation name \"\(org)\": use 1-64 of a-z, 0-9, '-', '_', '.', ':'")
        }
        guard !scopes.isEmpty else { throw TokenStoreError(message: "a token needs at least one scope") }
        if let chosen, chosen.isEmpty || chosen.utf8.count > 256 || chosen.contains(where: { $0.isWhitespace }) {
            throw TokenStoreError(message: "a chosen secret must be 1-256 characters without spaces")
        }
        return try modify { contents in
            if !contents.organisations.contains(org) { contents.organisations.append(org) }
            var (record, secret) = TokenStore.makeToken(org: org, scopes: scopes, name: name)
            if let chosen {
                let digest = TokenStore.hex(Array(SHA256.hash(data: Array(chosen.utf8))))
                guard !contents.tokens.contains(where: { $0.sha256 == digest && $0.revokedAtSeconds == nil }) else {
                    throw TokenStoreError(message: "a live token already has that secret")
                }
                record.sha256 = digest
                secret = chosen
            }
            contents.tokens.append(record)
            return (record, secret)
        }
    }

    /// Revokes a token by id.
    /// - Returns: false when no live token has that id.
    @discardableResult
    public func revoke(id: String) throws -> Bool {
        try modify { contents in
            guard let index = contents.tokens.firstIndex(where: { $0.id == id && $0.revokedAtSeconds == nil }) else { return false }
            contents.tokens[index].revokedAtSeconds = Int64(Date().timeIntervalSince1970)
            return true
        }
    }

    public func verify(secret: String) -> Principal? {
        let digest = Array(SHA256.hash(data: Array(secret.utf8)))
        return state.withLock { state -> Principal? in
            _ = try? reload(&state, force: false)
            var found = TokenStore.match(digest, in: state.hashes)
            if found == nil {
                // A token created by `basin token create` a moment ago: look at the file now
                // rather than within the next second (one stat per failed attempt).
                state.lastCheck = nil
                _ = try? reload(&state, force: false)
                found = TokenStore.match(digest, in: state.hashes)
            }
            guard let record = found else { return nil }
            return Principal(org: OrgID(record.org), tokenID: record.id, scopes: record.scopeSet)
        }
    }

    /// Compares against every live token without early exit, so timing reveals nothing about
    /// which stored hash shares a prefix with the presented one.
    private static func match(_ digest: [UInt8], in hashes: [(digest: [UInt8], record: TokenRecord)]) -> TokenRecord? {
        var found: TokenRecord?
        for entry in hashes {
            var difference: UInt8 = 0
            for i in 0..<32 { difference |= entry.digest[i] ^ digest[i] }
            if difference == 0 { found = entry.record }
        }
        return found
    }

    // MARK: - Persistence

    private func reload(_ state: inout State, force: Bool) throws {
        let now = ContinuousClock.now
        if !force, let last = state.lastCheck, now - last < .seconds(1) { return }
        state.lastCheck = now
        let attributes = try? FileManager.default.attributesOfItem(atPath: path)
        let mtime = attributes?[.modificationDate] as? Date
        if !force, mtime == state.modificationTime { return }
        guard let data = FileManager.default.contents(atPath: path) else {
            state.contents = FileContents()
            state.hashes = []
            state.modificationTime = nil
            return
        }
        let contents = try JSONDecoder().decode(FileContents.self, from: data)
        state.contents = contents
        state.hashes = contents.tokens.compactMap { record in
            guard record.revokedAtSeconds == nil, let digest = TokenStore.hexBytes(record.sha256), digest.count == 32 else { return nil }
            return (digest, record)
        }
        state.modificationTime = mtime
    }

    private func modify<T>(_ change: (inout FileContents) throws -> T) throws -> T {
        let lockPath = directory + "/tokens.lock"
        let lockFD = open(lockPath, O_CREAT | O_RDWR | O_CLOEXEC, 0o600)
        guard lockFD >= 0 else { throw TokenStoreError(message: "cannot open \(lockPath): errno \(errno)") }
        defer { close(lockFD) }
        guard flock(lockFD, LOCK_EX) == 0 else { throw TokenStoreError(message: "cannot lock \(lockPath): errno \(errno)") }
        defer { flock(lockFD, LOCK_UN) }
        return try state.withLock { state in
            try reload(&state, force: true)
            var contents = state.contents
            let result = try change(&contents)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try TokenStore.writePrivateFile(path: path, contents: try encoder.encode(contents))
            try reload(&state, force: true)
            return result
        }
    }

    /// Writes a file with mode 0600 durably: temporary file, fsync, rename, fsync of the directory.
    static func writePrivateFile(path: String, contents: Data) throws {
        let temporary = path + ".tmp"
        let fd = open(temporary, O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw TokenStoreError(message: "cannot create \(temporary): errno \(errno)") }
        var ok = fchmod(fd, 0o600) == 0
        contents.withUnsafeBytes { raw in
            var offset = 0
            while ok, offset < raw.count {
                let n = write(fd, raw.baseAddress! + offset, raw.count - offset)
                if n <= 0 { ok = false } else { offset += n }
            }
        }
        ok = ok && fsync(fd) == 0
        close(fd)
        guard ok, rename(temporary, path) == 0 else { throw TokenStoreError(message: "cannot write \(path): errno \(errno)") }
        let directory = (path as NSString).deletingLastPathComponent
        let dfd = open(directory.isEmpty ? "." : directory, O_RDONLY | O_CLOEXEC)
        if dfd >= 0 {
            _ = fsync(dfd)
            close(dfd)
        }
    }

    // MARK: - Token material

    static func makeToken(org: String, scopes: TokenScopes, name: String) -> (TokenRecord, String) {
        var generator = SystemRandomNumberGenerator()
        // 32 lower-case hex characters: the shape of a Datadog API key, accepted by every client.
        let secretBytes = (0..<16).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let secret = hex(secretBytes)
        let id = hex((0..<6).map { _ in UInt8.random(in: 0...255, using: &generator) })
        let record = TokenRecord(
            id: id, org: org, name: name, scopes: scopes.names,
            sha256: hex(Array(SHA256.hash(data: Array(secret.utf8)))),
            createdAtSeconds: Int64(Date().timeIntervalSince1970), revokedAtSeconds: nil)
        return (record, secret)
    }

    static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 2)
        for b in bytes {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 0xF)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func hexBytes(_ text: String) -> [UInt8]? {
        let chars = Array(text.utf8)
        guard chars.count % 2 == 0 else { return nil }
        func nibble(_ c: UInt8) -> UInt8? {
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
            default: nil
            }
        }
        var out: [UInt8] = []
        var i = 0
        while i < chars.count {
            guard let hi = nibble(chars[i]), let lo = nibble(chars[i + 1]) else { return nil }
            out.append(hi << 4 | lo)
            i += 2
        }
        return out
    }

    /// Organisation names: 1-64 characters of `a-z 0-9 - _ . :` (the colon for Rackspace
    /// tenants such as `hybrid:123456`, which are Basin organisations).
    public static func isValidOrgName(_ name: String) -> Bool {
        guard (1...64).contains(name.utf8.count) else { return false }
        return name.utf8.allSatisfy { c in
            (c >= UInt8(ascii: "a") && c <= UInt8(ascii: "z")) || (c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9"))
                || c == UInt8(ascii: "-") || c == UInt8(ascii: "_") || c == UInt8(ascii: ".") || c == UInt8(ascii: ":")
        }
    }
}

/// A token operation that could not be carried out.
public struct TokenStoreError: Error, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}
