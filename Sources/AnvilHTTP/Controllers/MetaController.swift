import AnvilCore
import AnvilStorage
import Foundation
import Hummingbird

/// What the server is and can do: `/info` (unauthenticated, read by every SDK client), `/health`.
struct ServerInfo: Sendable {
    /// The LangSmith API version Anvil answers as (SDK features switch on it; ≥ 0.8.10 enables
    /// multipart feedback).
    var apiVersion = "0.12.0"
    var anvilVersion: String
    var zstdEnabled: Bool
}

struct MetaController: Sendable {
    let info: ServerInfo

    func addRoutes(to group: RouterGroup<AnvilRequestContext>) {
        group.get("info", use: infoHandler)
        group.get("health", use: health)
        group.get("ok", use: health)
    }

    @Sendable func infoHandler(request: Request, context: AnvilRequestContext) async throws -> Response {
        .json { w in
            w.beginObject()
            w.key("version"); w.string(info.apiVersion)
            w.key("anvil_version"); w.string(info.anvilVersion)
            w.key("git_sha"); w.null()
            w.key("license_expiration_time"); w.null()
            // All six keys: the Python SDK indexes them directly once the object is present.
            w.key("batch_ingest_config")
            w.beginObject()
            w.key("use_multipart_endpoint"); w.bool(true)
            w.key("scale_up_qsize_trigger"); w.int(1000)
            w.key("scale_up_nthreads_limit"); w.int(16)
            w.key("scale_down_nempty_trigger"); w.int(4)
            w.key("size_limit"); w.int(100)
            w.key("size_limit_bytes"); w.int(20_971_520)
            w.endObject()
            w.key("instance_flags")
            w.beginObject()
            w.key("zstd_compression_enabled"); w.bool(info.zstdEnabled)
            w.key("gzip_body_enabled"); w.bool(true)
            w.key("dataset_examples_multipart_enabled"); w.bool(true)
            w.key("examples_multipart_enabled"); w.bool(true)
            w.endObject()
            w.key("customer_info"); w.null()
            w.endObject()
        }
    }

    @Sendable func health(request: Request, context: AnvilRequestContext) async throws -> Response {
        .json(["status": "ok"])
    }
}

/// `/settings`: the workspace as the SDK's prompt hub code reads it, and its hub handle (the
/// `owner` of its public prompts).
struct SettingsController: Sendable {
    let tenants: any TenantStore

    func addRoutes(to group: RouterGroup<TenantContext>) {
        group.get("settings", use: get)
        group.post("settings/handle", use: setHandle)
        group.patch("settings/handle", use: setHandle)
    }

    func respond(_ ws: Workspace) -> Response {
        .json([
            "id": .string(ws.id.lowercased), "display_name": .string(ws.name),
            "created_at": .string(ws.createdAt.iso8601), "tenant_handle": ws.handle.map { .string($0) } ?? .null,
        ])
    }

    @Sendable func get(request: Request, context: TenantContext) async throws -> Response {
        guard let ws = try await tenants.workspace(id: context.tenantId) else { throw APIError.notFound("workspace") }
        return respond(ws)
    }

    @Sendable func setHandle(request: Request, context: TenantContext) async throws -> Response {
        var request = request
        let b = try await request.jsonObject()
        guard let handle = try b.string("tenant_handle") else { throw APIError.unprocessable("tenant_handle is required") }
        guard Workspace.isValidHandle(handle) else {
            throw APIError.unprocessable("tenant_handle must be 3–64 characters of lowercase letters, digits, '-' and '_'")
        }
        do {
            return respond(try await tenants.setWorkspaceHandle(handle, workspaceId: context.tenantId))
        } catch let e as StoreError where e.code == .conflict {
            throw APIError(.conflict, "the handle '\(handle)' is taken by another workspace")
        }
    }
}
