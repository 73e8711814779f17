import AnvilCore
import AnvilIngest
import AnvilStorage
import Foundation
import Hummingbird

/// `/sessions`: tracing projects (and experiments) with their stats.
struct SessionsController: Sendable {
    let projects: any ProjectStore
    let traces: any TraceStore
    let resolver: ProjectResolver

    func addRoutes(to group: RouterGroup<TenantContext>) {
        group.post("sessions", use: create)
        group.get("sessions", use: list)
        group.delete("sessions", use: deleteMany)
        group.get("sessions/:id", use: get)
        group.patch("sessions/:id", use: update)
        group.delete("sessions/:id", use: delete)
    }

    @Sendable func create(request: Request, context: TenantContext) async throws -> Response {
        var request = request
        let body = try await request.jsonObject()
        let upsert = try request.query.bool("upsert") ?? false
        let name = try body.string("name") ?? "project-\(UUID().uuidString.prefix(8).lowercased())"
        guard !name.trimmingCharacters(in: .whitespaces).isEmpty else { throw APIError.unprocessable("name must not be empty") }
        var project = Project(
            id: try body.uuid("id") ?? UUID(), tenantId: context.tenantId, name: name,
            description: try body.string("description"), extra: try body.object("extra").map { .object($0) },
            startTime: try body.time("start_time") ?? .now(), endTime: try body.time("end_time"),
            referenceDatasetId: try body.uuid("reference_dataset_id"), defaultDatasetId: try body.uuid("default_dataset_id"))
        if let extraMetadata = try body.object("metadata") {
            var extra = project.extra?.objectValue ?? [:]
            extra["metadata"] = .object(extraMetadata)
            project.extra = .object(extra)
        }
        do {
            try await projects.createProject(project)
        } catch let e as StoreError where e.code == .conflict && upsert {
            guard var existing = try await projects.project(name: name, tenantId: context.tenantId) else { throw e }
            existing.description = project.description ?? existing.description
            existing.extra = project.extra ?? existing.extra
            existing.referenceDatasetId = project.referenceDatasetId ?? existing.referenceDatasetId
            existing.defaultDatasetId = project.defaultDatasetId ?? existing.defaultDatasetId
            try await projects.updateProject(existing)
            project = existing
        }
        return .json({ w in ProjectJSON.write(project, stats: nil, into: &w) }, status: .created)
    }

    @Sendable func get(request: Request, context: TenantContext) async throws -> Response {
        let id = try context.parameters.uuid("id")
        guard let project = try await projects.project(id: id, tenantId: context.tenantId) else {
            throw APIError.notFound("project \(id.lowercased)")
        }
        let includeStats = try request.query.bool("include_stats") ?? true
        let stats = includeStats ? try await traces.projectStats(projectIds: [id], tenantId: context.tenantId)[id] : nil
        return .json { w in ProjectJSON.write(project, stats: stats, into: &w) }
    }

    @Sendable func list(request: Request, context: TenantContext) async throws -> Response {
        let qp = request.query
        var q = ProjectQuery(tenantId: context.tenantId)
        q.ids = try qp.uuids("id")
        q.name = qp.string("name")
        q.nameContains = qp.string("name_contains")
        q.referenceDatasetId = try qp.uuid("reference_dataset")
        q.referenceFree = try qp.bool("reference_free")
        q.limit = try qp.int("limit", default: 100, range: 1...1000)
        q.offset = try qp.int("offset", default: 0, range: 0...Int(Int32.max))
        q.sortByDesc = try qp.bool("sort_by_desc") ?? true
        if let m = qp.string("metadata") {
            guard case .object(let o)? = try? JSON.parse(m) else {
                throw APIError.unprocessable("metadata must be a JSON object")
            }
            q.metadata = o
        }
        let rows = try await projects.listProjects(q)
        let includeStats = try qp.bool("include_stats") ?? false
        let stats = includeStats ? try await traces.projectStats(projectIds: rows.map(\.id), tenantId: context.tenantId) : [:]
        return .json { w in
            w.beginArray()
            for p in rows { ProjectJSON.write(p, stats: includeStats ? stats[p.id] : nil, into: &w) }
            w.endArray()
        }
    }

    @Sendable func update(request: Request, context: TenantContext) async throws -> Response {
        let id = try context.parameters.uuid("id")
        var request = request
        let body = try await request.jsonObject()
        guard var project = try await projects.project(id: id, tenantId: context.tenantId) else {
            throw APIError.notFound("project \(id.lowercased)")
        }
        if let name = try body.string("name") { project.name = name }
        if let description = try body.string("description") { project.description = description }
        if let extra = try body.object("extra") { project.extra = .object(extra) }
        if let end = try body.time("end_time") { project.endTime = end }
        if let d = try body.uuid("default_dataset_id") { project.defaultDatasetId = d }
        try await projects.updateProject(project)
        await resolver.forget(tenantId: context.tenantId)
        return .json { w in ProjectJSON.write(project, stats: nil, into: &w) }
    }

    @Sendable func delete(request: Request, context: TenantContext) async throws -> Response {
        let id = try context.parameters.uuid("id")
        try await remove(id, tenantId: context.tenantId)
        return .json(JSONValue.object([:]), status: .accepted)
    }

    @Sendable func deleteMany(request: Request, context: TenantContext) async throws -> Response {
        guard let ids = try request.query.uuids("session_ids") else {
            throw APIError.unprocessable("session_ids is required")
        }
        for id in ids { try await remove(id, tenantId: context.tenantId) }
        return .json(JSONValue.object([:]), status: .accepted)
    }

    func remove(_ id: UUID, tenantId: UUID) async throws {
        guard try await projects.deleteProject(id: id, tenantId: tenantId) else {
            throw APIError.notFound("project \(id.lowercased)")
        }
        await resolver.forget(tenantId: tenantId)
        try await traces.deleteProjectData(projectId: id, tenantId: tenantId)
    }
}
