import AnvilAuth
import AnvilCore
import AnvilStorage
import Foundation
import Hummingbird

/// The organization, its workspaces, and who belongs where: `/orgs/current…`, `/workspaces…`,
/// `/tenants`. Who may call what is decided by ``AccessPolicy``; handlers only keep the data
/// consistent (members belong to the organization, the last organization admin stays).
struct TeamController: Sendable {
    let store: any MetadataStore
    let accounts: Accounts
    let auditor: Auditor

    func addRoutes(to group: RouterGroup<TenantContext>) {
        group.get("orgs/current", use: organization)
        group.get("orgs/current/roles", use: roles)
        group.get("orgs/current/members", use: organizationMembers)
        group.get("orgs/current/members/active", use: activeOrganizationMembers)
        group.get("orgs/current/members/pending", use: pendingOrganizationMembers)
        group.post("orgs/current/members", use: addOrganizationMember)
        group.post("orgs/current/members/batch", use: addOrganizationMembers)
        group.post("orgs/current/members/basic/batch", use: addOrganizationMembers)
        group.patch("orgs/current/members/:id", use: updateOrganizationMember)
        group.delete("orgs/current/members/:id", use: removeOrganizationMember)
        group.delete("orgs/current/members/:id/pending", use: deleteInvitation)

        group.get("workspaces", use: listWorkspaces)
        group.post("workspaces", use: createWorkspace)
        group.patch("workspaces/:id", use: updateWorkspace)
        group.get("tenants", use: listWorkspaces)
        group.post("tenants", use: createWorkspace)

        group.get("workspaces/current/members", use: workspaceMembers)
        group.get("workspaces/current/members/active", use: activeWorkspaceMembers)
        group.get("workspaces/current/members/pending", use: pendingWorkspaceMembers)
        group.post("workspaces/current/members", use: addWorkspaceMember)
        group.post("workspaces/current/members/batch", use: inviteToWorkspace)
        group.patch("workspaces/current/members/:id", use: updateWorkspaceMember)
        group.delete("workspaces/current/members/:id", use: removeWorkspaceMember)
        group.delete("workspaces/current/members/:id/pending", use: deleteInvitation)
    }

    // MARK: organization

    @Sendable func organization(request: Request, context: TenantContext) async throws -> Response {
        guard let org = try await store.organization(id: context.principal.organizationId) else { throw APIError.notFound("organization") }
        let count = try await store.workspaces(organizationId: org.id).count
        return .json { w in
            w.beginObject()
            w.key("id"); w.string(org.id.lowercased)
            w.key("display_name"); w.string(org.name)
            w.key("created_at"); w.string(org.createdAt.iso8601)
            w.key("is_personal"); w.bool(false)
            w.key("connected_to_stripe"); w.bool(false)
            w.key("connected_to_metronome"); w.bool(false)
            w.key("has_cancelled"); w.bool(false)
            w.key("reached_max_workspaces"); w.bool(false)
            w.key("workspace_count"); w.int(count)
            w.key("tier"); w.string("self_hosted")
            w.key("config")
            w.beginObject()
            w.key("plan_tier"); w.string("self_hosted")
            w.key("can_use_rbac"); w.bool(true)
            w.key("can_use_audit_logs"); w.bool(true)
            w.key("can_add_seats"); w.bool(true)
            w.key("max_workspaces"); w.int(-1)
            w.key("max_identities"); w.int(-1)
            w.endObject()
            w.key("permissions")
            w.stringArray(context.principal.isOrganizationAdmin ? ["organization:read", "organization:manage"] : ["organization:read"])
            w.endObject()
        }
    }

    @Sendable func roles(request: Request, context: TenantContext) async throws -> Response {
        let org = context.principal.organizationId
        return .json { w in
            w.beginArray()
            for role in OrganizationRole.allCases {
                IdentityJSON.role(id: role.roleId, name: role.langsmithName, displayName: role.displayName,
                                  description: role == .admin ? "Manages the organization, its workspaces and members" : "Member of the organization",
                                  scope: "organization", organizationId: org, permissions: role == .admin ? ["organization:manage"] : ["organization:read"],
                                  into: &w)
            }
            for role in WorkspaceRole.allCases {
                let description = switch role {
                case .admin: "Full access to the workspace, including members, API keys and settings"
                case .editor: "Reads and writes workspace data"
                case .viewer: "Reads workspace data"
                }
                IdentityJSON.role(id: role.roleId, name: role.langsmithName, displayName: role.displayName, description: description,
                                  scope: "workspace", organizationId: org, permissions: AccessPolicy.permissionNames(for: role), into: &w)
            }
            w.endArray()
        }
    }

