import AnvilCore
import AnvilStorage
import Foundation

extension SQLiteMetadataStore: IdentityStore {
    // MARK: users

    static let userColumns = "id, email, display_name, password_hash, oidc_subject, created_at, disabled"

    static func decodeUser(_ row: SQLiteRow) -> User {
        User(id: row.uuid(0)!, email: row.string(1) ?? "", displayName: row.string(2) ?? "", passwordHash: row.string(3),
             oidcSubject: row.string(4), createdAt: Timestamp(microseconds: row.int(5) ?? 0), disabled: row.int(6) == 1)
    }

    func users(_ sql: String, _ bindings: [SQLiteValue]) async throws -> [User] {
        try await db.read { conn in
            var out: [User] = []
            try conn.query(sql, bindings) { row in out.append(Self.decodeUser(row)) }
            return out
        }
    }

    public func createUser(_ u: User) async throws {
        try await db.write { conn in
            do {
                try conn.run("INSERT INTO users (\(Self.userColumns)) VALUES (?, ?, ?, ?, ?, ?, ?)", [
                    .uuid(u.id), .text(u.email), .text(u.displayName), .text(u.passwordHash), .text(u.oidcSubject),
                    .time(u.createdAt), .int(u.disabled ? 1 : 0),
                ])
            } catch let e as SQLiteError where e.isConstraintViolation {
                throw StoreError(.conflict, "a user with email \(u.email) already exists")
            }
        }
    }

    public func user(id: UUID) async throws -> User? {
        try await users("SELECT \(Self.userColumns) FROM users WHERE id = ?", [.uuid(id)]).first
    }

    public func user(email: String) async throws -> User? {
        try await users("SELECT \(Self.userColumns) FROM users WHERE lower(email) = lower(?)", [.text(email)]).first
    }

    public func user(oidcSubject: String) async throws -> User? {
        try await users("SELECT \(Self.userColumns) FROM users WHERE oidc_subject = ?", [.text(oidcSubject)]).first
    }

    public func updateUser(_ u: User) async throws {
        try await db.write { conn in
            do {
                let n = try conn.run(
                    "UPDATE users SET email = ?, display_name = ?, password_hash = ?, oidc_subject = ?, disabled = ? WHERE id = ?",
                    [.text(u.email), .text(u.displayName), .text(u.passwordHash), .text(u.oidcSubject), .int(u.disabled ? 1 : 0), .uuid(u.id)])
                guard n > 0 else { throw StoreError(.notFound, "user not found") }
            } catch let e as SQLiteError where e.isConstraintViolation {
                throw StoreError(.conflict, "a user with email \(u.email) already exists")
            }
        }
    }

    public func users(ids: [UUID]) async throws -> [User] {
        guard !ids.isEmpty else { return [] }
        return try await users(
            "SELECT \(Self.userColumns) FROM users WHERE id IN (\(SQLiteTraceStore.placeholders(ids.count)))", ids.map { .uuid($0) })
    }

    public func userCount() async throws -> Int {
        try await db.read { conn in Int(try conn.scalarInt("SELECT count(*) FROM users") ?? 0) }
    }

    // MARK: organization members

    public func setOrganizationMember(_ m: OrganizationMember) async throws {
        _ = try await db.write { conn in
            try conn.run("""
                INSERT INTO organization_members (organization_id, user_id, role, created_at) VALUES (?, ?, ?, ?)
                ON CONFLICT (organization_id, user_id) DO UPDATE SET role = excluded.role
                """, [.uuid(m.organizationId), .uuid(m.userId), .text(m.role.rawValue), .time(m.createdAt)])
        }
    }

    func orgMembers(_ sql: String, _ bindings: [SQLiteValue]) async throws -> [OrganizationMember] {
        try await db.read { conn in
            var out: [OrganizationMember] = []
            try conn.query(sql, bindings) { row in
                out.append(OrganizationMember(
                    organizationId: row.uuid(0)!, userId: row.uuid(1)!, role: OrganizationRole(rawValue: row.string(2) ?? "") ?? .user,
                    createdAt: Timestamp(microseconds: row.int(3) ?? 0)))
            }
            return out
        }
    }

