import Foundation

public struct Organization: Sendable, Hashable {
    public var id: UUID
    public var name: String
    public var createdAt: Timestamp

    public init(id: UUID = UUID(), name: String, createdAt: Timestamp = .now()) {
        self.id = id
        self.name = name
        self.createdAt = createdAt
    }
}

/// A workspace — LangSmith's "tenant": every project, run and feedback row belongs to exactly one.
public struct Workspace: Sendable, Hashable {
    public var id: UUID
    public var organizationId: UUID
    public var name: String
    public var handle: String?
    public var createdAt: Timestamp

    public init(id: UUID = UUID(), organizationId: UUID, name: String, handle: String? = nil, createdAt: Timestamp = .now()) {
        self.id = id
        self.organizationId = organizationId
        self.name = name
        self.handle = handle
        self.createdAt = createdAt
    }
}

/// An API key as stored: only its SHA-256 hash and a short display prefix, never the key itself.
///
/// A service key belongs to one workspace and carries its own role. A personal access token
/// belongs to a user and acts with that user's role in whichever of their workspaces a request
/// selects (`X-Tenant-Id`); `tenantId` is then the workspace it was created in.
public struct APIKey: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable {
        case service, personal
    }

    public var id: UUID
    public var tenantId: UUID
    public var kind: Kind
    /// The owner of a personal access token.
    public var userId: UUID?
    /// The role of a service key (personal tokens use their owner's membership).
    public var role: WorkspaceRole
    public var hash: String
    public var shortKey: String
    public var description: String
    public var createdAt: Timestamp
    public var lastUsedAt: Timestamp?
    public var revokedAt: Timestamp?

    public init(
        id: UUID = UUID(), tenantId: UUID, kind: Kind = .service, userId: UUID? = nil, role: WorkspaceRole = .admin,
        hash: String, shortKey: String, description: String,
        createdAt: Timestamp = .now(), lastUsedAt: Timestamp? = nil, revokedAt: Timestamp? = nil
    ) {
        self.id = id
        self.tenantId = tenantId
        self.kind = kind
        self.userId = userId
        self.role = role
        self.hash = hash
        self.shortKey = shortKey
        self.description = description
        self.createdAt = createdAt
        self.lastUsedAt = lastUsedAt
        self.revokedAt = revokedAt
    }
}

/// A public share of a run (and its trace): anyone with the token can read it.
public struct RunShare: Sendable, Hashable {
    public var token: UUID
    public var tenantId: UUID
    public var runId: UUID
    public var createdAt: Timestamp

    public init(token: UUID, tenantId: UUID, runId: UUID, createdAt: Timestamp = .now()) {
        self.token = token
        self.tenantId = tenantId
        self.runId = runId
        self.createdAt = createdAt
    }
}
