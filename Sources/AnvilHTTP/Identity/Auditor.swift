import AnvilAuth
import AnvilCore
import AnvilStorage
import Foundation
import HTTPTypes
import Hummingbird
import Logging

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
        e.path = request.uri.path
        e.sourceIP = request.headers[HTTPField.Name("X-Forwarded-For")!]?.split(separator: ",").first.map { $0.trimmingCharacters(in: .whitespaces) }
        e.userAgent = request.headers[.userAgent].map { String($0.prefix(300)) }
        e.message = message
        do {
            try await store.recordAudit(e)
        } catch {
            logger.error("could not record audit event", metadata: ["audit.operation": "\(operation)", "error": "\(error)"])
        }
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
        do {
            let response = try await next(request, context)
            await auditor.record(request: request, principal: context.principal, operation: "\(route) \(request.method.rawValue)",
                                 activity: activity, status: Int(response.status.code), resource: (resourceType, resourceId ?? ""))
            return response
        } catch {
            let status = (error as? any HTTPResponseError)?.status.code ?? 500
            await auditor.record(request: request, principal: context.principal, operation: "\(route) \(request.method.rawValue)",
                                 activity: activity, status: Int(status), message: (error as? APIError)?.detail,
                                 resource: (resourceType, resourceId ?? ""))
            throw error
        }
    }
}
