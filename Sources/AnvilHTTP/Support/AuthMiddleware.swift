import AnvilAuth
import Foundation
import HTTPTypes
import Hummingbird

/// Resolves the presented API key (`x-api-key`, or `Authorization: Bearer`) to a principal.
/// A bad key does not fail the request here — public routes such as `/info` must answer whatever
/// key a client sends — it is recorded and reported by ``TenantContext`` on protected routes.
public struct AuthMiddleware: RouterMiddleware {
    public typealias Context = AnvilRequestContext
    let authenticator: Authenticator

    public init(authenticator: Authenticator) { self.authenticator = authenticator }

    static let apiKey = HTTPField.Name("x-api-key")!
    static let tenantId = HTTPField.Name("x-tenant-id")!

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        if let key = Self.presentedKey(request.headers) {
            if let principal = try await authenticator.authenticate(key: key) {
                if let tenant = request.headers[Self.tenantId], !tenant.isEmpty,
                    UUID(uuidString: tenant) != principal.tenantId
                {
                    context.authFailure = APIError(.forbidden, "this API key does not grant access to workspace \(tenant.prefix(64))")
                } else {
                    context.principal = principal
                }
            } else {
                context.authFailure = APIError(.unauthorized, "invalid API key")
            }
        }
        return try await next(request, context)
    }

    static func presentedKey(_ headers: HTTPFields) -> String? {
        if let key = headers[apiKey]?.trimmingCharacters(in: .whitespaces), !key.isEmpty { return key }
        if let auth = headers[.authorization], auth.lowercased().hasPrefix("bearer ") {
            let token = auth.dropFirst(7).trimmingCharacters(in: .whitespaces)
            return token.isEmpty ? nil : token
        }
        return nil
    }
}
