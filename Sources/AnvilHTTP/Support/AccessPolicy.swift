import AnvilAuth
import AnvilCore
import Foundation
import HTTPTypes
import Hummingbird

/// What a route needs. Checked in one place (``PermissionMiddleware``) for every authenticated
/// route, from the request method and the matched route pattern — never by `if`s in handlers.
public enum Permission: String, Sendable, Hashable, CaseIterable {
    /// Any member: viewers and up.
    case read
    /// Editors and admins: changes workspace data.
    case write
    /// Workspace admins: members, service keys, settings, the audit log.
    case manage
    /// Organization admins: workspaces and organization members.
    case organization
}

/// The access rules of every route, as data.
public enum AccessPolicy {
    /// Routes that answer without credentials (each checks its own token where it has one).
    public static let publicRoutes: [String] = [
        "", "info", "ok", "health", "metrics", "auth/login", "auth/providers", "auth/oidc", "auth/invitations", "public", "feedback/tokens/:token",
    ]
    /// POST routes that only read (queries with bodies).
    static let readingPosts: Set<String> = [
        "runs/query", "runs/stats", "datasets/:id/runs", "datasets/:id/runs/delta",
    ]
    /// Routes every signed-in principal may use on its own behalf: their personal tokens, their
    /// password, their session. (Handlers refuse service keys where a user is needed.)
    static let selfService: [String] = ["api-key/current", "auth/me", "auth/password", "auth/logout"]
    /// Workspace administration (any method).
    static let managed: [String] = ["api-key", "audit-logs", "settings/handle", "workspaces/current/members"]
    /// Organization administration, except the GETs in ``organizationReads``.
    static let organizational: [String] = ["orgs", "workspaces", "tenants"]
    /// What any member may read about the organization: itself, its roles, the workspaces they can use.
    static let organizationReads: Set<String> = ["orgs/current", "orgs/current/roles", "workspaces", "tenants"]

    /// The route pattern without its API prefix, with `:name` captures: `runs/:id` for
    /// `/api/v1/runs/{id}`.
    public static func route(_ endpointPath: String) -> String {
        var path = endpointPath.hasPrefix("/") ? String(endpointPath.dropFirst()) : endpointPath
        for prefix in ["api/v1/", "api/"] where path.hasPrefix(prefix) {
            path = String(path.dropFirst(prefix.count))
            break
        }
        if path == "api" || path == "api/v1" { path = "" }
        for prefix in ["v1/platform/", "platform/"] where path.hasPrefix(prefix) {
            path = String(path.dropFirst(prefix.count))
            break
        }
        return path.split(separator: "/", omittingEmptySubsequences: false).map { part in
            part.hasPrefix("{") && part.hasSuffix("}") ? ":" + part.dropFirst().dropLast() : String(part)
        }.joined(separator: "/")
    }

    static func matches(_ route: String, _ base: String) -> Bool {
        route == base || route.hasPrefix(base + "/")
    }

    public static func isPublic(endpointPath: String) -> Bool {
        let route = route(endpointPath)
        return publicRoutes.contains { $0.isEmpty ? route.isEmpty : matches(route, $0) }
    }

    public static func required(method: HTTPRequest.Method, endpointPath: String) -> Permission {
        let route = route(endpointPath)
        let reads = method == .get || method == .head
        if selfService.contains(where: { matches(route, $0) }) { return .read }
        // Workspace administration first: `workspaces/current/members` sits under `workspaces`.
        if managed.contains(where: { matches(route, $0) }) { return .manage }
        if organizational.contains(where: { matches(route, $0) }) {
            return reads && organizationReads.contains(route) ? .read : .organization
        }
        if reads { return .read }
        if method == .post && readingPosts.contains(route) { return .read }
        return .write
    }

    public static func allows(_ principal: Principal, _ permission: Permission) -> Bool {
        switch permission {
        case .read: true
        case .write: principal.role >= .editor
        case .manage: principal.role >= .admin
        case .organization: principal.isOrganizationAdmin
        }
    }

    /// The permissions a role has, as `TenantForUser.permissions` lists them.
    public static func permissionNames(for role: WorkspaceRole) -> [String] {
        switch role {
        case .viewer: ["workspace:read"]
        case .editor: ["workspace:read", "workspace:write"]
        case .admin: ["workspace:read", "workspace:write", "workspace:manage"]
        }
    }
}

/// Refuses requests whose principal lacks the route's permission (403 naming what was needed).
public struct PermissionMiddleware: RouterMiddleware {
    public typealias Context = TenantContext

    public init() {}

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let needed = AccessPolicy.required(method: request.method, endpointPath: context.endpointPath ?? request.uri.path)
        guard AccessPolicy.allows(context.principal, needed) else {
            let what: String
            switch needed {
            case .read: what = "read access"
            case .write: what = "the editor role"
            case .manage: what = "the workspace admin role"
            case .organization: what = "the organization admin role"
            }
            throw APIError(.forbidden, "this needs \(what); you are \(context.principal.role.rawValue) in this workspace")
        }
        return try await next(request, context)
    }
}

/// Cookie-authenticated writes must carry `X-Anvil-CSRF: 1`, which a cross-site form cannot send
/// and a cross-site script cannot add without a CORS preflight Anvil never grants. API keys are
/// not ambient credentials, so key-authenticated requests need nothing extra.
public struct CSRFMiddleware: RouterMiddleware {
    public typealias Context = TenantContext
    public static let header = HTTPField.Name("X-Anvil-CSRF")!

    public init() {}

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if context.principal.kind == .session, request.method != .get, request.method != .head, request.method != .options,
            request.headers[Self.header] == nil
        {
            throw APIError(.forbidden, "browser requests that change data need the X-Anvil-CSRF header")
        }
        return try await next(request, context)
    }
}