    /// The organization's members with their organization role and workspace ids.
    func organizationMemberRows(_ org: UUID) async throws -> [(User, OrganizationMember, [UUID])] {
        let members = try await store.organizationMembers(organizationId: org)
        let users = Dictionary(uniqueKeysWithValues: try await store.users(ids: members.map(\.userId)).map { ($0.id, $0) })
        let workspaces = try await store.workspaces(organizationId: org)
        var rows: [(User, OrganizationMember, [UUID])] = []
        for m in members {
            guard let user = users[m.userId] else { continue }
            let ids = m.role == .admin
                ? workspaces.map(\.id)
                : try await store.workspaceMemberships(userId: user.id).map(\.workspaceId).filter { id in workspaces.contains { $0.id == id } }
            rows.append((user, m, ids))
        }
        return rows
    }

    @Sendable func organizationMembers(request: Request, context: TenantContext) async throws -> Response {
        let org = context.principal.organizationId
        let rows = try await organizationMemberRows(org)
        let pending = try await store.invitations(organizationId: org)
        return .json { w in
            w.beginObject()
            w.key("organization_id"); w.string(org.lowercased)
            w.key("members")
            writeOrganizationMembers(rows, org: org, into: &w)
            w.key("pending")
            w.beginArray()
            for i in pending { IdentityJSON.invitation(i, link: nil, into: &w) }
            w.endArray()
            w.endObject()
        }
    }

    func writeOrganizationMembers(_ rows: [(User, OrganizationMember, [UUID])], org: UUID, into w: inout JSONWriter) {
        w.beginArray()
        for (user, m, ids) in rows {
            IdentityJSON.member(user, organizationId: org, tenantId: nil, role: nil, organizationRole: m.role, createdAt: m.createdAt,
                                tenantIds: ids, into: &w)
        }
        w.endArray()
    }

    @Sendable func activeOrganizationMembers(request: Request, context: TenantContext) async throws -> Response {
        let rows = try await organizationMemberRows(context.principal.organizationId)
        return .json { w in writeOrganizationMembers(rows, org: context.principal.organizationId, into: &w) }
    }

    @Sendable func pendingOrganizationMembers(request: Request, context: TenantContext) async throws -> Response {
        let pending = try await store.invitations(organizationId: context.principal.organizationId)
        return .json { w in
            w.beginArray()
            for i in pending { IdentityJSON.invitation(i, link: nil, into: &w) }
            w.endArray()
        }
    }

    /// What `PendingIdentityCreate` / `BasicAuthMemberCreate` ask for.
    struct NewMember {
        var email: String
        var password: String?
        var fullName: String?
        var organizationRole: OrganizationRole
        var workspaceIds: [UUID]
        var workspaceRole: WorkspaceRole?

        /// `roleIsWorkspaceRole`: on the workspace's own endpoints `role_id` names the workspace
        /// role (LangSmith's `/workspaces/current/members/batch`); elsewhere the organization role.
        init(_ o: [String: JSONValue], defaultWorkspace: UUID?, roleIsWorkspaceRole: Bool = false) throws {
            guard let email = try o.string("email")?.trimmingCharacters(in: .whitespaces), !email.isEmpty else {
                throw APIError.unprocessable("email is required")
            }
            self.email = email
            password = try o.string("password")
            fullName = try o.string("full_name")
            if let r = try roleIsWorkspaceRole ? o.string("org_role_id") : o.string("role_id") ?? o.string("org_role_id") {
                guard let role = OrganizationRole(reference: r) else { throw APIError.unprocessable("unknown organization role '\(r.prefix(64))'") }
                organizationRole = role
            } else {
                organizationRole = .user
            }
            if let r = try roleIsWorkspaceRole ? o.string("workspace_role_id") ?? o.string("role_id") : o.string("workspace_role_id") {
                guard let role = WorkspaceRole(reference: r) else { throw APIError.unprocessable("unknown workspace role '\(r.prefix(64))'") }
                workspaceRole = role
            } else if try o.bool("read_only") == true {
                workspaceRole = .viewer
            }
            workspaceIds = try o.uuids("workspace_ids") ?? defaultWorkspace.map { [$0] } ?? []
            if workspaceRole == nil, !workspaceIds.isEmpty { workspaceRole = .editor }
        }
    }

