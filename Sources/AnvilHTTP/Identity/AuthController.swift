import AnvilAuth
import AnvilCore
import AnvilStorage
import Foundation
import HTTPTypes
import Hummingbird

/// Sign-in for the UI: password login, logout, the current user, password change, invitations.
struct AuthController: Sendable {
    let accounts: Accounts
    let store: any MetadataStore
    let authenticator: Authenticator
    let auditor: Auditor
    let oidc: OIDCSettings?
    let throttle = LoginThrottle()

    func addPublicRoutes(to group: RouterGroup<AnvilRequestContext>) {
        group.post("auth/login", use: login)
        group.get("auth/providers", use: providers)
        group.get("auth/invitations/:secret", use: invitation)
        group.post("auth/invitations/:secret/accept", use: accept)
    }

    func addRoutes(to group: RouterGroup<TenantContext>) {
        group.get("auth/me", use: me)
        group.post("auth/logout", use: logout)
        group.post("auth/password", use: changePassword)
    }

    // MARK: cookies

    static func sessionCookie(_ secret: String, lifetime: Double, request: Request) -> Cookie {
        Cookie(name: AuthMiddleware.sessionCookie, value: secret, maxAge: Int(lifetime), path: "/",
               secure: isHTTPS(request), httpOnly: true, sameSite: .lax)
    }

    static func clearedCookie(request: Request) -> Cookie {
        Cookie(name: AuthMiddleware.sessionCookie, value: "", maxAge: 0, path: "/", secure: isHTTPS(request), httpOnly: true, sameSite: .lax)
    }

    static func isHTTPS(_ request: Request) -> Bool {
        request.uri.scheme?.rawValue == "https" || request.headers[HTTPField.Name("X-Forwarded-Proto")!]?.lowercased() == "https"
    }

    // MARK: handlers

    @Sendable func providers(request: Request, context: AnvilRequestContext) async throws -> Response {
        .json([
            "password": true,
            "oidc": oidc.map { ["enabled": true, "name": .string($0.displayName), "url": "/api/v1/auth/oidc/start"] }
                ?? ["enabled": false, "name": .null, "url": .null],
        ])
    }

    /// Sign-in bodies must be JSON: a cross-site form cannot send that content type without a
    /// CORS preflight, so no other site can sign a visitor in to an account of its choosing.
    static func requireJSON(_ request: Request) throws {
        guard request.headers[.contentType]?.lowercased().hasPrefix("application/json") == true else {
            throw APIError(.unsupportedMediaType, "send the body as application/json")
        }
    }

    @Sendable func login(request: Request, context: AnvilRequestContext) async throws -> Response {
        try Self.requireJSON(request)
        var request = request
        let b = try await request.jsonObject()
        guard let email = try b.string("email"), let password = try b.string("password") else {
            throw APIError.unprocessable("email and password are required")
        }
        if let wait = await throttle.retryAfter(email: email) {
            await auditor.record(request: request, principal: nil, operation: "auth.login", activity: .other, status: 429,
                                 message: "sign-in throttled for \(email.prefix(254))", organizationId: nil)
            throw APIError(.tooManyRequests, "too many failed sign-ins for this account; try again in \(wait) s", headers: [.retryAfter: String(wait)])
        }
        guard let user = try await accounts.verify(email: email, password: password) else {
            await throttle.failed(email: email)
            await auditor.record(request: request, principal: nil, operation: "auth.login", activity: .other, status: 401,
                                 message: "failed sign-in for \(email.prefix(254))", organizationId: nil)
            throw APIError(.unauthorized, "wrong email or password")
        }
        await throttle.succeeded(email: email)
        let (secret, session) = try await accounts.startSession(for: user)
        let principal = try await authenticator.principal(for: user, kind: .session, requestedTenant: nil, sessionId: session.id)
        await auditor.record(request: request, principal: try? principal.get(), operation: "auth.login", activity: .other, status: 200,
                             message: nil, organizationId: nil, user: user)
        var response = try await meResponse(user: user, principal: try? principal.get())
        response.setCookie(Self.sessionCookie(secret, lifetime: accounts.sessionLifetime, request: request))
        return response
    }

    @Sendable func logout(request: Request, context: TenantContext) async throws -> Response {
        if let id = context.principal.sessionId { try await accounts.endSession(id: id) }
        var response = Response.json(JSONValue.object([:]))
        response.setCookie(Self.clearedCookie(request: request))
        return response
    }

    @Sendable func me(request: Request, context: TenantContext) async throws -> Response {
        let user = try await context.principal.userId.asyncFlatMap { try await store.user(id: $0) }
        return try await meResponse(user: user, principal: context.principal)
    }

