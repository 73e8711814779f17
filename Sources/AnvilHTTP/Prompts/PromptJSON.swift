import AnvilCore
import AnvilStorage
import Foundation

/// LangSmith's prompt hub shapes: `RepoWithLookups` (the SDK's `Prompt`), `CommitWithLookups`,
/// the pull response (`PromptCommit`) and `RepoTag`.
enum PromptJSON {
    /// `owner` is the handle of the prompt's workspace (nil when it has none).
    static func write(_ s: PromptRepoSummary, owner: String?, into w: inout JSONWriter) {
        let r = s.repo
        w.beginObject()
        w.key("repo_handle"); w.string(r.handle)
        w.key("description"); w.string(r.description)
        w.key("readme"); w.string(r.readme)
        w.key("id"); w.string(r.id.lowercased)
        w.key("tenant_id"); w.string(r.tenantId.lowercased)
        w.key("created_at"); w.string(r.createdAt.iso8601)
        w.key("updated_at"); w.string(r.updatedAt.iso8601)
        w.key("is_public"); w.bool(r.isPublic)
        w.key("is_archived"); w.bool(r.isArchived)
        w.key("tags"); w.stringArray(r.tags)
        w.key("original_repo_id"); w.null()
        w.key("upstream_repo_id"); w.null()
        w.key("original_repo_full_name"); w.null()
        w.key("upstream_repo_full_name"); w.null()
        w.key("owner"); w.string(owner)
        w.key("full_name"); w.string(fullName(owner: owner, handle: r.handle))
        w.key("num_likes"); w.int(s.numLikes)
        w.key("num_downloads"); w.int(s.numDownloads)
        w.key("num_views"); w.int(s.numViews)
        w.key("liked_by_auth_user"); w.bool(s.likedByViewer)
        w.key("last_commit_hash"); w.string(s.lastCommitHash)
        w.key("num_commits"); w.int(s.numCommits)
        w.key("repo_type"); w.string("prompt")
        w.key("restricted_mode"); w.bool(false)
        w.endObject()
    }

    static func fullName(owner: String?, handle: String) -> String {
        owner.map { "\($0)/\(handle)" } ?? handle
    }

    /// `{"repo": …}`.
    static func repoResponse(_ s: PromptRepoSummary, owner: String?) -> [UInt8] {
        var w = JSONWriter()
        w.beginObject()
        w.key("repo")
        write(s, owner: owner, into: &w)
        w.endObject()
        return w.bytes
    }

    /// A commit as listed or created (`CommitWithLookups`); `manifest` as the reader should see it.
    static func write(_ c: PromptCommit, manifest: RawJSON, into w: inout JSONWriter) {
        w.beginObject()
        w.key("id"); w.string(c.id.lowercased)
        w.key("commit_hash"); w.string(c.hash)
        w.key("parent_id"); w.string(c.parentId?.lowercased)
        w.key("parent_commit_hash"); w.string(c.parentHash)
        w.key("repo_id"); w.string(c.repoId.lowercased)
        w.key("manifest"); w.raw(manifest.bytes)
        w.key("description"); w.string(c.description)
        w.key("created_at"); w.string(c.createdAt.iso8601)
        w.key("updated_at"); w.string(c.createdAt.iso8601)
        w.key("num_downloads"); w.int(c.numDownloads)
        w.key("num_views"); w.int(c.numViews)
        w.key("example_run_ids"); w.beginArray(); w.endArray()
        w.endObject()
    }

    /// What `GET /commits/{owner}/{repo}/{ref}` returns (the SDK's `PromptCommit`).
    static func pull(_ c: PromptCommit, manifest: RawJSON) -> [UInt8] {
        var w = JSONWriter(capacity: manifest.bytes.count + 256)
        w.beginObject()
        w.key("commit_hash"); w.string(c.hash)
        w.key("manifest"); w.raw(manifest.bytes)
        w.key("examples"); w.beginArray(); w.endArray()
        w.key("description"); w.string(c.description)
        w.key("model_config"); w.null()
        w.key("model_provider"); w.null()
        w.key("is_draft"); w.bool(false)
        w.key("id"); w.string(c.id.lowercased)
        w.key("parent_commit_hash"); w.string(c.parentHash)
        w.key("created_at"); w.string(c.createdAt.iso8601)
        w.endObject()
        return w.bytes
    }

    static func write(_ t: PromptTag, into w: inout JSONWriter) {
        w.beginObject()
        w.key("id"); w.string(t.id.lowercased)
        w.key("repo_id"); w.string(t.repoId.lowercased)
        w.key("commit_id"); w.string(t.commitId.lowercased)
        w.key("commit_hash"); w.string(t.commitHash)
        w.key("tag_name"); w.string(t.name)
        w.key("created_at"); w.string(t.createdAt.iso8601)
        w.key("updated_at"); w.string(t.updatedAt.iso8601)
        w.endObject()
    }
}
