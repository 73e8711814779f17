import AnvilAuth
import AnvilCore
import AnvilStorage
import Foundation
import Hummingbird

/// `/api-key`: the workspace's service keys (workspace admins); `/api-key/current`: the caller's
/// personal access tokens. A key's secret is returned once, on creation; only its hash is kept.
struct APIKeysController: Sendable {
    let store: any MetadataStore
    let accounts: Accounts
    let auditor: Auditor

    func addRoutes(to group: RouterGroup<TenantContext>) {
        group.get("api-key", use: listServiceKeys)
        group.post("api-key", use: createServiceKey)
        group.delete("api-key/:id", use: revokeServiceKey)
        group.get("api-key/current", use: listPersonalTokens)
        group.post("api-key/current", use: createPersonalToken)
        group.delete("api-key/current/:id", use: revokePersonalToken)
    }

    func workspaceNames(_ keys: [APIKey]) async throws -> [UUID: String] {
        var names: [UUID: String] = [:]
        for id in Set(keys.map(\.tenantId)) { names[id] = try await store.workspace(id: id)?.name }
        return names
    }

    func list(_ keys: [APIKey]) async throws -> Response {
        let names = try await workspaceNames(keys)
        return .json { w in
            w.beginArray()
            for k in keys.sorted(by: { $0.createdAt > $1.createdAt }) { IdentityJSON.apiKey(k, workspaceName: names[k.tenantId], into: &w) }
            w.endArray()
        }
    }

    static func description(_ b: [String: JSONValue]) throws -> String {
        let d = try b.string("description")?.trimmingCharacters(in: .whitespaces) ?? ""
        guard d.count <= 200 else { throw APIError.unprocessable("description is at most 200 characters") }
        return d.isEmpty ? "Default API key" : d
    }

    func created(_ key: APIKey, secret: String, context: TenantContext, request: Request, operation: String) async throws -> Response {
        await auditor.record(request: request, principal: context.principal, operation: operation, activity: .create, status: 200,
                             resource: ("api_key", key.id.lowercased))
        let name = try await store.workspace(id: key.tenantId)?.name
        return .json { w in IdentityJSON.apiKey(key, workspaceName: name, secret: secret, into: &w) }
    }

    // MARK: service keys

    @Sendable func listServiceKeys(request: Request, context: TenantContext) async throws -> Response {
        try await list(try await store.apiKeys(tenantId: context.tenantId, userId: nil).filter { $0.kind == .service })
    }

    @Sendable func createServiceKey(request: Request, context: TenantContext) async throws -> Response {
        var request = request
        let b = try await request.jsonObject()
        let role: WorkspaceRole
        if let r = try b.string("role_id") {
            guard let parsed = WorkspaceRole(reference: r) else { throw APIError.unprocessable("unknown workspace role '\(r.prefix(64))'") }
            role = parsed
        } else {
            role = try b.bool("read_only") == true ? .viewer : .admin
        }
        let (key, secret) = try await accounts.issueKey(kind: .service, tenantId: context.tenantId, userId: nil, role: role,
                                                        description: try Self.description(b))
        return try await created(key, secret: secret, context: context, request: request, operation: "api_key.create")
    }

    @Sendable func revokeServiceKey(request: Request, context: TenantContext) async throws -> Response {
        let id = try context.parameters.uuid("id")
        guard let key = try await store.apiKey(id: id), key.kind == .service, key.tenantId == context.tenantId, key.revokedAt == nil else {
            throw APIError.notFound("API key")
        }
        _ = try await accounts.revokeKey(id: id)
        let name = try await store.workspace(id: key.tenantId)?.name
        return .json { w in IdentityJSON.apiKey(key, workspaceName: name, into: &w) }
    }

    // MARK: personal access tokens

    func owner(_ context: TenantContext) throws -> UUID {
        guard let userId = context.principal.userId else {
            throw APIError.badRequest("personal access tokens belong to users; sign in or use a personal access token, not a service key")
        }
        return userId
    }

    @Sendable func listPersonalTokens(request: Request, context: TenantContext) async throws -> Response {
        try await list(try await store.apiKeys(tenantId: nil, userId: try owner(context)))
    }

    @Sendable func createPersonalToken(request: Request, context: TenantContext) async throws -> Response {
        let userId = try owner(context)
        var request = request
        let b = try await request.jsonObject()
        let (key, secret) = try await accounts.issueKey(kind: .personal, tenantId: context.tenantId, userId: userId, role: context.principal.role,
                                                        description: try Self.description(b))
        return try await created(key, secret: secret, context: context, request: request, operation: "personal_access_token.create")
    }

    @Sendable func revokePersonalToken(request: Request, context: TenantContext) async throws -> Response {
        let userId = try owner(context)
        let id = try context.parameters.uuid("id")
        guard let key = try await store.apiKey(id: id), key.kind == .personal, key.userId == userId, key.revokedAt == nil else {
            throw APIError.notFound("personal access token")
        }
        _ = try await accounts.revokeKey(id: id)
        let name = try await store.workspace(id: key.tenantId)?.name
        return .json { w in IdentityJSON.apiKey(key, workspaceName: name, into: &w) }
    }
}

/// `/audit-logs`: organization admins read the organization's log, workspace admins their
/// workspace's. Newest first; `cursor` pages on.
struct AuditController: Sendable {
    let store: any MetadataStore

    func addRoutes(to group: RouterGroup<TenantContext>) {
        group.get("audit-logs", use: list)
    }

    @Sendable func list(request: Request, context: TenantContext) async throws -> Response {
        let q = request.query
        let limit = try q.int("limit", default: 50, range: 1...500)
        let offset = try q.string("cursor").map { c -> Int in
            guard let n = Int(c), n >= 0 else { throw APIError.unprocessable("cursor must come from a previous page") }
            return n
        } ?? 0
        let scope = context.principal.isOrganizationAdmin && q.string("workspace") != "current" ? nil : context.tenantId
        let events = try await store.auditEvents(organizationId: context.principal.organizationId, workspaceId: scope, limit: limit + 1, offset: offset)
        return .json { w in
            w.beginObject()
            w.key("items")
            w.beginArray()
            for e in events.prefix(limit) { IdentityJSON.audit(e, into: &w) }
            w.endArray()
            w.key("cursor"); w.string(events.count > limit ? String(offset + limit) : nil)
            w.endObject()
        }
    }
}
