import Foundation

/// A workspace role. Ordered: each role can do everything the ones below it can.
public enum WorkspaceRole: String, Sendable, Hashable, CaseIterable, Comparable {
    /// Reads everything in the workspace.
    case viewer
    /// Also writes: ingests runs, edits datasets, prompts, queues, feedback.
    case editor
    /// Also manages the workspace: members, API keys, settings, audit log.
    case admin

    var rank: Int {
        switch self {
        case .viewer: 0
        case .editor: 1
        case .admin: 2
        }
    }

    public static func < (a: WorkspaceRole, b: WorkspaceRole) -> Bool { a.rank < b.rank }
}

/// An organization role: admins manage the organization's members and workspaces and act as
/// workspace admins everywhere in it.
public enum OrganizationRole: String, Sendable, Hashable, CaseIterable {
    case admin, user
}

/// A local or single-sign-on user.
public struct User: Sendable, Hashable {
    public var id: UUID
    public var email: String
    public var displayName: String
    /// scrypt hash (`scrypt$N$r$p$salt$hash`, base64); nil for SSO-only users.
    public var passwordHash: String?
    /// The OpenID Connect subject (`issuer#sub`) for SSO users.
    public var oidcSubject: String?
    public var createdAt: Timestamp
    public var disabled: Bool

    public init(id: UUID = UUID(), email: String, displayName: String, passwordHash: String? = nil, oidcSubject: String? = nil,
                createdAt: Timestamp = .now(), disabled: Bool = false) {
        self.id = id
        self.email = email
        self.displayName = displayName
        self.passwordHash = passwordHash
        self.oidcSubject = oidcSubject
        self.createdAt = createdAt
        self.disabled = disabled
    }
}

public struct OrganizationMember: Sendable, Hashable {
    public var organizationId: UUID
    public var userId: UUID
    public var role: OrganizationRole
    public var createdAt: Timestamp

    public init(organizationId: UUID, userId: UUID, role: OrganizationRole, createdAt: Timestamp = .now()) {
        self.organizationId = organizationId
        self.userId = userId
        self.role = role
        self.createdAt = createdAt
    }
}

public struct WorkspaceMember: Sendable, Hashable {
    public var workspaceId: UUID
    public var userId: UUID
    public var role: WorkspaceRole
    public var createdAt: Timestamp

    public init(workspaceId: UUID, userId: UUID, role: WorkspaceRole, createdAt: Timestamp = .now()) {
        self.workspaceId = workspaceId
        self.userId = userId
        self.role = role
        self.createdAt = createdAt
    }
}

/// A browser sign-in. The cookie carries a random secret; only its SHA-256 is stored.
public struct UserSession: Sendable, Hashable {
    public var id: UUID
    public var hash: String
    public var userId: UUID
    public var createdAt: Timestamp
    public var expiresAt: Timestamp
    public var revokedAt: Timestamp?

    public init(id: UUID = UUID(), hash: String, userId: UUID, createdAt: Timestamp = .now(), expiresAt: Timestamp, revokedAt: Timestamp? = nil) {
        self.id = id
        self.hash = hash
        self.userId = userId
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.revokedAt = revokedAt
    }
}

/// An invitation to join an organization (and optionally a workspace with a role).
public struct Invitation: Sendable, Hashable {
    public var id: UUID
    public var organizationId: UUID
    public var email: String
    public var organizationRole: OrganizationRole
    public var workspaceId: UUID?
    public var workspaceRole: WorkspaceRole?
    /// SHA-256 of the secret in the invitation link.
    public var tokenHash: String
    public var createdAt: Timestamp
    public var expiresAt: Timestamp
    public var acceptedAt: Timestamp?

    public init(id: UUID = UUID(), organizationId: UUID, email: String, organizationRole: OrganizationRole, workspaceId: UUID?,
                workspaceRole: WorkspaceRole?, tokenHash: String, createdAt: Timestamp = .now(), expiresAt: Timestamp, acceptedAt: Timestamp? = nil) {
        self.id = id
        self.organizationId = organizationId
        self.email = email
        self.organizationRole = organizationRole
        self.workspaceId = workspaceId
        self.workspaceRole = workspaceRole
        self.tokenHash = tokenHash
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.acceptedAt = acceptedAt
    }
}