    public func organizationMembers(organizationId: UUID) async throws -> [OrganizationMember] {
        try await orgMembers(
            "SELECT organization_id, user_id, role, created_at FROM organization_members WHERE organization_id = ? ORDER BY created_at, user_id",
            [.uuid(organizationId)])
    }

    public func organizationMemberships(userId: UUID) async throws -> [OrganizationMember] {
        try await orgMembers(
            "SELECT organization_id, user_id, role, created_at FROM organization_members WHERE user_id = ? ORDER BY created_at", [.uuid(userId)])
    }

    public func removeOrganizationMember(organizationId: UUID, userId: UUID) async throws -> Bool {
        try await db.write { conn in
            try conn.transaction {
                let n = try conn.run("DELETE FROM organization_members WHERE organization_id = ? AND user_id = ?", [.uuid(organizationId), .uuid(userId)])
                try conn.run(
                    "DELETE FROM workspace_members WHERE user_id = ? AND workspace_id IN (SELECT id FROM workspaces WHERE organization_id = ?)",
                    [.uuid(userId), .uuid(organizationId)])
                return n > 0
            }
        }
    }

    // MARK: workspaces

    public func workspaces(organizationId: UUID) async throws -> [Workspace] {
        try await db.read { conn in
            try Self.workspaces(conn, "SELECT id, organization_id, name, handle, created_at FROM workspaces WHERE organization_id = ? ORDER BY created_at, id",
                                [.uuid(organizationId)])
        }
    }

    public func updateWorkspace(_ w: Workspace) async throws {
        try await db.write { conn in
            do {
                let n = try conn.run("UPDATE workspaces SET name = ?, handle = ? WHERE id = ?", [.text(w.name), .text(w.handle), .uuid(w.id)])
                guard n > 0 else { throw StoreError(.notFound, "workspace not found") }
            } catch let e as SQLiteError where e.isConstraintViolation {
                throw StoreError(.conflict, "the handle '\(w.handle ?? "")' is taken")
            }
        }
    }

    // MARK: workspace members

    public func setWorkspaceMember(_ m: WorkspaceMember) async throws {
        _ = try await db.write { conn in
            try conn.run("""
                INSERT INTO workspace_members (workspace_id, user_id, role, created_at) VALUES (?, ?, ?, ?)
                ON CONFLICT (workspace_id, user_id) DO UPDATE SET role = excluded.role
                """, [.uuid(m.workspaceId), .uuid(m.userId), .text(m.role.rawValue), .time(m.createdAt)])
        }
    }

    func wsMembers(_ sql: String, _ bindings: [SQLiteValue]) async throws -> [WorkspaceMember] {
        try await db.read { conn in
            var out: [WorkspaceMember] = []
            try conn.query(sql, bindings) { row in
                out.append(WorkspaceMember(
                    workspaceId: row.uuid(0)!, userId: row.uuid(1)!, role: WorkspaceRole(rawValue: row.string(2) ?? "") ?? .viewer,
                    createdAt: Timestamp(microseconds: row.int(3) ?? 0)))
            }
            return out
        }
    }

    public func workspaceMembers(workspaceId: UUID) async throws -> [WorkspaceMember] {
        try await wsMembers(
            "SELECT workspace_id, user_id, role, created_at FROM workspace_members WHERE workspace_id = ? ORDER BY created_at, user_id",
            [.uuid(workspaceId)])
    }

    public func workspaceMemberships(userId: UUID) async throws -> [WorkspaceMember] {
        try await wsMembers("SELECT workspace_id, user_id, role, created_at FROM workspace_members WHERE user_id = ? ORDER BY created_at", [.uuid(userId)])
    }

    public func removeWorkspaceMember(workspaceId: UUID, userId: UUID) async throws -> Bool {
        try await db.write { conn in
            try conn.run("DELETE FROM workspace_members WHERE workspace_id = ? AND user_id = ?", [.uuid(workspaceId), .uuid(userId)]) > 0
        }
    }

