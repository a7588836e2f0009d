import BasinHTTP
import BasinModel
import Foundation
import Testing

@Suite("Token store")
struct TokenStoreTests {
    static func temporaryDirectory() -> String {
        let path = NSTemporaryDirectory() + "basin-tokens-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    @Test("The first start creates default and an admin token, written 0600, only once")
    func bootstrap() throws {
        let directory = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try TokenStore(directory: directory)
        let secret = try #require(try store.bootstrapIfEmpty())
        #expect(try store.bootstrapIfEmpty() == nil)
        #expect(secret.count == 32)
        let principal = try #require(store.verify(secret: secret))
        #expect(principal.org == .default)
        #expect(principal.scopes == [.ingest, .query, .admin])
        let written = try String(contentsOfFile: directory + "/admin-token", encoding: .utf8)
        #expect(written == secret + "\n")
        for file in ["admin-token", "tokens.json"] {
            let attributes = try FileManager.default.attributesOfItem(atPath: directory + "/" + file)
            #expect((attributes[.posixPermissions] as? Int) == 0o600, "\(file)")
        }
        let stored = try String(contentsOfFile: directory + "/tokens.json", encoding: .utf8)
        #expect(!stored.contains(secret), "the secret itself must never be stored")
    }

    @Test("Created tokens verify with their org and scopes; wrong secrets do not")
    func createAndVerify() throws {
        let directory = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try TokenStore(directory: directory)
        let (record, secret) = try store.create(org: "team-a", scopes: [.ingest], name: "ci")
        #expect(store.verify(secret: secret) == Principal(org: OrgID("team-a"), tokenID: record.id, scopes: [.ingest]))
        #expect(store.verify(secret: secret + "x") == nil)
        #expect(store.verify(secret: "") == nil)
        #expect(store.organisations().contains("team-a"))
    }

    @Test("Revoked tokens stop verifying, also in another store instance on the same file")
    func revoke() async throws {
        let directory = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let server = try TokenStore(directory: directory)
        let cli = try TokenStore(directory: directory)
        let (record, secret) = try cli.create(org: "default", scopes: [.query], name: "")
        try await Task.sleep(for: .milliseconds(1100))
        #expect(server.verify(secret: secret) != nil, "the server picks up a token created elsewhere")
        #expect(try cli.revoke(id: record.id))
        #expect(try !cli.revoke(id: record.id))
        try await Task.sleep(for: .milliseconds(1100))
        #expect(server.verify(secret: secret) == nil)
    }

    @Test("A chosen secret can be provisioned once and is stored only as a hash")
    func chosenSecret() throws {
        let directory = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try TokenStore(directory: directory)
        let (_, secret) = try store.create(org: "default", scopes: [.ingest], name: "agent", secret: "agent-key-1")
        #expect(secret == "agent-key-1")
        #expect(store.verify(secret: "agent-key-1")?.scopes == [.ingest])
        #expect(throws: TokenStoreError.self) { try store.create(org: "default", scopes: [.query], name: "", secret: "agent-key-1") }
        #expect(throws: TokenStoreError.self) { try store.create(org: "default", scopes: [.query], name: "", secret: "has space") }
        let stored = try String(contentsOfFile: directory + "/tokens.json", encoding: .utf8)
        #expect(!stored.contains("agent-key-1"))
    }

    @Test("Organisation names are validated", arguments: ["", "UPPER", "has space", String(repeating: "a", count: 65)])
    func badOrgNames(name: String) throws {
        let directory = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try TokenStore(directory: directory)
        #expect(throws: TokenStoreError.self) { try store.create(org: name, scopes: [.ingest], name: "") }
    }

    @Test("Scope lists parse strictly", arguments: [
        ("ingest,query", "ingest,query"),
        ("admin", "admin"),
        (" ingest , admin ", "ingest,admin"),
        ("", "invalid"),
        ("ingest,write", "invalid"),
    ])
    func scopes(text: String, expected: String) {
        #expect((TokenScopes(parsing: text)?.description ?? "invalid") == expected)
    }
}
