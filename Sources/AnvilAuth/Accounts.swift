import AnvilCore
import AnvilStorage
import Foundation

/// Why an account operation was refused.
public struct AccountError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Code: String, Sendable { case invalid, unauthorized, notFound, conflict }
    public var code: Code
    public var message: String
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }
    public var description: String { message }
}

/// Users, sign-in sessions, API keys and invitations: the platform backend's rules in one place.
public struct Accounts: Sendable {
    public typealias Store = TenantStore & IdentityStore
    let store: any Store
    let authenticator: Authenticator
    /// How long a browser session lasts.
    public let sessionLifetime: Double

    public init(store: any Store, authenticator: Authenticator, sessionLifetime: Double = 7 * 86_400) {
        self.store = store
        self.authenticator = authenticator
        self.sessionLifetime = sessionLifetime
    }

    // MARK: sessions

    /// A new session for `user`: the cookie secret (returned once) and the stored session.
    public func startSession(for user: User) async throws -> (secret: String, session: UserSession) {
        let secret = APIKeys.randomHex(32)
        let now = Timestamp.now()
        let session = UserSession(hash: APIKeys.hash(secret), userId: user.id, createdAt: now, expiresAt: now.adding(seconds: sessionLifetime))
        try await store.createSession(session)
        return (secret, session)
    }

    /// Verifies an email and password. Unknown users and wrong passwords fail alike (and take about
    /// as long, since the hash is computed either way).
    public func verify(email: String, password: String) async throws -> User? {
        let user = try await store.user(email: email.trimmingCharacters(in: .whitespaces))
        let hash = user?.passwordHash ?? Self.decoyHash
        let ok = Passwords.verify(password, against: hash)
        guard let user, ok, user.passwordHash != nil, !user.disabled else { return nil }
        return user
    }

    /// A fixed hash to verify against when the user does not exist (timing equalisation).
    static let decoyHash = (try? Passwords.hash(APIKeys.randomHex(8))) ?? ""

    public func endSession(id: UUID) async throws {
        try await store.revokeSession(id: id, at: .now())
    }

    /// Changes a password and ends every session of the user (the caller starts a fresh one).
    public func changePassword(userId: UUID, current: String, new: String) async throws {
        guard var user = try await store.user(id: userId) else { throw AccountError(.notFound, "user not found") }
        guard let hash = user.passwordHash, Passwords.verify(current, against: hash) else {
            throw AccountError(.unauthorized, "the current password is wrong")
        }
        try Self.checkStrength(new)
        user.passwordHash = try Passwords.hash(new)
        try await store.updateUser(user)
        try await store.revokeSessions(userId: userId, at: .now())
    }

    public static func checkStrength(_ password: String) throws {
        guard password.count >= Passwords.minimumLength else {
            throw AccountError(.invalid, "passwords need at least \(Passwords.minimumLength) characters")
        }
    }

    // MARK: users

    /// Creates a local user with a password, as a member of the organization and (optionally) a workspace.
    public func createUser(email: String, displayName: String?, password: String?, organizationId: UUID, organizationRole: OrganizationRole,
                           workspaceId: UUID?, workspaceRole: WorkspaceRole?) async throws -> User {
        let email = email.trimmingCharacters(in: .whitespaces)
        guard Self.looksLikeEmail(email) else { throw AccountError(.invalid, "'\(email)' is not an email address") }
        if let password { try Self.checkStrength(password) }
        let user = User(email: email, displayName: displayName ?? String(email.split(separator: "@").first ?? ""),
                        passwordHash: try password.map(Passwords.hash))
        do {
            try await store.createUser(user)
        } catch let e as StoreError where e.code == .conflict {
            throw AccountError(.conflict, e.message)
        }
        try await store.setOrganizationMember(OrganizationMember(organizationId: organizationId, userId: user.id, role: organizationRole))
        if let workspaceId, let workspaceRole {
            try await store.setWorkspaceMember(WorkspaceMember(workspaceId: workspaceId, userId: user.id, role: workspaceRole))
        }
        return user
    }

    /// One `@` between a non-empty local part and domain, no whitespace. Single-label domains
    /// (`admin@localhost`, an intranet's `ops@corp`) are allowed: self-hosted servers have them.
    static func looksLikeEmail(_ s: String) -> Bool {
        let parts = s.split(separator: "@", omittingEmptySubsequences: false)
        return parts.count == 2 && !parts[0].isEmpty && !parts[1].isEmpty && !parts[1].hasPrefix(".") && !parts[1].hasSuffix(".")
            && !s.contains(where: \.isWhitespace) && s.count <= 254
    }

