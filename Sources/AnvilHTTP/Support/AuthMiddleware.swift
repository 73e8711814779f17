import AnvilAuth
import AnvilCore
import Foundation
import HTTPTypes
import Hummingbird

/// Resolves the request's credential — an API key (`x-api-key`, or `Authorization: Bearer`) or the
/// UI's session cookie — and the workspace it acts in (`X-Tenant-Id`, as the SDK sends it).
/// A bad credential does not fail the request here — public routes such as `/info` must answer
/// whatever key a client sends — it is recorded and reported by ``TenantContext`` on protected routes.
public struct AuthMiddleware: RouterMiddleware {
    public typealias Context = AnvilRequestContext
    let authenticator: Authenticator

    public init(authenticator: Authenticator) { self.authenticator = authenticator }

    static let apiKey = HTTPField.Name("x-api-key")!
    static let tenantId = HTTPField.Name("x-tenant-id")!
    public static let sessionCookie = "anvil_session"

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        var requested: UUID?
        if let tenant = request.headers[Self.tenantId]?.trimmingCharacters(in: .whitespaces), !tenant.isEmpty {
            requested = UUID(fast: tenant)
            if requested == nil {
                context.authFailure = APIError(.forbidden, "X-Tenant-Id '\(tenant.prefix(64))' is not a workspace id")
                return try await next(request, context)
            }
        }
        let result: Result<Principal, AuthFailure>?
        if let key = Self.presentedKey(request.headers) {
            result = try await authenticator.authenticate(key: key, requestedTenant: requested)
        } else if let secret = request.cookies[Self.sessionCookie]?.value, !secret.isEmpty {
            result = try await authenticator.authenticate(sessionSecret: secret, requestedTenant: requested)
        } else {
            result = nil
        }
        switch result {
        case .success(let principal)?: context.principal = principal
        case .failure(.invalid(let message))?: context.authFailure = APIError(.unauthorized, message)
        case .failure(.forbidden(let message))?: context.authFailure = APIError(.forbidden, message)
        case nil: break
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
