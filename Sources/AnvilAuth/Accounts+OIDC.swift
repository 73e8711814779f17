import AnvilCore
import AnvilStorage
import Foundation

extension Accounts {
    /// The Anvil user an identity from the OpenID provider signs in as, in this order:
    /// the user already linked to that issuer and subject; an existing user with the same,
    /// provider-verified email (linked now); a pending invitation to that verified email
    /// (accepted now); a new member of `workspace` when `autoProvisionRole` is set. Anyone else
    /// is refused: signing in with SSO never grants access an admin did not give.
    public func user(for identity: OIDC.Identity, settings: OIDCSettings, workspace: Workspace) async throws -> User {
        if let linked = try await store.user(oidcSubject: identity.qualifiedSubject) {
            guard !linked.disabled else { throw AccountError(.unauthorized, "this account is disabled") }
            return linked
        }
        guard let email = identity.email?.trimmingCharacters(in: .whitespaces), Self.looksLikeEmail(email) else {
            throw AccountError(.unauthorized, "the identity provider did not share an email address (request the email scope)")
        }
        if var existing = try await store.user(email: email) {
            guard identity.emailVerified else {
                throw AccountError(.unauthorized, "the identity provider has not verified \(email), so it cannot sign in to the existing account")
            }
            guard existing.oidcSubject == nil else { throw AccountError(.conflict, "\(email) is linked to another single sign-on identity") }
            guard !existing.disabled else { throw AccountError(.unauthorized, "this account is disabled") }
            existing.oidcSubject = identity.qualifiedSubject
            try await store.updateUser(existing)
            return existing
        }
        if identity.emailVerified,
           let invitation = try await store.invitations(organizationId: workspace.organizationId)
               .first(where: { $0.email.lowercased() == email.lowercased() && $0.acceptedAt == nil && $0.expiresAt > .now() }) {
            let user = try await provision(identity, email: email, organizationId: invitation.organizationId, organizationRole: invitation.organizationRole,
                                           workspaceId: invitation.workspaceId, workspaceRole: invitation.workspaceRole)
            try await store.markInvitationAccepted(id: invitation.id, at: .now())
            return user
        }
        guard let role = settings.autoProvisionRole else {
            throw AccountError(.unauthorized, "there is no Anvil account for \(email); ask an admin to invite you")
        }
        return try await provision(identity, email: email, organizationId: workspace.organizationId, organizationRole: .user,
                                   workspaceId: workspace.id, workspaceRole: role)
    }

    private func provision(_ identity: OIDC.Identity, email: String, organizationId: UUID, organizationRole: OrganizationRole,
                           workspaceId: UUID?, workspaceRole: WorkspaceRole?) async throws -> User {
        var user = try await createUser(email: email, displayName: identity.name, password: nil, organizationId: organizationId,
                                        organizationRole: organizationRole, workspaceId: workspaceId, workspaceRole: workspaceRole)
        user.oidcSubject = identity.qualifiedSubject
        try await store.updateUser(user)
        return user
    }
}
