import AnvilCore
import AnvilStorage
import Foundation
import Logging

/// The embedded metadata store on SQLite (`metadata.sqlite` in the data directory).
public final class SQLiteMetadataStore: TenantStore, ProjectStore, ShareStore {
    let db: SQLiteDatabase

    public init(path: String, logger: Logger) throws {
        db = try SQLiteDatabase(path: path, readers: 2, migrations: MetadataMigrations.all, logger: logger)
    }

    // MARK: tenancy

    public func bootstrapDefaultWorkspace() async throws -> Workspace {
        try await db.write { conn in
            try conn.transaction {
                if let ws = try Self.workspaces(conn, "SELECT id, organization_id, name, handle, created_at FROM workspaces ORDER BY created_at, id LIMIT 1", []).first {
                    return ws
                }
                let org = Organization(name: "Default Organization")
                try conn.run("INSERT INTO organizations (id, name, created_at) VALUES (?, ?, ?)",
                             [.uuid(org.id), .text(org.name), .time(org.createdAt)])
                let ws = Workspace(organizationId: org.id, name: "Default Workspace")
                try conn.run("INSERT INTO workspaces (id, organization_id, name, handle, created_at) VALUES (?, ?, ?, ?, ?)",
                             [.uuid(ws.id), .uuid(org.id), .text(ws.name), .text(ws.handle), .time(ws.createdAt)])
                return ws
            }
        }
    }

    static func workspaces(_ conn: SQLiteConnection, _ sql: String, _ bindings: [SQLiteValue]) throws -> [Workspace] {
        var out: [Workspace] = []
        try conn.query(sql, bindings) { row in
            out.append(Workspace(
                id: row.uuid(0)!, organizationId: row.uuid(1)!, name: row.string(2) ?? "", handle: row.string(3),
                createdAt: Timestamp(microseconds: row.int(4) ?? 0)))
        }
        return out
    }

    public func workspace(id: UUID) async throws -> Workspace? {
        try await db.read { conn in
            try Self.workspaces(conn, "SELECT id, organization_id, name, handle, created_at FROM workspaces WHERE id = ?", [.uuid(id)]).first
        }
    }

    public func createWorkspace(_ ws: Workspace) async throws {
        try await db.write { conn in
            try conn.transaction {
                guard try conn.scalarInt("SELECT count(*) FROM organizations WHERE id = ?", [.uuid(ws.organizationId)]) == 1 else {
                    throw StoreError(.notFound, "organization \(ws.organizationId.lowercased) not found")
                }
                do {
                    try conn.run("INSERT INTO workspaces (id, organization_id, name, handle, created_at) VALUES (?, ?, ?, ?, ?)",
                                 [.uuid(ws.id), .uuid(ws.organizationId), .text(ws.name), .text(ws.handle), .time(ws.createdAt)])
                } catch let e as SQLiteError where e.isConstraintViolation {
                    throw StoreError(.conflict, "a workspace with id \(ws.id.lowercased) or handle '\(ws.handle ?? "")' already exists")
                }
            }
        }
    }

    public func workspace(handle: String) async throws -> Workspace? {
        try await db.read { conn in
            try Self.workspaces(conn, "SELECT id, organization_id, name, handle, created_at FROM workspaces WHERE handle = ?", [.text(handle)]).first
        }
    }

    public func setWorkspaceHandle(_ handle: String, workspaceId: UUID) async throws -> Workspace {
        try await db.write { conn in
            do {
                guard try conn.run("UPDATE workspaces SET handle = ? WHERE id = ?", [.text(handle), .uuid(workspaceId)]) > 0 else {
                    throw StoreError(.notFound, "workspace \(workspaceId.lowercased) not found")
                }
            } catch let e as SQLiteError where e.isConstraintViolation {
                throw StoreError(.conflict, "the handle '\(handle)' is taken")
            }
            guard let ws = try Self.workspaces(conn, "SELECT id, organization_id, name, handle, created_at FROM workspaces WHERE id = ?", [.uuid(workspaceId)]).first else {
                throw StoreError(.notFound, "workspace \(workspaceId.lowercased) not found")
            }
            return ws
        }
    }

    public func organization(id: UUID) async throws -> Organization? {
        try await db.read { conn in
            var out: Organization?
            try conn.query("SELECT id, name, created_at FROM organizations WHERE id = ?", [.uuid(id)]) { row in
                out = Organization(id: row.uuid(0)!, name: row.string(1) ?? "", createdAt: Timestamp(microseconds: row.int(2) ?? 0))
            }
            return out
        }
    }