/// One security-relevant action, shaped after OCSF's API Activity class (6003).
public struct AuditEvent: Sendable, Hashable {
    /// OCSF activity: 1 create, 2 read, 3 update, 4 delete, 99 other (login, logout…).
    public enum Activity: Int, Sendable, Hashable {
        case create = 1, read = 2, update = 3, delete = 4, other = 99

        public var name: String {
            switch self {
            case .create: "Create"
            case .read: "Read"
            case .update: "Update"
            case .delete: "Delete"
            case .other: "Other"
            }
        }
    }

    public var id: UUID
    public var organizationId: UUID
    public var workspaceId: UUID?
    public var time: Timestamp
    public var activity: Activity
    /// What happened, e.g. `auth.login`, `api_key.create`, `workspace_member.update`, `dataset.delete`.
    public var operation: String
    public var success: Bool
    public var statusCode: Int
    public var actorUserId: UUID?
    public var actorEmail: String?
    public var actorKeyId: UUID?
    public var resourceType: String?
    public var resourceId: String?
    public var method: String?
    public var path: String?
    public var sourceIP: String?
    public var userAgent: String?
    public var message: String?

    public init(id: UUID = UUID(), organizationId: UUID, workspaceId: UUID?, time: Timestamp = .now(), activity: Activity,
                operation: String, success: Bool, statusCode: Int) {
        self.id = id
        self.organizationId = organizationId
        self.workspaceId = workspaceId
        self.time = time
        self.activity = activity
        self.operation = operation
        self.success = success
        self.statusCode = statusCode
    }
}

// MARK: LangSmith role names and ids

/// LangSmith names its built-in roles (`WORKSPACE_ADMIN`…) and refers to them by id; Anvil's
/// built-in roles keep fixed ids so clients can store them.
extension WorkspaceRole {
    public var langsmithName: String {
        switch self {
        case .admin: "WORKSPACE_ADMIN"
        case .editor: "WORKSPACE_USER"
        case .viewer: "WORKSPACE_VIEWER"
        }
    }

    public var displayName: String {
        switch self {
        case .admin: "Admin"
        case .editor: "Editor"
        case .viewer: "Viewer"
        }
    }

    public var roleId: UUID {
        switch self {
        case .admin: UUID(uuidString: "6b1a3a3e-0000-4000-8000-000000000001")!
        case .editor: UUID(uuidString: "6b1a3a3e-0000-4000-8000-000000000002")!
        case .viewer: UUID(uuidString: "6b1a3a3e-0000-4000-8000-000000000003")!
        }
    }

    /// A role from its id, its LangSmith name or its Anvil name (`admin`, `editor`, `viewer`).
    public init?(reference: String) {
        let r = reference.trimmingCharacters(in: .whitespaces)
        guard let role = Self.allCases.first(where: {
            $0.rawValue == r.lowercased() || $0.langsmithName == r.uppercased() || $0.roleId.uuidString.lowercased() == r.lowercased()
        }) else { return nil }
        self = role
    }
}

extension OrganizationRole {
    public var langsmithName: String {
        switch self {
        case .admin: "ORGANIZATION_ADMIN"
        case .user: "ORGANIZATION_USER"
        }
    }

    public var displayName: String {
        switch self {
        case .admin: "Organization Admin"
        case .user: "Organization User"
        }
    }

    public var roleId: UUID {
        switch self {
        case .admin: UUID(uuidString: "6b1a3a3e-0000-4000-8000-000000000011")!
        case .user: UUID(uuidString: "6b1a3a3e-0000-4000-8000-000000000012")!
        }
    }

    public init?(reference: String) {
        let r = reference.trimmingCharacters(in: .whitespaces)
        guard let role = Self.allCases.first(where: {
            $0.rawValue == r.lowercased() || $0.langsmithName == r.uppercased() || $0.roleId.uuidString.lowercased() == r.lowercased()
        }) else { return nil }
        self = role
    }
}