    /// Adds a member: with a password, the account is created at once (basic auth); without, an
    /// invitation is created and its link returned once (`invite_url`).
    func add(_ m: NewMember, context: TenantContext, request: Request) async throws -> (JSONWriter) {
        let org = context.principal.organizationId
        let workspaces = try await store.workspaces(organizationId: org)
        for id in m.workspaceIds where !workspaces.contains(where: { $0.id == id }) {
            throw APIError.notFound("workspace \(id.lowercased)")
        }
        guard m.workspaceIds.count <= 1 || m.password != nil else {
            throw APIError.unprocessable("an invitation covers one workspace; add the member to others once they have joined")
        }
        var w = JSONWriter(capacity: 512)
        if let password = m.password {
            let user = try await IdentityErrors.map {
                try await accounts.createUser(email: m.email, displayName: m.fullName, password: password, organizationId: org,
                                              organizationRole: m.organizationRole, workspaceId: nil, workspaceRole: nil)
            }
            for id in m.workspaceIds {
                try await store.setWorkspaceMember(WorkspaceMember(workspaceId: id, userId: user.id, role: m.workspaceRole ?? .editor))
            }
            await auditor.record(request: request, principal: context.principal, operation: "organization_member.create", activity: .create,
                                 status: 200, resource: ("user", user.id.lowercased))
            IdentityJSON.member(user, organizationId: org, tenantId: nil, role: nil, organizationRole: m.organizationRole, createdAt: user.createdAt,
                                tenantIds: m.organizationRole == .admin ? workspaces.map(\.id) : m.workspaceIds, into: &w)
        } else {
            let (invitation, secret) = try await IdentityErrors.map {
                try await accounts.invite(email: m.email, organizationId: org, organizationRole: m.organizationRole, workspaceId: m.workspaceIds.first,
                                          workspaceRole: m.workspaceIds.isEmpty ? nil : m.workspaceRole)
            }
            await auditor.record(request: request, principal: context.principal, operation: "invitation.create", activity: .create, status: 200,
                                 message: "invited \(m.email)", resource: ("invitation", invitation.id.lowercased))
            IdentityJSON.invitation(invitation, link: "\(request.origin)/invite/\(secret)", into: &w)
        }
        return w
    }

    @Sendable func addOrganizationMember(request: Request, context: TenantContext) async throws -> Response {
        var request = request
        let m = try NewMember(try await request.jsonObject(), defaultWorkspace: nil)
        return .json(try await add(m, context: context, request: request).bytes)
    }

    @Sendable func addOrganizationMembers(request: Request, context: TenantContext) async throws -> Response {
        var request = request
        guard case .array(let items) = try await request.jsonValue() else { throw APIError.unprocessable("send a JSON array of members") }
        guard items.count <= 100 else { throw APIError.unprocessable("add at most 100 members per request") }
        let members = try items.map { item -> NewMember in
            guard case .object(let o) = item else { throw APIError.unprocessable("each member must be an object") }
            return try NewMember(o, defaultWorkspace: nil)
        }
        var out: [[UInt8]] = []
        for m in members { out.append(try await add(m, context: context, request: request).bytes) }
        return .json(Array("[".utf8) + Array(out.joined(separator: Array(",".utf8))) + Array("]".utf8))
    }