    public func createAPIKey(_ key: APIKey) async throws {
        try await db.write { conn in
            do {
                try conn.run(
                    "INSERT INTO api_keys (\(Self.apiKeyColumns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [.uuid(key.id), .uuid(key.tenantId), .text(key.hash), .text(key.shortKey), .text(key.description),
                     .time(key.createdAt), .time(key.lastUsedAt), .time(key.revokedAt), .text(key.kind.rawValue),
                     .uuid(key.userId), .text(key.role.rawValue)])
            } catch let e as SQLiteError where e.isConstraintViolation {
                throw StoreError(.conflict, "an API key with this secret already exists")
            }
        }
    }

    static let apiKeyColumns = "id, tenant_id, key_hash, short_key, description, created_at, last_used_at, revoked_at, kind, user_id, role"

    static func decodeAPIKey(_ row: SQLiteRow) -> APIKey {
        APIKey(
            id: row.uuid(0)!, tenantId: row.uuid(1)!, kind: APIKey.Kind(rawValue: row.string(8) ?? "") ?? .service,
            userId: row.uuid(9), role: WorkspaceRole(rawValue: row.string(10) ?? "") ?? .viewer,
            hash: row.string(2) ?? "", shortKey: row.string(3) ?? "", description: row.string(4) ?? "",
            createdAt: Timestamp(microseconds: row.int(5) ?? 0), lastUsedAt: row.int(6).map(Timestamp.init(microseconds:)),
            revokedAt: row.int(7).map(Timestamp.init(microseconds:)))
    }

    func apiKeys(_ sql: String, _ bindings: [SQLiteValue]) async throws -> [APIKey] {
        try await db.read { conn in
            var out: [APIKey] = []
            try conn.query(sql, bindings) { row in out.append(Self.decodeAPIKey(row)) }
            return out
        }
    }

    public func apiKey(hash: String) async throws -> APIKey? {
        try await apiKeys("SELECT \(Self.apiKeyColumns) FROM api_keys WHERE key_hash = ? AND revoked_at IS NULL", [.text(hash)]).first
    }

    public func apiKeyCount(tenantId: UUID) async throws -> Int {
        try await db.read { conn in
            Int(try conn.scalarInt("SELECT count(*) FROM api_keys WHERE tenant_id = ? AND revoked_at IS NULL", [.uuid(tenantId)]) ?? 0)
        }
    }

    public func touchAPIKey(id: UUID, at: Timestamp) async throws {
        _ = try await db.write { conn in
            try conn.run("UPDATE api_keys SET last_used_at = ? WHERE id = ?", [.time(at), .uuid(id)])
        }
    }

    // MARK: projects

    static let projectColumns = "id, tenant_id, name, description, extra, start_time, end_time, reference_dataset_id, default_dataset_id"

    static func decodeProject(_ row: SQLiteRow) -> Project {
        Project(
            id: row.uuid(0)!, tenantId: row.uuid(1)!, name: row.string(2) ?? "", description: row.string(3),
            extra: row.bytes(4).flatMap { try? JSON.parse($0) }, startTime: Timestamp(microseconds: row.int(5) ?? 0),
            endTime: row.int(6).map(Timestamp.init(microseconds:)), referenceDatasetId: row.uuid(7), defaultDatasetId: row.uuid(8))
    }

    static func projectValues(_ p: Project) -> [SQLiteValue] {
        [.uuid(p.id), .uuid(p.tenantId), .text(p.name), .text(p.description), .json(p.extra), .time(p.startTime),
         .time(p.endTime), .uuid(p.referenceDatasetId), .uuid(p.defaultDatasetId)]
    }

    public func createProject(_ project: Project) async throws {
        try await db.write { conn in
            do {
                try conn.run("INSERT INTO projects (\(Self.projectColumns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", Self.projectValues(project))
            } catch let e as SQLiteError where e.isConstraintViolation {
                throw StoreError(.conflict, "a project named '\(project.name)' (or with id \(project.id.lowercased)) already exists")
            }
        }
    }

    func projects(_ sql: String, _ bindings: [SQLiteValue]) async throws -> [Project] {
        try await db.read { conn in
            var out: [Project] = []
            try conn.query(sql, bindings) { row in out.append(Self.decodeProject(row)) }
            return out
        }
    }

    public func project(id: UUID, tenantId: UUID) async throws -> Project? {
        try await projects("SELECT \(Self.projectColumns) FROM projects WHERE id = ? AND tenant_id = ?", [.uuid(id), .uuid(tenantId)]).first
    }

    public func project(name: String, tenantId: UUID) async throws -> Project? {
        try await projects("SELECT \(Self.projectColumns) FROM projects WHERE name = ? AND tenant_id = ?", [.text(name), .uuid(tenantId)]).first
    }

    public func projectNamed(_ name: String, tenantId: UUID) async throws -> Project {
        if let p = try await project(name: name, tenantId: tenantId) { return p }
        let candidate = Project(tenantId: tenantId, name: name)
        return try await db.write { conn in
            try conn.run(
                "INSERT INTO projects (\(Self.projectColumns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (tenant_id, name) DO NOTHING",
                Self.projectValues(candidate))
            var out: Project?
            try conn.query("SELECT \(Self.projectColumns) FROM projects WHERE name = ? AND tenant_id = ?", [.text(name), .uuid(tenantId)]) { row in
                out = Self.decodeProject(row)
            }
            guard let out else { throw StoreError(.notFound, "project '\(name)' vanished while being created") }
            return out
        }
    }

    public func listProjects(_ q: ProjectQuery) async throws -> [Project] {
        var conditions = ["tenant_id = ?"]
        var bindings: [SQLiteValue] = [.uuid(q.tenantId)]
        if let ids = q.ids {
            conditions.append(ids.isEmpty ? "0" : "id IN (\(Array(repeating: "?", count: ids.count).joined(separator: ", ")))")
            bindings += ids.map { .uuid($0) }
        }
        if let name = q.name { conditions.append("name = ?"); bindings.append(.text(name)) }
        if let c = q.nameContains { conditions.append("instr(lower(name), lower(?)) > 0"); bindings.append(.text(c)) }
        if let d = q.referenceDatasetId { conditions.append("reference_dataset_id = ?"); bindings.append(.uuid(d)) }
        if let free = q.referenceFree { conditions.append(free ? "reference_dataset_id IS NULL" : "reference_dataset_id IS NOT NULL") }
        // Metadata values equal as JSON, as `has(metadata, …)` compares them (numbers numerically,
        // objects whatever their key order); keys are matched as data, since a JSON path cannot
        // spell every key.
        for key in (q.metadata ?? [:]).keys.sorted() {
            var json = SQLitePredicateCompiler(alias: "projects")
            let member = json.nextAlias()
            let equal = json.jsonEquals(type: "\(member).type", value: "\(member).value", q.metadata![key]!)
            conditions.append("""
                EXISTS (SELECT 1 FROM json_each(extra, '$.metadata') AS \(member) \
                WHERE json_type(extra, '$.metadata') = 'object' AND \(member).key = ? AND \(equal))
                """)
            bindings.append(.text(key))
            bindings += json.bindings
        }
        let order = q.sortByDesc ? "DESC" : "ASC"
        return try await projects(
            "SELECT \(Self.projectColumns) FROM projects WHERE \(conditions.joined(separator: " AND ")) ORDER BY start_time \(order), id \(order) LIMIT \(max(0, q.limit)) OFFSET \(max(0, q.offset))",
            bindings)
    }

    public func updateProject(_ project: Project) async throws {
        try await db.write { conn in
            do {
                let changed = try conn.run(
                    "UPDATE projects SET name = ?, description = ?, extra = ?, start_time = ?, end_time = ?, reference_dataset_id = ?, default_dataset_id = ? WHERE id = ? AND tenant_id = ?",
                    [.text(project.name), .text(project.description), .json(project.extra), .time(project.startTime),
                     .time(project.endTime), .uuid(project.referenceDatasetId), .uuid(project.defaultDatasetId),
                     .uuid(project.id), .uuid(project.tenantId)])
                guard changed > 0 else { throw StoreError(.notFound, "project \(project.id.lowercased) not found") }
            } catch let e as SQLiteError where e.isConstraintViolation {
                throw StoreError(.conflict, "a project named '\(project.name)' already exists")
            }
        }
    }

    public func deleteProject(id: UUID, tenantId: UUID) async throws -> Bool {
        try await db.write { conn in
            try conn.run("DELETE FROM projects WHERE id = ? AND tenant_id = ?", [.uuid(id), .uuid(tenantId)]) > 0
        }
    }

    // MARK: shares

    public func shareRun(_ share: RunShare) async throws -> RunShare {
        try await db.write { conn in
            try conn.run(
                "INSERT INTO run_shares (token, tenant_id, run_id, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (tenant_id, run_id) DO NOTHING",
                [.uuid(share.token), .uuid(share.tenantId), .uuid(share.runId), .time(share.createdAt)])
            var out = share
            try conn.query("SELECT token, created_at FROM run_shares WHERE tenant_id = ? AND run_id = ?", [.uuid(share.tenantId), .uuid(share.runId)]) { row in
                out = RunShare(token: row.uuid(0)!, tenantId: share.tenantId, runId: share.runId, createdAt: Timestamp(microseconds: row.int(1) ?? 0))
            }
            return out
        }
    }

    private func share(_ sql: String, _ bindings: [SQLiteValue]) async throws -> RunShare? {
        try await db.read { conn in
            var out: RunShare?
            try conn.query(sql, bindings) { row in
                out = RunShare(token: row.uuid(0)!, tenantId: row.uuid(1)!, runId: row.uuid(2)!, createdAt: Timestamp(microseconds: row.int(3) ?? 0))
            }
            return out
        }
    }

    public func runShare(runId: UUID, tenantId: UUID) async throws -> RunShare? {
        try await share("SELECT token, tenant_id, run_id, created_at FROM run_shares WHERE run_id = ? AND tenant_id = ?", [.uuid(runId), .uuid(tenantId)])
    }

    public func runShare(token: UUID) async throws -> RunShare? {
        try await share("SELECT token, tenant_id, run_id, created_at FROM run_shares WHERE token = ?", [.uuid(token)])
    }

    public func unshareRun(runId: UUID, tenantId: UUID) async throws {
        try await db.write { conn in
            _ = try conn.run("DELETE FROM run_shares WHERE run_id = ? AND tenant_id = ?", [.uuid(runId), .uuid(tenantId)])
        }
    }
}
