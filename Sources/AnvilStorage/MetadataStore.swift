import AnvilCore
import Foundation

/// Why a metadata write was refused.
public struct StoreError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Code: String, Sendable, Hashable {
        case conflict, notFound, invalid
    }
    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code.rawValue): \(message)" }
}

/// Organizations, workspaces and API keys.
public protocol TenantStore: Sendable {
    /// Creates the default organization and workspace when none exist; returns the default workspace.
    func bootstrapDefaultWorkspace() async throws -> Workspace
    func workspace(id: UUID) async throws -> Workspace?
    /// Adds a workspace to an existing organization (`StoreError.notFound` when it does not
    /// exist; `.conflict` on a taken id or handle).
    func createWorkspace(_ workspace: Workspace) async throws
    /// The workspace with this hub handle.
    func workspace(handle: String) async throws -> Workspace?
    /// Sets or changes a workspace's hub handle: `.conflict` when another workspace has it,
    /// `.notFound` when the workspace does not exist.
    func setWorkspaceHandle(_ handle: String, workspaceId: UUID) async throws -> Workspace
    func organization(id: UUID) async throws -> Organization?
    func createAPIKey(_ key: APIKey) async throws
    /// An unrevoked key by the hash of its secret.
    func apiKey(hash: String) async throws -> APIKey?
    func apiKeyCount(tenantId: UUID) async throws -> Int
    func touchAPIKey(id: UUID, at: Timestamp) async throws
}

/// What `GET /sessions` filters on.
public struct ProjectQuery: Sendable, Hashable {
    public var tenantId: UUID
    public var ids: [UUID]?
    public var name: String?
    public var nameContains: String?
    public var referenceDatasetId: UUID?
    /// true: only projects without a reference dataset (tracing projects); false: only experiments.
    public var referenceFree: Bool?
    public var metadata: [String: JSONValue]?
    public var sortByDesc = true
    public var offset = 0
    public var limit = 100

    public init(tenantId: UUID) { self.tenantId = tenantId }
}

/// Tracing projects ("sessions").
public protocol ProjectStore: Sendable {
    /// Throws `StoreError.conflict` when the name or id is taken in the workspace.
    func createProject(_ project: Project) async throws
    func project(id: UUID, tenantId: UUID) async throws -> Project?
    func project(name: String, tenantId: UUID) async throws -> Project?
    /// The project with this name, created when missing (ingest auto-creation; race-safe).
    func projectNamed(_ name: String, tenantId: UUID) async throws -> Project
    func listProjects(_ query: ProjectQuery) async throws -> [Project]
    func updateProject(_ project: Project) async throws
    func deleteProject(id: UUID, tenantId: UUID) async throws -> Bool
}

/// Public share tokens for runs.
public protocol ShareStore: Sendable {
    func shareRun(_ share: RunShare) async throws -> RunShare
    func runShare(runId: UUID, tenantId: UUID) async throws -> RunShare?
    func runShare(token: UUID) async throws -> RunShare?
    func unshareRun(runId: UUID, tenantId: UUID) async throws
}

/// Everything the operational (Postgres-side) database holds.
public typealias MetadataStore = TenantStore & ProjectStore & ShareStore
    & FeedbackConfigStore & FeedbackTokenStore & AnnotationQueueStore & IdentityStore
