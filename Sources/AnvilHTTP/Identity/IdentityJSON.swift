import AnvilCore
import Foundation

/// JSON shapes for users, workspaces, members, keys and audit events (LangSmith's field names).
enum IdentityJSON {
    static func user(_ u: User, into w: inout JSONWriter) {
        w.beginObject()
        w.key("id"); w.string(u.id.lowercased)
        w.key("email"); w.string(u.email)
        w.key("display_name"); w.string(u.displayName)
        w.key("created_at"); w.string(u.createdAt.iso8601)
        w.key("has_password"); w.bool(u.passwordHash != nil)
        w.key("sso"); w.bool(u.oidcSubject != nil)
        w.key("is_disabled"); w.bool(u.disabled)
        w.endObject()
    }

    /// `TenantForUser` (with the caller's role), or `Tenant` when `role` is nil.
    static func workspace(_ ws: Workspace, role: WorkspaceRole?, into w: inout JSONWriter) {
        w.beginObject()
        w.key("id"); w.string(ws.id.lowercased)
        w.key("organization_id"); w.string(ws.organizationId.lowercased)
        w.key("display_name"); w.string(ws.name)
        w.key("tenant_handle"); w.string(ws.handle)
        w.key("created_at"); w.string(ws.createdAt.iso8601)
        w.key("is_personal"); w.bool(false)
        w.key("is_deleted"); w.bool(false)
        w.key("data_plane_url"); w.null()
        if let role {
            w.key("role_id"); w.string(role.roleId.lowercased)
            w.key("role_name"); w.string(role.langsmithName)
            w.key("read_only"); w.bool(role == .viewer)
            w.key("permissions"); w.stringArray(AccessPolicy.permissionNames(for: role))
        }
        w.endObject()
    }

    /// `MemberIdentity` / `OrgMemberIdentity`: a user with their workspace role (nil at
    /// organization level) and organization role.
    static func member(_ user: User, organizationId: UUID, tenantId: UUID?, role: WorkspaceRole?, organizationRole: OrganizationRole?,
                       createdAt: Timestamp, tenantIds: [UUID]? = nil, into w: inout JSONWriter) {
        w.beginObject()
        w.key("id"); w.string(user.id.lowercased)
        w.key("user_id"); w.string(user.id.lowercased)
        w.key("ls_user_id"); w.string(user.id.lowercased)
        w.key("organization_id"); w.string(organizationId.lowercased)
        w.key("tenant_id"); w.string(tenantId?.lowercased)
        w.key("created_at"); w.string(createdAt.iso8601)
        w.key("email"); w.string(user.email)
        w.key("full_name"); w.string(user.displayName)
        w.key("display_name"); w.string(user.displayName)
        w.key("avatar_url"); w.null()
        w.key("is_disabled"); w.bool(user.disabled)
        w.key("access_scope"); w.string(tenantId == nil ? "organization" : "workspace")
        w.key("role_id"); w.string(role?.roleId.lowercased)
        w.key("role_name"); w.string(role?.langsmithName)
        w.key("read_only"); w.bool(role == .viewer)
        w.key("org_role_id"); w.string(organizationRole?.roleId.lowercased)
        w.key("org_role_name"); w.string(organizationRole?.langsmithName)
        w.key("linked_login_methods")
        w.beginArray()
        if user.passwordHash != nil { w.string("email") }
        if user.oidcSubject != nil { w.string("oidc") }
        w.endArray()
        if let tenantIds { w.key("tenant_ids"); w.stringArray(tenantIds.map(\.lowercased)) }
        w.endObject()
    }

    /// `PendingIdentity`: an invitation.
    static func invitation(_ i: Invitation, link: String?, into w: inout JSONWriter) {
        w.beginObject()
        w.key("id"); w.string(i.id.lowercased)
        w.key("email"); w.string(i.email)
        w.key("user_id"); w.null()
        w.key("organization_id"); w.string(i.organizationId.lowercased)
        w.key("tenant_id"); w.string(i.workspaceId?.lowercased)
        w.key("created_at"); w.string(i.createdAt.iso8601)
        w.key("expires_at"); w.string(i.expiresAt.iso8601)
        w.key("access_scope"); w.string(i.workspaceId == nil ? "organization" : "workspace")
        w.key("org_role_id"); w.string(i.organizationRole.roleId.lowercased)
        w.key("org_role_name"); w.string(i.organizationRole.langsmithName)
        w.key("role_id"); w.string(i.workspaceRole?.roleId.lowercased)
        w.key("role_name"); w.string(i.workspaceRole?.langsmithName)
        w.key("workspace_role_id"); w.string(i.workspaceRole?.roleId.lowercased)
        w.key("read_only"); w.bool(i.workspaceRole == .viewer)
        w.key("workspace_ids"); w.stringArray(i.workspaceId.map { [$0.lowercased] } ?? [])
        w.key("tenant_ids"); w.stringArray(i.workspaceId.map { [$0.lowercased] } ?? [])
        if let link { w.key("invite_url"); w.string(link) }
        w.endObject()
    }

