import AnvilCore
import Foundation

/// The reference metadata store (organizations, workspaces, keys, projects, shares) in memory.
public actor MemoryMetadataStore: TenantStore, ProjectStore, ShareStore {
    var organizations: [UUID: Organization] = [:]
    var workspaces: [UUID: Workspace] = [:]
    var keys: [UUID: APIKey] = [:]
    private var projects: [UUID: Project] = [:]
    private var shares: [UUID: RunShare] = [:]
    // Read and written by the extensions in MemoryMetadataStore+Feedback.swift and
    // MemoryMetadataStore+AnnotationQueues.swift (an actor's stored state must be declared here).
    struct FeedbackConfigKey: Hashable { var tenantId: UUID; var key: String }
    var feedbackConfigs: [FeedbackConfigKey: FeedbackKeyConfig] = [:]
    var feedbackTokens: [UUID: FeedbackToken] = [:]
    var annotationQueues: [UUID: AnnotationQueue] = [:]
    var annotationQueueRuns: [UUID: AnnotationQueueRun] = [:]
    // MemoryMetadataStore+Identity.swift
    var users: [UUID: User] = [:]
    var organizationMembers: [OrganizationMemberKey: OrganizationMember] = [:]
    var workspaceMembers: [WorkspaceMemberKey: WorkspaceMember] = [:]
    var sessions: [UUID: UserSession] = [:]
    var invitationsById: [UUID: Invitation] = [:]
    var audit: [AuditEvent] = []
    struct OrganizationMemberKey: Hashable { var organizationId: UUID; var userId: UUID }
    struct WorkspaceMemberKey: Hashable { var workspaceId: UUID; var userId: UUID }

    public init() {}

    public func bootstrapDefaultWorkspace() async throws -> Workspace {
        if let existing = workspaces.values.min(by: { $0.createdAt < $1.createdAt }) { return existing }
        let org = Organization(name: "Default Organization")
        organizations[org.id] = org
        let ws = Workspace(organizationId: org.id, name: "Default Workspace")
        workspaces[ws.id] = ws
        return ws
    }

    public func workspace(id: UUID) async throws -> Workspace? { workspaces[id] }
    public func organization(id: UUID) async throws -> Organization? { organizations[id] }

    public func createWorkspace(_ ws: Workspace) async throws {
        guard organizations[ws.organizationId] != nil else {
            throw StoreError(.notFound, "organization \(ws.organizationId.lowercased) not found")
        }
        if workspaces[ws.id] != nil { throw StoreError(.conflict, "a workspace with id \(ws.id.lowercased) already exists") }
        if let handle = ws.handle, workspaces.values.contains(where: { $0.handle == handle }) {
            throw StoreError(.conflict, "the handle '\(handle)' is taken")
        }
        workspaces[ws.id] = ws
    }

    public func workspace(handle: String) async throws -> Workspace? {
        workspaces.values.first { $0.handle == handle }
    }

    public func setWorkspaceHandle(_ handle: String, workspaceId: UUID) async throws -> Workspace {
        guard var ws = workspaces[workspaceId] else { throw StoreError(.notFound, "workspace \(workspaceId.lowercased) not found") }
        if workspaces.values.contains(where: { $0.handle == handle && $0.id != workspaceId }) {
            throw StoreError(.conflict, "the handle '\(handle)' is taken")
        }
        ws.handle = handle
        workspaces[workspaceId] = ws
        return ws
    }

    public func createAPIKey(_ key: APIKey) async throws {
        guard !keys.values.contains(where: { $0.hash == key.hash }) else {
            throw StoreError(.conflict, "an API key with this secret already exists")
        }
        keys[key.id] = key
    }

    public func apiKey(hash: String) async throws -> APIKey? {
        keys.values.first { $0.hash == hash && $0.revokedAt == nil }
    }

    public func apiKeyCount(tenantId: UUID) async throws -> Int {
        keys.values.filter { $0.tenantId == tenantId && $0.revokedAt == nil }.count
    }

    public func touchAPIKey(id: UUID, at: Timestamp) async throws {
        keys[id]?.lastUsedAt = at
    }

    // MARK: projects

    public func createProject(_ project: Project) async throws {
        if projects[project.id] != nil {
            throw StoreError(.conflict, "a project with id \(project.id.lowercased) already exists")
        }
        if projects.values.contains(where: { $0.tenantId == project.tenantId && $0.name == project.name }) {
            throw StoreError(.conflict, "a project named '\(project.name)' already exists")
        }
        projects[project.id] = project
    }

    public func project(id: UUID, tenantId: UUID) async throws -> Project? {
        projects[id].flatMap { $0.tenantId == tenantId ? $0 : nil }
    }

    public func project(name: String, tenantId: UUID) async throws -> Project? {
        projects.values.first { $0.tenantId == tenantId && $0.name == name }
    }

    public func projectNamed(_ name: String, tenantId: UUID) async throws -> Project {
        if let p = try await project(name: name, tenantId: tenantId) { return p }
        let p = Project(tenantId: tenantId, name: name)
        projects[p.id] = p
        return p
    }

    public func listProjects(_ q: ProjectQuery) async throws -> [Project] {
        let rows = projects.values.filter { p in
            guard p.tenantId == q.tenantId else { return false }
            if let ids = q.ids, !ids.contains(p.id) { return false }
            if let name = q.name, p.name != name { return false }
            if let c = q.nameContains, !p.name.lowercased().contains(c.lowercased()) { return false }
            if let d = q.referenceDatasetId, p.referenceDatasetId != d { return false }
            if let free = q.referenceFree, (p.referenceDatasetId == nil) != free { return false }
            if let m = q.metadata, !p.metadata.containsAll(m) { return false }
            return true
        }
        let sorted = rows.sorted { a, b in
            let ka = (a.startTime, a.id.lowercased), kb = (b.startTime, b.id.lowercased)
            return q.sortByDesc ? ka > kb : ka < kb
        }
        return Array(sorted.dropFirst(q.offset).prefix(q.limit))
    }

    public func updateProject(_ project: Project) async throws {
        guard let existing = projects[project.id], existing.tenantId == project.tenantId else {
            throw StoreError(.notFound, "project \(project.id.lowercased) not found")
        }
        if projects.values.contains(where: { $0.tenantId == project.tenantId && $0.name == project.name && $0.id != project.id }) {
            throw StoreError(.conflict, "a project named '\(project.name)' already exists")
        }
        projects[project.id] = project
    }

    public func deleteProject(id: UUID, tenantId: UUID) async throws -> Bool {
        guard let p = projects[id], p.tenantId == tenantId else { return false }
        projects[id] = nil
        return true
    }

    // MARK: shares

    public func shareRun(_ share: RunShare) async throws -> RunShare {
        if let existing = shares.values.first(where: { $0.runId == share.runId && $0.tenantId == share.tenantId }) {
            return existing
        }
        shares[share.token] = share
        return share
    }

    public func runShare(runId: UUID, tenantId: UUID) async throws -> RunShare? {
        shares.values.first { $0.runId == runId && $0.tenantId == tenantId }
    }

    public func runShare(token: UUID) async throws -> RunShare? { shares[token] }

    public func unshareRun(runId: UUID, tenantId: UUID) async throws {
        for (token, s) in shares where s.runId == runId && s.tenantId == tenantId { shares[token] = nil }
    }
}