    @Sendable func updateOrganizationMember(request: Request, context: TenantContext) async throws -> Response {
        let org = context.principal.organizationId
        let userId = try context.parameters.uuid("id")
        var request = request
        let b = try await request.jsonObject()
        guard let membership = try await store.organizationMembers(organizationId: org).first(where: { $0.userId == userId }),
            var user = try await store.user(id: userId)
        else { throw APIError.notFound("member") }
        if let r = try b.string("role_id") {
            guard let role = OrganizationRole(reference: r) else { throw APIError.unprocessable("unknown organization role '\(r.prefix(64))'") }
            if membership.role == .admin, role != .admin { try await keepAnAdmin(org: org, losing: userId) }
            try await store.setOrganizationMember(OrganizationMember(organizationId: org, userId: userId, role: role))
        }
        if let name = try b.string("full_name") { user.displayName = String(name.prefix(200)) }
        if let password = try b.string("password") {
            try await IdentityErrors.map { try Accounts.checkStrength(password) }
            user.passwordHash = try Passwords.hash(password)
            try await store.revokeSessions(userId: userId, at: .now())
        }
        try await store.updateUser(user)
        return .json(JSONValue.object([:]))
    }

    /// Refuses to leave the organization without an admin.
    func keepAnAdmin(org: UUID, losing userId: UUID) async throws {
        let admins = try await store.organizationMembers(organizationId: org).filter { $0.role == .admin && $0.userId != userId }
        guard !admins.isEmpty else { throw APIError(.conflict, "the organization needs at least one admin") }
    }

    @Sendable func removeOrganizationMember(request: Request, context: TenantContext) async throws -> Response {
        let org = context.principal.organizationId
        let userId = try context.parameters.uuid("id")
        guard let membership = try await store.organizationMembers(organizationId: org).first(where: { $0.userId == userId }) else {
            throw APIError.notFound("member")
        }
        if membership.role == .admin { try await keepAnAdmin(org: org, losing: userId) }
        _ = try await store.removeOrganizationMember(organizationId: org, userId: userId)
        // Their sessions and personal tokens stop working now, not at expiry.
        try await store.revokeSessions(userId: userId, at: .now())
        for key in try await store.apiKeys(tenantId: nil, userId: userId) { _ = try await accounts.revokeKey(id: key.id) }
        return .json(JSONValue.object([:]))
    }

    @Sendable func deleteInvitation(request: Request, context: TenantContext) async throws -> Response {
        guard try await store.deleteInvitation(id: try context.parameters.uuid("id"), organizationId: context.principal.organizationId) else {
            throw APIError.notFound("invitation")
        }
        return .json(JSONValue.object([:]))
    }

    // MARK: workspaces

    @Sendable func listWorkspaces(request: Request, context: TenantContext) async throws -> Response {
        let p = context.principal
        var list: [(Workspace, WorkspaceRole)] = []
        if let userId = p.userId, let user = try await store.user(id: userId) {
            list = try await WorkspaceAccess.list(for: user, store: store)
        } else if let ws = try await store.workspace(id: p.tenantId) {
            list = [(ws, p.role)]  // a service key sees its own workspace only
        }
        return .json { w in
            w.beginArray()
            for (ws, role) in list { IdentityJSON.workspace(ws, role: role, into: &w) }
            w.endArray()
        }
    }

    @Sendable func createWorkspace(request: Request, context: TenantContext) async throws -> Response {
        var request = request
        let b = try await request.jsonObject()
        guard let name = try b.string("display_name")?.trimmingCharacters(in: .whitespaces), !name.isEmpty, name.count <= 200 else {
            throw APIError.unprocessable("display_name is required (at most 200 characters)")
        }
        let handle = try b.string("tenant_handle")
        if let handle, !Workspace.isValidHandle(handle) {
            throw APIError.unprocessable("tenant_handle must be 3–64 characters of lowercase letters, digits, '-' and '_'")
        }
        let ws = Workspace(id: try b.uuid("id") ?? UUID(), organizationId: context.principal.organizationId, name: name, handle: handle)
        do {
            try await store.createWorkspace(ws)
        } catch let e as StoreError where e.code == .conflict {
            throw APIError(.conflict, e.message)
        }
        // The creator can use it at once (organization admins already can).
        if let userId = context.principal.userId {
            try await store.setWorkspaceMember(WorkspaceMember(workspaceId: ws.id, userId: userId, role: .admin))
        }
        return .json { w in IdentityJSON.workspace(ws, role: nil, into: &w) }
    }

