import AnvilCore
import Foundation

extension MemoryMetadataStore: IdentityStore {
    public func createUser(_ user: User) async throws {
        if users.values.contains(where: { $0.email.lowercased() == user.email.lowercased() }) {
            throw StoreError(.conflict, "a user with email \(user.email) already exists")
        }
        users[user.id] = user
    }

    public func user(id: UUID) async throws -> User? { users[id] }
    public func user(email: String) async throws -> User? { users.values.first { $0.email.lowercased() == email.lowercased() } }
    public func user(oidcSubject: String) async throws -> User? { users.values.first { $0.oidcSubject == oidcSubject } }

    public func updateUser(_ user: User) async throws {
        guard users[user.id] != nil else { throw StoreError(.notFound, "user not found") }
        if users.values.contains(where: { $0.id != user.id && $0.email.lowercased() == user.email.lowercased() }) {
            throw StoreError(.conflict, "a user with email \(user.email) already exists")
        }
        users[user.id] = user
    }

    public func users(ids: [UUID]) async throws -> [User] { ids.compactMap { users[$0] } }
    public func userCount() async throws -> Int { users.count }

    public func setOrganizationMember(_ m: OrganizationMember) async throws {
        let key = OrganizationMemberKey(organizationId: m.organizationId, userId: m.userId)
        var member = m
        if let existing = organizationMembers[key] { member.createdAt = existing.createdAt }
        organizationMembers[key] = member
    }

    public func organizationMembers(organizationId: UUID) async throws -> [OrganizationMember] {
        organizationMembers.values.filter { $0.organizationId == organizationId }
            .sorted { ($0.createdAt, $0.userId.lowercased) < ($1.createdAt, $1.userId.lowercased) }
    }

    public func organizationMemberships(userId: UUID) async throws -> [OrganizationMember] {
        organizationMembers.values.filter { $0.userId == userId }.sorted { $0.createdAt < $1.createdAt }
    }

    public func removeOrganizationMember(organizationId: UUID, userId: UUID) async throws -> Bool {
        guard organizationMembers.removeValue(forKey: OrganizationMemberKey(organizationId: organizationId, userId: userId)) != nil else {
            return false
        }
        for ws in workspaces.values where ws.organizationId == organizationId {
            workspaceMembers[WorkspaceMemberKey(workspaceId: ws.id, userId: userId)] = nil
        }
        return true
    }

    public func workspaces(organizationId: UUID) async throws -> [Workspace] {
        workspaces.values.filter { $0.organizationId == organizationId }
            .sorted { ($0.createdAt, $0.id.lowercased) < ($1.createdAt, $1.id.lowercased) }
    }

    public func updateWorkspace(_ w: Workspace) async throws {
        guard workspaces[w.id] != nil else { throw StoreError(.notFound, "workspace not found") }
        if let handle = w.handle, workspaces.values.contains(where: { $0.id != w.id && $0.handle == handle }) {
            throw StoreError(.conflict, "the handle '\(handle)' is taken")
        }
        workspaces[w.id] = w
    }

    public func setWorkspaceMember(_ m: WorkspaceMember) async throws {
        let key = WorkspaceMemberKey(workspaceId: m.workspaceId, userId: m.userId)
        var member = m
        if let existing = workspaceMembers[key] { member.createdAt = existing.createdAt }
        workspaceMembers[key] = member
    }

    public func workspaceMembers(workspaceId: UUID) async throws -> [WorkspaceMember] {
        workspaceMembers.values.filter { $0.workspaceId == workspaceId }
            .sorted { ($0.createdAt, $0.userId.lowercased) < ($1.createdAt, $1.userId.lowercased) }
    }

    public func workspaceMemberships(userId: UUID) async throws -> [WorkspaceMember] {
        workspaceMembers.values.filter { $0.userId == userId }.sorted { $0.createdAt < $1.createdAt }
    }

    public func removeWorkspaceMember(workspaceId: UUID, userId: UUID) async throws -> Bool {
        workspaceMembers.removeValue(forKey: WorkspaceMemberKey(workspaceId: workspaceId, userId: userId)) != nil
    }

    public func apiKeys(tenantId: UUID?, userId: UUID?) async throws -> [APIKey] {
        keys.values.filter { k in
            guard k.revokedAt == nil else { return false }
            if let userId { return k.kind == .personal && k.userId == userId }
            if let tenantId { return k.kind == .service && k.tenantId == tenantId }
            return false
        }.sorted { ($0.createdAt, $0.id.lowercased) < ($1.createdAt, $1.id.lowercased) }
    }

    public func apiKey(id: UUID) async throws -> APIKey? { keys[id] }

    public func revokeAPIKey(id: UUID, at: Timestamp) async throws -> Bool {
        guard var k = keys[id], k.revokedAt == nil else { return false }
        k.revokedAt = at
        keys[id] = k
        return true
    }

    public func createSession(_ session: UserSession) async throws { sessions[session.id] = session }
    public func session(hash: String) async throws -> UserSession? { sessions.values.first { $0.hash == hash } }

    public func revokeSession(id: UUID, at: Timestamp) async throws {
        if sessions[id]?.revokedAt == nil { sessions[id]?.revokedAt = at }
    }

    public func revokeSessions(userId: UUID, at: Timestamp) async throws {
        for (id, s) in sessions where s.userId == userId && s.revokedAt == nil { sessions[id]?.revokedAt = at }
    }

    public func createInvitation(_ invitation: Invitation) async throws { invitationsById[invitation.id] = invitation }
    public func invitation(tokenHash: String) async throws -> Invitation? { invitationsById.values.first { $0.tokenHash == tokenHash } }

    public func invitations(organizationId: UUID) async throws -> [Invitation] {
        invitationsById.values.filter { $0.organizationId == organizationId && $0.acceptedAt == nil }
            .sorted { ($0.createdAt, $0.id.lowercased) < ($1.createdAt, $1.id.lowercased) }
    }

    public func markInvitationAccepted(id: UUID, at: Timestamp) async throws { invitationsById[id]?.acceptedAt = at }

    public func deleteInvitation(id: UUID, organizationId: UUID) async throws -> Bool {
        guard invitationsById[id]?.organizationId == organizationId else { return false }
        invitationsById[id] = nil
        return true
    }

    public func recordAudit(_ event: AuditEvent) async throws { audit.append(event) }

    public func auditEvents(organizationId: UUID, workspaceId: UUID?, limit: Int, offset: Int) async throws -> [AuditEvent] {
        let rows = audit.filter { $0.organizationId == organizationId && (workspaceId == nil || $0.workspaceId == workspaceId) }
            .sorted { ($0.time, $0.id.lowercased) > ($1.time, $1.id.lowercased) }
        return Array(rows.dropFirst(offset).prefix(limit))
    }
}
