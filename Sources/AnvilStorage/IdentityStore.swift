import AnvilCore
import Foundation

/// Users, memberships, sessions, invitations, workspace management, key listing and the audit
/// log: the platform backend's data (Postgres in LangSmith).
public protocol IdentityStore: Sendable {
    /// Throws `StoreError.conflict` when the email (case-insensitive) is taken.
    func createUser(_ user: User) async throws
    func user(id: UUID) async throws -> User?
    func user(email: String) async throws -> User?
    func user(oidcSubject: String) async throws -> User?
    func updateUser(_ user: User) async throws
    /// Users in any of the given ids, in no particular order.
    func users(ids: [UUID]) async throws -> [User]
    func userCount() async throws -> Int

    /// Insert or change a membership.
    func setOrganizationMember(_ member: OrganizationMember) async throws
    func organizationMembers(organizationId: UUID) async throws -> [OrganizationMember]
    func organizationMemberships(userId: UUID) async throws -> [OrganizationMember]
    /// Removes the user from the organization and every workspace in it.
    func removeOrganizationMember(organizationId: UUID, userId: UUID) async throws -> Bool

    func workspaces(organizationId: UUID) async throws -> [Workspace]
    func updateWorkspace(_ workspace: Workspace) async throws

    func setWorkspaceMember(_ member: WorkspaceMember) async throws
    func workspaceMembers(workspaceId: UUID) async throws -> [WorkspaceMember]
    func workspaceMemberships(userId: UUID) async throws -> [WorkspaceMember]
    func removeWorkspaceMember(workspaceId: UUID, userId: UUID) async throws -> Bool

    /// Unrevoked keys: of a workspace's service keys (`tenantId`), or a user's personal tokens.
    func apiKeys(tenantId: UUID?, userId: UUID?) async throws -> [APIKey]
    func apiKey(id: UUID) async throws -> APIKey?
    func revokeAPIKey(id: UUID, at: Timestamp) async throws -> Bool

    func createSession(_ session: UserSession) async throws
    /// A session by the hash of its secret (revoked or expired ones included; callers check).
    func session(hash: String) async throws -> UserSession?
    func revokeSession(id: UUID, at: Timestamp) async throws
    func revokeSessions(userId: UUID, at: Timestamp) async throws

    func createInvitation(_ invitation: Invitation) async throws
    func invitation(tokenHash: String) async throws -> Invitation?
    /// Pending (unaccepted) invitations of an organization.
    func invitations(organizationId: UUID) async throws -> [Invitation]
    func markInvitationAccepted(id: UUID, at: Timestamp) async throws
    func deleteInvitation(id: UUID, organizationId: UUID) async throws -> Bool

    func recordAudit(_ event: AuditEvent) async throws
    /// Newest first; `workspaceId` nil means the whole organization.
    func auditEvents(organizationId: UUID, workspaceId: UUID?, limit: Int, offset: Int) async throws -> [AuditEvent]
}