    // MARK: keys

    public func apiKeys(tenantId: UUID?, userId: UUID?) async throws -> [APIKey] {
        if let userId {
            return try await apiKeys(
                "SELECT \(Self.apiKeyColumns) FROM api_keys WHERE kind = 'personal' AND user_id = ? AND revoked_at IS NULL ORDER BY created_at, id",
                [.uuid(userId)])
        }
        guard let tenantId else { return [] }
        return try await apiKeys(
            "SELECT \(Self.apiKeyColumns) FROM api_keys WHERE kind = 'service' AND tenant_id = ? AND revoked_at IS NULL ORDER BY created_at, id",
            [.uuid(tenantId)])
    }

    public func apiKey(id: UUID) async throws -> APIKey? {
        try await apiKeys("SELECT \(Self.apiKeyColumns) FROM api_keys WHERE id = ?", [.uuid(id)]).first
    }

    public func revokeAPIKey(id: UUID, at: Timestamp) async throws -> Bool {
        try await db.write { conn in
            try conn.run("UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL", [.time(at), .uuid(id)]) > 0
        }
    }

    // MARK: sessions

    public func createSession(_ s: UserSession) async throws {
        _ = try await db.write { conn in
            try conn.run("INSERT INTO sessions (id, hash, user_id, created_at, expires_at, revoked_at) VALUES (?, ?, ?, ?, ?, ?)",
                         [.uuid(s.id), .text(s.hash), .uuid(s.userId), .time(s.createdAt), .time(s.expiresAt), .time(s.revokedAt)])
        }
    }

    public func session(hash: String) async throws -> UserSession? {
        try await db.read { conn in
            var out: UserSession?
            try conn.query("SELECT id, hash, user_id, created_at, expires_at, revoked_at FROM sessions WHERE hash = ?", [.text(hash)]) { row in
                out = UserSession(id: row.uuid(0)!, hash: row.string(1) ?? "", userId: row.uuid(2)!,
                                  createdAt: Timestamp(microseconds: row.int(3) ?? 0), expiresAt: Timestamp(microseconds: row.int(4) ?? 0),
                                  revokedAt: row.int(5).map(Timestamp.init(microseconds:)))
            }
            return out
        }
    }

    public func revokeSession(id: UUID, at: Timestamp) async throws {
        _ = try await db.write { conn in
            try conn.run("UPDATE sessions SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL", [.time(at), .uuid(id)])
        }
    }

    public func revokeSessions(userId: UUID, at: Timestamp) async throws {
        _ = try await db.write { conn in
            try conn.run("UPDATE sessions SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL", [.time(at), .uuid(userId)])
        }
    }

    // MARK: invitations

    static let invitationColumns = "id, organization_id, email, organization_role, workspace_id, workspace_role, token_hash, created_at, expires_at, accepted_at"

    static func decodeInvitation(_ row: SQLiteRow) -> Invitation {
        Invitation(
            id: row.uuid(0)!, organizationId: row.uuid(1)!, email: row.string(2) ?? "",
            organizationRole: OrganizationRole(rawValue: row.string(3) ?? "") ?? .user, workspaceId: row.uuid(4),
            workspaceRole: row.string(5).flatMap(WorkspaceRole.init(rawValue:)), tokenHash: row.string(6) ?? "",
            createdAt: Timestamp(microseconds: row.int(7) ?? 0), expiresAt: Timestamp(microseconds: row.int(8) ?? 0),
            acceptedAt: row.int(9).map(Timestamp.init(microseconds:)))
    }

    public func createInvitation(_ i: Invitation) async throws {
        _ = try await db.write { conn in
            try conn.run("INSERT INTO invitations (\(Self.invitationColumns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", [
                .uuid(i.id), .uuid(i.organizationId), .text(i.email), .text(i.organizationRole.rawValue), .uuid(i.workspaceId),
                .text(i.workspaceRole?.rawValue), .text(i.tokenHash), .time(i.createdAt), .time(i.expiresAt), .time(i.acceptedAt),
            ])
        }
    }