    /// The initial admin from configuration: created on first start (organization admin and admin
    /// of the default workspace); an existing account keeps its password.
    public func ensureAdmin(email: String, password: String, workspace: Workspace) async throws -> User {
        if let existing = try await store.user(email: email) { return existing }
        return try await createUser(email: email, displayName: "Admin", password: password, organizationId: workspace.organizationId,
                                    organizationRole: .admin, workspaceId: workspace.id, workspaceRole: .admin)
    }

    // MARK: invitations

    /// An invitation and the secret for its link (shown once).
    public func invite(email: String, organizationId: UUID, organizationRole: OrganizationRole, workspaceId: UUID?,
                       workspaceRole: WorkspaceRole?, lifetime: Double = 7 * 86_400) async throws -> (Invitation, String) {
        guard Self.looksLikeEmail(email) else { throw AccountError(.invalid, "'\(email)' is not an email address") }
        if let existing = try await store.user(email: email),
            try await store.organizationMemberships(userId: existing.id).contains(where: { $0.organizationId == organizationId })
        {
            throw AccountError(.conflict, "\(email) is already a member")
        }
        let secret = APIKeys.randomHex(24)
        let now = Timestamp.now()
        let invitation = Invitation(organizationId: organizationId, email: email, organizationRole: organizationRole, workspaceId: workspaceId,
                                    workspaceRole: workspaceRole, tokenHash: APIKeys.hash(secret), createdAt: now, expiresAt: now.adding(seconds: lifetime))
        try await store.createInvitation(invitation)
        return (invitation, secret)
    }

    /// A pending, unexpired invitation by its link secret.
    public func invitation(secret: String) async throws -> Invitation? {
        guard let i = try await store.invitation(tokenHash: APIKeys.hash(secret)), i.acceptedAt == nil, i.expiresAt > .now() else { return nil }
        return i
    }

    /// Accepts an invitation: creates the user, or adds an existing one with the invited roles.
    /// An existing account with a password must give it (the link alone is not a credential
    /// for an account that already exists); `signedIn` says whether the caller proved who they
    /// are (a new account's password, or the existing one's), so a session may start.
    public func accept(secret: String, password: String?, displayName: String?) async throws -> (user: User, signedIn: Bool) {
        guard let i = try await invitation(secret: secret) else { throw AccountError(.notFound, "this invitation is invalid, used or expired") }
        let user: User
        let signedIn: Bool
        if let existing = try await store.user(email: i.email) {
            if let hash = existing.passwordHash {
                guard let password, Passwords.verify(password, against: hash) else {
                    throw AccountError(.unauthorized, "\(i.email) already has an account: enter its password to accept")
                }
                signedIn = !existing.disabled
            } else {
                signedIn = false  // single sign-on accounts accept, then sign in with their provider
            }
            user = existing
            try await store.setOrganizationMember(OrganizationMember(organizationId: i.organizationId, userId: user.id, role: i.organizationRole))
            if let ws = i.workspaceId, let role = i.workspaceRole {
                try await store.setWorkspaceMember(WorkspaceMember(workspaceId: ws, userId: user.id, role: role))
            }
        } else {
            guard let password else { throw AccountError(.invalid, "choose a password to create your account") }
            user = try await createUser(email: i.email, displayName: displayName, password: password, organizationId: i.organizationId,
                                        organizationRole: i.organizationRole, workspaceId: i.workspaceId, workspaceRole: i.workspaceRole)
            signedIn = true
        }
        try await store.markInvitationAccepted(id: i.id, at: .now())
        return (user, signedIn)
    }

    // MARK: API keys

    /// Creates a key and returns it with its secret (shown once; only the hash is stored).
    public func issueKey(kind: APIKey.Kind, tenantId: UUID, userId: UUID?, role: WorkspaceRole, description: String) async throws -> (APIKey, String) {
        let secret = APIKeys.generate(prefix: kind == .personal ? "lsv2_pt" : "lsv2_sk")
        let key = APIKey(tenantId: tenantId, kind: kind, userId: userId, role: role, hash: APIKeys.hash(secret),
                         shortKey: APIKeys.shortKey(secret), description: description)
        try await store.createAPIKey(key)
        return (key, secret)
    }

    /// Revokes a key; it stops working immediately (the verification cache is cleared).
    public func revokeKey(id: UUID) async throws -> Bool {
        let revoked = try await store.revokeAPIKey(id: id, at: .now())
        await authenticator.invalidate()
        return revoked
    }
}