    /// The signed-in identity, its workspaces (for the switcher) and the current one.
    func meResponse(user: User?, principal: Principal?) async throws -> Response {
        var workspaces: [(Workspace, WorkspaceRole)] = []
        if let user {
            workspaces = try await WorkspaceAccess.list(for: user, store: store)
        } else if let principal, let ws = try await store.workspace(id: principal.tenantId) {
            workspaces = [(ws, principal.role)]
        }
        return .json { w in
            w.beginObject()
            w.key("user")
            if let user { IdentityJSON.user(user, into: &w) } else { w.null() }
            w.key("kind"); w.string(principal?.kind.rawValue)
            w.key("tenant_id"); w.string(principal?.tenantId.lowercased)
            w.key("organization_id"); w.string(principal?.organizationId.lowercased)
            w.key("role"); w.string(principal?.role.rawValue)
            w.key("organization_role"); w.string(principal?.organizationRole?.rawValue)
            w.key("workspaces")
            w.beginArray()
            for (ws, role) in workspaces { IdentityJSON.workspace(ws, role: role, into: &w) }
            w.endArray()
            w.endObject()
        }
    }

    @Sendable func changePassword(request: Request, context: TenantContext) async throws -> Response {
        guard let userId = context.principal.userId else { throw APIError.badRequest("API keys have no password; sign in as a user") }
        var request = request
        let b = try await request.jsonObject()
        guard let current = try b.string("current_password"), let new = try b.string("new_password") else {
            throw APIError.unprocessable("current_password and new_password are required")
        }
        try await IdentityErrors.map { try await accounts.changePassword(userId: userId, current: current, new: new) }
        await auditor.record(request: request, principal: context.principal, operation: "user.password_change", activity: .update, status: 200)
        var response = Response.json(JSONValue.object([:]))
        if context.principal.kind == .session, let user = try await store.user(id: userId) {
            let (secret, _) = try await accounts.startSession(for: user)
            response.setCookie(Self.sessionCookie(secret, lifetime: accounts.sessionLifetime, request: request))
        }
        return response
    }

    @Sendable func invitation(request: Request, context: AnvilRequestContext) async throws -> Response {
        guard let i = try await accounts.invitation(secret: context.parameters.get("secret") ?? "") else {
            throw APIError.notFound("invitation (it may be used or expired)")
        }
        let org = try await store.organization(id: i.organizationId)
        let exists = try await store.user(email: i.email) != nil
        return .json([
            "email": .string(i.email), "organization": .string(org?.name ?? ""), "organization_role": .string(i.organizationRole.rawValue),
            "workspace_role": i.workspaceRole.map { .string($0.rawValue) } ?? .null, "expires_at": .string(i.expiresAt.iso8601),
            "existing_user": .bool(exists),
        ])
    }

    @Sendable func accept(request: Request, context: AnvilRequestContext) async throws -> Response {
        try Self.requireJSON(request)
        let secret = context.parameters.get("secret") ?? ""
        var request = request
        let b = try await request.jsonObject()
        let (user, signedIn) = try await IdentityErrors.map {
            try await accounts.accept(secret: secret, password: try b.string("password"), displayName: try b.string("display_name"))
        }
        guard signedIn else {
            await auditor.record(request: request, principal: nil, operation: "invitation.accept", activity: .update, status: 200, user: user)
            var response = try await meResponse(user: nil, principal: nil)
            response.headers[HTTPField.Name("X-Anvil-Sign-In")!] = "required"
            return response
        }
        let (sessionSecret, session) = try await accounts.startSession(for: user)
        let principal = try? await authenticator.principal(for: user, kind: .session, requestedTenant: nil, sessionId: session.id).get()
        await auditor.record(request: request, principal: principal, operation: "invitation.accept", activity: .update, status: 200, user: user)
        var response = try await meResponse(user: user, principal: principal)
        response.setCookie(Self.sessionCookie(sessionSecret, lifetime: accounts.sessionLifetime, request: request))
        return response
    }
}

/// Maps account errors to HTTP.
enum IdentityErrors {
    static func map<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let e as AccountError {
            switch e.code {
            case .invalid: throw APIError.unprocessable(e.message)
            case .unauthorized: throw APIError(.forbidden, e.message)
            case .notFound: throw APIError(.notFound, e.message)
            case .conflict: throw APIError(.conflict, e.message)
            }
        }
    }
}

/// Which workspaces a user can act in, with their role in each.
enum WorkspaceAccess {
    static func list(for user: User, store: any MetadataStore) async throws -> [(Workspace, WorkspaceRole)] {
        var out: [UUID: (Workspace, WorkspaceRole)] = [:]
        for m in try await store.workspaceMemberships(userId: user.id) {
            if let ws = try await store.workspace(id: m.workspaceId) { out[ws.id] = (ws, m.role) }
        }
        for org in try await store.organizationMemberships(userId: user.id) where org.role == .admin {
            for ws in try await store.workspaces(organizationId: org.organizationId) { out[ws.id] = (ws, .admin) }
        }
        return out.values.sorted { ($0.0.createdAt, $0.0.id.lowercased) < ($1.0.createdAt, $1.0.id.lowercased) }
    }
}

extension Optional {
    func asyncFlatMap<U>(_ transform: (Wrapped) async throws -> U?) async rethrows -> U? {
        guard let value = self else { return nil }
        return try await transform(value)
    }
}