    @Sendable func updateWorkspace(request: Request, context: TenantContext) async throws -> Response {
        let raw = context.parameters.get("id") ?? ""
        let id = raw == "current" ? context.tenantId : try context.parameters.uuid("id")
        guard var ws = try await store.workspace(id: id), ws.organizationId == context.principal.organizationId else {
            throw APIError.notFound("workspace")
        }
        var request = request
        let b = try await request.jsonObject()
        guard let name = try b.string("display_name")?.trimmingCharacters(in: .whitespaces), !name.isEmpty, name.count <= 200 else {
            throw APIError.unprocessable("display_name is required (at most 200 characters)")
        }
        ws.name = name
        try await store.updateWorkspace(ws)
        return .json { w in IdentityJSON.workspace(ws, role: nil, into: &w) }
    }

    // MARK: workspace members

    /// A workspace's members: its explicit members plus the organization's admins (who are
    /// admins everywhere).
    func workspaceMemberRows(_ workspace: UUID, org: UUID) async throws -> [(User, WorkspaceRole, OrganizationRole?, Timestamp)] {
        let explicit = try await store.workspaceMembers(workspaceId: workspace)
        let orgMembers = try await store.organizationMembers(organizationId: org)
        let orgRoles = Dictionary(orgMembers.map { ($0.userId, $0.role) }, uniquingKeysWith: { a, _ in a })
        var rows: [UUID: (WorkspaceRole, Timestamp)] = [:]
        for m in explicit where orgRoles[m.userId] != nil { rows[m.userId] = (m.role, m.createdAt) }
        for m in orgMembers where m.role == .admin { rows[m.userId] = (.admin, rows[m.userId]?.1 ?? m.createdAt) }
        let users = try await store.users(ids: Array(rows.keys))
        return users.map { u in (u, rows[u.id]!.0, orgRoles[u.id], rows[u.id]!.1) }
            .sorted { ($0.3, $0.0.email) < ($1.3, $1.0.email) }
    }

    func writeWorkspaceMembers(_ rows: [(User, WorkspaceRole, OrganizationRole?, Timestamp)], context: TenantContext, into w: inout JSONWriter) {
        w.beginArray()
        for (user, role, orgRole, created) in rows {
            IdentityJSON.member(user, organizationId: context.principal.organizationId, tenantId: context.tenantId, role: role,
                                organizationRole: orgRole, createdAt: created, into: &w)
        }
        w.endArray()
    }

    func pendingForWorkspace(_ context: TenantContext) async throws -> [Invitation] {
        try await store.invitations(organizationId: context.principal.organizationId).filter { $0.workspaceId == context.tenantId }
    }

    @Sendable func workspaceMembers(request: Request, context: TenantContext) async throws -> Response {
        let rows = try await workspaceMemberRows(context.tenantId, org: context.principal.organizationId)
        let pending = try await pendingForWorkspace(context)
        return .json { w in
            w.beginObject()
            w.key("tenant_id"); w.string(context.tenantId.lowercased)
            w.key("members")
            writeWorkspaceMembers(rows, context: context, into: &w)
            w.key("pending")
            w.beginArray()
            for i in pending { IdentityJSON.invitation(i, link: nil, into: &w) }
            w.endArray()
            w.endObject()
        }
    }

    @Sendable func activeWorkspaceMembers(request: Request, context: TenantContext) async throws -> Response {
        let rows = try await workspaceMemberRows(context.tenantId, org: context.principal.organizationId)
        return .json { w in writeWorkspaceMembers(rows, context: context, into: &w) }
    }

    @Sendable func pendingWorkspaceMembers(request: Request, context: TenantContext) async throws -> Response {
        let pending = try await pendingForWorkspace(context)
        return .json { w in
            w.beginArray()
            for i in pending { IdentityJSON.invitation(i, link: nil, into: &w) }
            w.endArray()
        }
    }