    /// `Role`.
    static func role(id: UUID, name: String, displayName: String, description: String, scope: String, organizationId: UUID,
                     permissions: [String], into w: inout JSONWriter) {
        w.beginObject()
        w.key("id"); w.string(id.lowercased)
        w.key("name"); w.string(name)
        w.key("display_name"); w.string(displayName)
        w.key("description"); w.string(description)
        w.key("organization_id"); w.string(organizationId.lowercased)
        w.key("access_scope"); w.string(scope)
        w.key("permissions"); w.stringArray(permissions)
        w.endObject()
    }

    /// `APIKeyGetResponse` (plus `key` once, on creation).
    static func apiKey(_ k: APIKey, workspaceName: String?, secret: String? = nil, into w: inout JSONWriter) {
        w.beginObject()
        w.key("id"); w.string(k.id.lowercased)
        w.key("short_key"); w.string(k.shortKey)
        w.key("description"); w.string(k.description)
        w.key("created_at"); w.string(k.createdAt.iso8601)
        w.key("last_used_at"); w.string(k.lastUsedAt?.iso8601)
        w.key("expires_at"); w.null()
        w.key("kind"); w.string(k.kind.rawValue)
        w.key("role_id"); w.string(k.kind == .service ? k.role.roleId.lowercased : nil)
        w.key("role_name"); w.string(k.kind == .service ? k.role.langsmithName : nil)
        w.key("read_only"); w.bool(k.kind == .service && k.role == .viewer)
        w.key("default_workspace_name"); w.string(workspaceName)
        w.key("workspace_names"); w.stringArray(workspaceName.map { [$0] } ?? [])
        if let secret { w.key("key"); w.string(secret) }
        w.endObject()
    }

    /// One audit event in OCSF's API Activity shape (class 6003).
    static func audit(_ e: AuditEvent, into w: inout JSONWriter) {
        w.beginObject()
        w.key("id"); w.string(e.id.lowercased)
        w.key("time"); w.string(e.time.iso8601)
        w.key("category_uid"); w.int(6)
        w.key("category_name"); w.string("Application Activity")
        w.key("class_uid"); w.int(6003)
        w.key("class_name"); w.string("API Activity")
        w.key("activity_id"); w.int(e.activity.rawValue)
        w.key("activity_name"); w.string(e.activity.name)
        w.key("type_uid"); w.int(600300 + e.activity.rawValue)
        w.key("severity_id"); w.int(e.success ? 1 : 3)
        w.key("status"); w.string(e.success ? "Success" : "Failure")
        w.key("status_id"); w.int(e.success ? 1 : 2)
        w.key("status_code"); w.string(String(e.statusCode))
        w.key("message"); w.string(e.message)
        w.key("actor")
        w.beginObject()
        w.key("user")
        w.beginObject()
        w.key("uid"); w.string(e.actorUserId?.lowercased)
        w.key("email_addr"); w.string(e.actorEmail)
        w.endObject()
        w.key("credential_uid"); w.string(e.actorKeyId?.lowercased)
        w.endObject()
        w.key("api")
        w.beginObject()
        w.key("operation"); w.string(e.operation)
        w.endObject()
        w.key("http_request")
        w.beginObject()
        w.key("http_method"); w.string(e.method)
        w.key("url"); w.beginObject(); w.key("path"); w.string(e.path); w.endObject()
        w.key("user_agent"); w.string(e.userAgent)
        w.endObject()
        w.key("src_endpoint"); w.beginObject(); w.key("ip"); w.string(e.sourceIP); w.endObject()
        w.key("resources")
        w.beginArray()
        if let type = e.resourceType {
            w.beginObject()
            w.key("type"); w.string(type)
            w.key("uid"); w.string(e.resourceId)
            w.endObject()
        }
        w.endArray()
        w.key("metadata")
        w.beginObject()
        w.key("version"); w.string("1.3.0")
        w.key("product"); w.beginObject(); w.key("name"); w.string("Anvil"); w.key("vendor_name"); w.string("Anvil"); w.endObject()
        w.key("tenant_uid"); w.string(e.workspaceId?.lowercased)
        w.key("org_uid"); w.string(e.organizationId.lowercased)
        w.endObject()
        w.endObject()
    }
}
