import BasinHTTP
import BasinModel
import Foundation
import Hummingbird

/// Token management over HTTP, for tokens with the admin scope (`Authorization: Bearer`).
///
/// - `GET /api/basin/v1/tokens` lists tokens (never secrets);
/// - `POST /api/basin/v1/tokens` with `{"scopes": ["ingest","query"], "org": "default", "name": "ci"}`
///   creates one and answers 201 with its secret, shown this once;
/// - `DELETE /api/basin/v1/tokens/{id}` revokes one (204, or 404).
///
/// An admin token of the `default` organisation manages every organisation's tokens; an admin
/// token of another organisation only its own.
struct AdminRoutes {
    let tokens: TokenStore

    struct CreateRequest: Decodable {
        var org: String?
        var scopes: [String]
        var name: String?
    }

    struct TokenView: Codable {
        var id: String
        var org: String
        var name: String
        var scopes: [String]
        var createdAt: Int64
        var revokedAt: Int64?
        var token: String?

        init(_ record: TokenRecord, secret: String? = nil) {
            id = record.id
            org = record.org
            name = record.name
            scopes = record.scopes
            createdAt = record.createdAtSeconds
            revokedAt = record.revokedAtSeconds
            token = secret
        }
    }

    struct TokenList: Codable { var tokens: [TokenView] }

    func register(on router: Router<BasinRequestContext>) {
        let group = router.group("api/basin/v1/tokens")
        group.get { request, _ -> Response in
            let admin = try authenticate(request)
            let views = tokens.list().filter { admin.org == .default || $0.org == admin.org.name }.map { TokenView($0) }
            return try json(TokenList(tokens: views), status: .ok)
        }
        group.post { request, _ -> Response in
            let admin = try authenticate(request)
            let body = try await BodyReader.read(request, limits: HTTPLimits(), maxBytes: 64 << 10)
            let create: CreateRequest
            do {
                create = try JSONDecoder().decode(CreateRequest.self, from: Data(body.readableBytesView))
            } catch {
                return errorResponse(.badRequest, "body must be {\"scopes\": [\"ingest\", \"query\", \"admin\"], \"org\": NAME, \"name\": LABEL}")
            }
            guard let scopes = TokenScopes(parsing: create.scopes.joined(separator: ",")) else {
                return errorResponse(.badRequest, "scopes must be a non-empty list of ingest, query, admin")
            }
            let org = create.org ?? admin.org.name
            guard admin.org == .default || org == admin.org.name else {
                return errorResponse(.forbidden, "an admin token of organisation \(admin.org) cannot create tokens for \(org)")
            }
            do {
                let (record, secret) = try tokens.create(org: org, scopes: scopes, name: create.name ?? "")
                return try json(TokenView(record, secret: secret), status: .created)
            } catch let error as TokenStoreError {
                return errorResponse(.badRequest, error.message)
            }
        }
        group.delete(":id") { request, context -> Response in
            let admin = try authenticate(request)
            let id = context.parameters.get("id") ?? ""
            guard let record = tokens.list().first(where: { $0.id == id && $0.revokedAtSeconds == nil }),
                  admin.org == .default || record.org == admin.org.name else {
                return errorResponse(.notFound, "no live token with id \(id)")
            }
            try tokens.revoke(id: id)
            return Response(status: .noContent)
        }
    }

    private func authenticate(_ request: Request) throws -> Principal {
        guard let secret = Credentials.bearer(request) else {
            throw HTTPError(.unauthorized, message: "missing Authorization: Bearer token")
        }
        guard let principal = tokens.verify(secret: secret) else {
            throw HTTPError(.unauthorized, message: "invalid token")
        }
        guard principal.scopes.contains(.admin) else {
            throw HTTPError(.forbidden, message: "token lacks the admin scope")
        }
        return principal
    }

    private func json(_ value: some Encodable, status: HTTPResponse.Status) throws -> Response {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.sortedKeys]
        let data = try encoder.encode(value)
        return Response(
            status: status, headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    private func errorResponse(_ status: HTTPResponse.Status, _ message: String) -> Response {
        let payload = (try? JSONSerialization.data(withJSONObject: ["error": message])) ?? Data()
        return Response(
            status: status, headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(bytes: payload)))
    }
}