    /// `IdentityCreate`: adds an existing organization member to this workspace with a role.
    @Sendable func addWorkspaceMember(request: Request, context: TenantContext) async throws -> Response {
        var request = request
        let b = try await request.jsonObject()
        guard let userId = try b.uuid("user_id") ?? b.uuid("ls_user_id") ?? b.uuid("org_identity_id") else {
            throw APIError.unprocessable("user_id is required (a member of the organization)")
        }
        let role = try Self.workspaceRole(b) ?? .editor
        try await setMembership(userId: userId, role: role, context: context)
        return .json { w in
            w.beginObject()
            w.key("id"); w.string(userId.lowercased)
            w.key("user_id"); w.string(userId.lowercased)
            w.key("ls_user_id"); w.string(userId.lowercased)
            w.key("organization_id"); w.string(context.principal.organizationId.lowercased)
            w.key("tenant_id"); w.string(context.tenantId.lowercased)
            w.key("created_at"); w.string(Timestamp.now().iso8601)
            w.key("role_id"); w.string(role.roleId.lowercased)
            w.key("role_name"); w.string(role.langsmithName)
            w.key("read_only"); w.bool(role == .viewer)
            w.key("access_scope"); w.string("workspace")
            w.endObject()
        }
    }

    static func workspaceRole(_ b: [String: JSONValue]) throws -> WorkspaceRole? {
        if let r = try b.string("role_id") {
            guard let role = WorkspaceRole(reference: r) else { throw APIError.unprocessable("unknown workspace role '\(r.prefix(64))'") }
            return role
        }
        if let readOnly = try b.bool("read_only") { return readOnly ? .viewer : .editor }
        return nil
    }

    func setMembership(userId: UUID, role: WorkspaceRole, context: TenantContext) async throws {
        guard try await store.organizationMembers(organizationId: context.principal.organizationId).contains(where: { $0.userId == userId }) else {
            throw APIError.notFound("organization member \(userId.lowercased)")
        }
        try await store.setWorkspaceMember(WorkspaceMember(workspaceId: context.tenantId, userId: userId, role: role))
    }

    /// Invites people to this workspace by email (organization members are added directly).
    @Sendable func inviteToWorkspace(request: Request, context: TenantContext) async throws -> Response {
        var request = request
        guard case .array(let items) = try await request.jsonValue() else { throw APIError.unprocessable("send a JSON array of members") }
        guard items.count <= 100 else { throw APIError.unprocessable("add at most 100 members per request") }
        var out: [[UInt8]] = []
        let orgMembers = try await store.organizationMembers(organizationId: context.principal.organizationId)
        for item in items {
            guard case .object(let o) = item else { throw APIError.unprocessable("each member must be an object") }
            var m = try NewMember(o, defaultWorkspace: context.tenantId, roleIsWorkspaceRole: true)
            m.workspaceIds = [context.tenantId]
            m.workspaceRole = try Self.workspaceRole(o) ?? m.workspaceRole ?? .editor
            m.organizationRole = .user  // workspace admins cannot hand out organization roles
            if let existing = try await store.user(email: m.email), orgMembers.contains(where: { $0.userId == existing.id }) {
                try await setMembership(userId: existing.id, role: m.workspaceRole ?? .editor, context: context)
                var w = JSONWriter(capacity: 256)
                IdentityJSON.member(existing, organizationId: context.principal.organizationId, tenantId: context.tenantId, role: m.workspaceRole,
                                    organizationRole: orgMembers.first { $0.userId == existing.id }?.role, createdAt: .now(), into: &w)
                out.append(w.bytes)
            } else {
                m.password = nil  // workspace admins invite; only organization admins create accounts
                out.append(try await add(m, context: context, request: request).bytes)
            }
        }
        return .json(Array("[".utf8) + Array(out.joined(separator: Array(",".utf8))) + Array("]".utf8))
    }

    @Sendable func updateWorkspaceMember(request: Request, context: TenantContext) async throws -> Response {
        let userId = try context.parameters.uuid("id")
        var request = request
        guard let role = try Self.workspaceRole(try await request.jsonObject()) else { throw APIError.unprocessable("role_id is required") }
        guard try await store.workspaceMembers(workspaceId: context.tenantId).contains(where: { $0.userId == userId }) else {
            throw APIError.notFound("workspace member")
        }
        try await setMembership(userId: userId, role: role, context: context)
        return .json(JSONValue.object([:]))
    }

    @Sendable func removeWorkspaceMember(request: Request, context: TenantContext) async throws -> Response {
        let userId = try context.parameters.uuid("id")
        guard try await store.removeWorkspaceMember(workspaceId: context.tenantId, userId: userId) else {
            throw APIError.notFound("workspace member")
        }
        return .json(JSONValue.object([:]))
    }
}
