import ArgumentParser
import BasinHTTP
import BasinServer
import Foundation

struct Token: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Create, list and revoke API tokens.",
        discussion: """
            Tokens belong to one organisation and carry scopes: ingest (write through any vendor intake), query (read through any query API) and admin (manage tokens). Only a SHA-256 of each token is stored; a new token is shown once. A running server picks up changes within a second.
            """,
        subcommands: [Create.self, List.self, Revoke.self]
    )

    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a token and print it once.")

        @OptionGroup var dataOptions: DataOptions

        @Option(help: ArgumentHelp("Comma-separated scopes: ingest, query, admin.", valueName: "scopes"))
        var scopes: String

        @Option(help: ArgumentHelp("Organisation (created when new).", valueName: "name"))
        var org: String = "default"

        @Option(help: ArgumentHelp("A label to recognise the token by.", valueName: "label"))
        var name: String = ""

        @Option(help: ArgumentHelp(
            "Use this secret instead of a random one, to provision a key an agent already has (1-256 characters, no spaces).",
            valueName: "secret"))
        var secret: String?

        func run() throws {
            guard let parsed = TokenScopes(parsing: scopes) else {
                throw ValidationError("--scopes must list one or more of ingest, query, admin (got \"\(scopes)\")")
            }
            let store = try TokenStore(directory: try dataOptions.resolve().dataDirectory)
            do {
                let (record, shown) = try store.create(org: org, scopes: parsed, name: name, secret: secret)
                print(shown)
                FileHandle.standardError.write(Data("created token \(record.id) in organisation \(record.org) with scopes \(record.scopes.joined(separator: ","))\n".utf8))
            } catch let error as TokenStoreError {
                throw ValidationError(error.message)
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List tokens (never their secrets).")

        @OptionGroup var dataOptions: DataOptions

        @Flag(help: "Include revoked tokens.")
        var all = false

        func run() throws {
            let store = try TokenStore(directory: try dataOptions.resolve().dataDirectory)
            let records = store.list().filter { all || $0.revokedAtSeconds == nil }
            print("ID            ORG              SCOPES              CREATED               STATE    NAME")
            let formatter = ISO8601DateFormatter()
            for record in records {
                let created = formatter.string(from: Date(timeIntervalSince1970: TimeInterval(record.createdAtSeconds)))
                let state = record.revokedAtSeconds == nil ? "live" : "revoked"
                print(
                    record.id.padding(toLength: 14, withPad: " ", startingAt: 0)
                        + record.org.padding(toLength: 17, withPad: " ", startingAt: 0)
                        + record.scopes.joined(separator: ",").padding(toLength: 20, withPad: " ", startingAt: 0)
                        + created.padding(toLength: 22, withPad: " ", startingAt: 0)
                        + state.padding(toLength: 9, withPad: " ", startingAt: 0)
                        + record.name)
            }
        }
    }

    struct Revoke: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a token by its ID.")

        @OptionGroup var dataOptions: DataOptions

        @Argument(help: "The token's ID, as `basin token list` shows it.")
        var id: String

        func run() throws {
            let store = try TokenStore(directory: try dataOptions.resolve().dataDirectory)
            guard try store.revoke(id: id) else {
                throw ValidationError("no live token with ID \(id)")
            }
            print("revoked \(id)")
        }
    }
}