    func invitations(_ sql: String, _ bindings: [SQLiteValue]) async throws -> [Invitation] {
        try await db.read { conn in
            var out: [Invitation] = []
            try conn.query(sql, bindings) { row in out.append(Self.decodeInvitation(row)) }
            return out
        }
    }

    public func invitation(tokenHash: String) async throws -> Invitation? {
        try await invitations("SELECT \(Self.invitationColumns) FROM invitations WHERE token_hash = ?", [.text(tokenHash)]).first
    }

    public func invitations(organizationId: UUID) async throws -> [Invitation] {
        try await invitations(
            "SELECT \(Self.invitationColumns) FROM invitations WHERE organization_id = ? AND accepted_at IS NULL ORDER BY created_at, id",
            [.uuid(organizationId)])
    }

    public func markInvitationAccepted(id: UUID, at: Timestamp) async throws {
        _ = try await db.write { conn in try conn.run("UPDATE invitations SET accepted_at = ? WHERE id = ?", [.time(at), .uuid(id)]) }
    }

    public func deleteInvitation(id: UUID, organizationId: UUID) async throws -> Bool {
        try await db.write { conn in
            try conn.run("DELETE FROM invitations WHERE id = ? AND organization_id = ?", [.uuid(id), .uuid(organizationId)]) > 0
        }
    }

    // MARK: audit

    static let auditColumns = """
        id, organization_id, workspace_id, time, activity, operation, success, status_code, actor_user_id, actor_email,
        actor_key_id, resource_type, resource_id, method, path, source_ip, user_agent, message
        """

    public func recordAudit(_ e: AuditEvent) async throws {
        _ = try await db.write { conn in
            try conn.run("INSERT INTO audit_log (\(Self.auditColumns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", [
                .uuid(e.id), .uuid(e.organizationId), .uuid(e.workspaceId), .time(e.time), .int(Int64(e.activity.rawValue)),
                .text(e.operation), .int(e.success ? 1 : 0), .int(Int64(e.statusCode)), .uuid(e.actorUserId), .text(e.actorEmail),
                .uuid(e.actorKeyId), .text(e.resourceType), .text(e.resourceId), .text(e.method), .text(e.path), .text(e.sourceIP),
                .text(e.userAgent), .text(e.message),
            ])
        }
    }

    public func auditEvents(organizationId: UUID, workspaceId: UUID?, limit: Int, offset: Int) async throws -> [AuditEvent] {
        var sql = "SELECT \(Self.auditColumns) FROM audit_log WHERE organization_id = ?"
        var bindings: [SQLiteValue] = [.uuid(organizationId)]
        if let workspaceId {
            sql += " AND workspace_id = ?"
            bindings.append(.uuid(workspaceId))
        }
        sql += " ORDER BY time DESC, id DESC LIMIT ? OFFSET ?"
        bindings += [.int(Int64(max(0, limit))), .int(Int64(max(0, offset)))]
        let finalSQL = sql
        let finalBindings = bindings
        return try await db.read { conn in
            var out: [AuditEvent] = []
            try conn.query(finalSQL, finalBindings) { row in
                var e = AuditEvent(
                    id: row.uuid(0)!, organizationId: row.uuid(1)!, workspaceId: row.uuid(2),
                    time: Timestamp(microseconds: row.int(3) ?? 0), activity: AuditEvent.Activity(rawValue: Int(row.int(4) ?? 99)) ?? .other,
                    operation: row.string(5) ?? "", success: row.int(6) == 1, statusCode: Int(row.int(7) ?? 0))
                e.actorUserId = row.uuid(8)
                e.actorEmail = row.string(9)
                e.actorKeyId = row.uuid(10)
                e.resourceType = row.string(11)
                e.resourceId = row.string(12)
                e.method = row.string(13)
                e.path = row.string(14)
                e.sourceIP = row.string(15)
                e.userAgent = row.string(16)
                e.message = row.string(17)
                out.append(e)
            }
            return out
        }
    }
}
