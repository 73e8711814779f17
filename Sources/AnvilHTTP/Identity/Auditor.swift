import AnvilAuth
import AnvilCore
import AnvilStorage
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import Synchronization

/// Per-request audit state, carried in a task local: the peer address, and whether a handler
/// already recorded a specific event (so the generic one of ``AuditMiddleware`` is not doubled).
final class AuditScope: Sendable {
    @TaskLocal static var current: AuditScope?
    let peer: String?
    let recorded = Mutex(false)
    init(peer: String?) { self.peer = peer }
}

/// Opens the audit scope of each request.
struct AuditScopeMiddleware: RouterMiddleware {
    typealias Context = AnvilRequestContext
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        try await AuditScope.$current.withValue(AuditScope(peer: context.peerAddress)) { try await next(request, context) }
    }
}

/// Records security-relevant actions to the audit log. Failures to record are logged, never
/// turned into failed requests.
struct Auditor: Sendable {
    let store: any MetadataStore
    let logger: Logger

    func record(request: Request, principal: Principal?, operation: String, activity: AuditEvent.Activity, status: Int,
                message: String? = nil, organizationId: UUID? = nil, user: User? = nil, resource: (String, String)? = nil) async {
        var org = organizationId ?? principal?.organizationId
        if org == nil, let user, let m = try? await store.organizationMemberships(userId: user.id).first { org = m.organizationId }
        if org == nil, let ws = try? await store.bootstrapDefaultWorkspace() { org = ws.organizationId }
        guard let org else { return }
        var e = AuditEvent(organizationId: org, workspaceId: principal?.tenantId, activity: activity, operation: operation,
                           success: (200..<400).contains(status), statusCode: status)
        e.actorUserId = principal?.userId ?? user?.id
        e.actorEmail = principal?.email ?? user?.email
        e.actorKeyId = principal?.keyId
        e.resourceType = resource?.0
        e.resourceId = resource?.1
        e.method = request.method.rawValue
        e.path = Self.redacted(request.uri.path)
        // The peer is what the server saw; a proxy's X-Forwarded-For is kept beside it, as a claim.
        let forwarded = request.headers[HTTPField.Name("X-Forwarded-For")!]?.split(separator: ",").first.map { $0.trimmingCharacters(in: .whitespaces) }
        let scope = AuditScope.current
        e.sourceIP = switch (scope?.peer, forwarded) {
        case (let peer?, let fwd?): "\(peer) (forwarded for \(fwd.prefix(64)))"
        case (let peer?, nil): peer
        case (nil, let fwd?): String(fwd.prefix(64))
        case (nil, nil): nil
        }
        scope?.recorded.withLock { $0 = true }
        e.userAgent = request.headers[.userAgent].map { String($0.prefix(300)) }
        e.message = message
        do {
            try await store.recordAudit(e)
        } catch {
            logger.error("could not record audit event", metadata: ["audit.operation": "\(operation)", "error": "\(error)"])
        }
    }
}

extension Auditor {
    /// Secrets that travel in paths (invitation links) never reach the log.
    static func redacted(_ path: String) -> String {
        var parts = path.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        for i in parts.indices.dropLast() where parts[i] == "invitations" { parts[i + 1] = "[redacted]" }
        return parts.joined(separator: "/")
    }
}

/// Audits every change to security-relevant resources (keys, members, workspaces, settings) and
/// every deletion, including attempts refused for lack of permission.
struct AuditMiddleware: RouterMiddleware {
    typealias Context = TenantContext
    let auditor: Auditor

    static let audited = ["api-key", "workspaces", "orgs", "settings/handle", "tenants"]

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.method != .get, request.method != .head else { return try await next(request, context) }
        let route = AccessPolicy.route(context.endpointPath ?? request.uri.path)
        let isSecurity = Self.audited.contains { route == $0 || route.hasPrefix($0 + "/") }
        guard isSecurity || request.method == .delete else { return try await next(request, context) }
        let activity: AuditEvent.Activity = switch request.method {
        case .post: .create
        case .delete: .delete
        default: .update
        }
        let resourceType = route.split(separator: "/").first.map(String.init) ?? route
        let resourceId = context.parameters.get("id")
        // A handler that recorded its own, more specific event (`api_key.create`…) is not doubled.
        let handled = { AuditScope.current?.recorded.withLock { $0 } ?? false }
        do {
            let response = try await next(request, context)
            if handled() { return response }
            await auditor.record(request: request, principal: context.principal, operation: "\(route) \(request.method.rawValue)",
                                 activity: activity, status: Int(response.status.code), resource: (resourceType, resourceId ?? ""))
            return response
        } catch {
            let status = (error as? any HTTPResponseError)?.status.code ?? 500
            if handled() { throw error }
            await auditor.record(request: request, principal: context.principal, operation: "\(route) \(request.method.rawValue)",
                                 activity: activity, status: Int(status), message: (error as? APIError)?.detail,
                                 resource: (resourceType, resourceId ?? ""))
            throw error
        }
    }
}
