import AnvilCore
import Foundation

/// How prompt listings are ordered (`sort_field`). Ties fall back to `updated_at` descending,
/// then id descending, on every backend.
public enum PromptSortField: String, Sendable, Hashable, CaseIterable {
    case updatedAt = "updated_at"
    case numLikes = "num_likes"
    case numDownloads = "num_downloads"
    case numViews = "num_views"
}

/// What `GET /repos` filters on.
public struct PromptRepoQuery: Sendable, Hashable {
    public enum Scope: Sendable, Hashable {
        /// Every prompt of one workspace, private ones included.
        case workspace(UUID)
        /// Public prompts of every workspace, or of one (`owner`).
        case publicPrompts(owner: UUID?)
    }

    public var scope: Scope
    /// The workspace asking: decides `likedByViewer`.
    public var viewer: UUID
    /// Case-insensitive (ASCII) substring of the name or the description.
    public var search: String?
    public var isPublic: Bool?
    /// nil: archived and live prompts alike.
    public var isArchived: Bool?
    /// Prompts carrying every one of these labels.
    public var tags: [String]?
    public var hasCommits: Bool?
    public var sort: PromptSortField = .updatedAt
    public var ascending = false
    public var offset = 0
    public var limit = 100

    public init(scope: Scope, viewer: UUID) {
        self.scope = scope
        self.viewer = viewer
    }
}

/// A prompt with the counters derived from its commits and likes.
public struct PromptRepoSummary: Sendable, Hashable {
    public var repo: PromptRepo
    public var numLikes: Int
    /// Sum over the prompt's commits.
    public var numDownloads: Int
    public var numViews: Int
    public var numCommits: Int
    public var lastCommitHash: String?
    /// Whether the asking workspace likes it.
    public var likedByViewer: Bool

    public init(repo: PromptRepo, numLikes: Int = 0, numDownloads: Int = 0, numViews: Int = 0, numCommits: Int = 0,
                lastCommitHash: String? = nil, likedByViewer: Bool = false) {
        self.repo = repo
        self.numLikes = numLikes
        self.numDownloads = numDownloads
        self.numViews = numViews
        self.numCommits = numCommits
        self.lastCommitHash = lastCommitHash
        self.likedByViewer = likedByViewer
    }
}

/// What creating a commit did. The parent check and the insert are one atomic step, so two
/// clients committing on the same head cannot both win.
public enum PromptCommitOutcome: Sendable, Hashable {
    /// The commit is now the head.
    case created(PromptCommit)
    /// The manifest is byte-for-byte the head's: nothing was committed; this is the head.
    case unchanged(PromptCommit)
    /// The commit's parent is not the current head (nil: the prompt has no commits yet).
    case staleParent(head: PromptCommit?)
}

/// The prompt hub: prompts, their commit chains, commit tags and likes (Postgres in LangSmith).
/// Every method is scoped by the prompt's workspace (`tenantId`); cross-workspace reads of public
/// prompts go through ``PromptRepoQuery/Scope/publicPrompts(owner:)`` or an explicit owner id.
public protocol PromptStore: Sendable {
    /// Throws `StoreError.conflict` when the name (per workspace) or id is taken.
    func createPrompt(_ repo: PromptRepo) async throws
    func prompt(handle: String, tenantId: UUID, viewer: UUID) async throws -> PromptRepoSummary?
    /// One page and the total number of matches.
    func listPrompts(_ query: PromptRepoQuery) async throws -> (prompts: [PromptRepoSummary], total: Int)
    /// Writes the editable fields (description, readme, tags, public, archived, updated_at).
    func updatePrompt(_ repo: PromptRepo) async throws
    /// Removes the prompt with its commits, tags and likes.
    func deletePrompt(id: UUID, tenantId: UUID) async throws -> Bool

    /// Appends `commit` if `commit.parentHash` is the current head's hash (nil for the first
    /// commit); sets `parentId` and bumps the prompt's `updated_at` to `commit.createdAt`.
    func createCommit(_ commit: PromptCommit) async throws -> PromptCommitOutcome
    /// Newest first, and the total number of commits.
    func commits(repoId: UUID, tenantId: UUID, limit: Int, offset: Int) async throws -> (commits: [PromptCommit], total: Int)
    func latestCommit(repoId: UUID, tenantId: UUID) async throws -> PromptCommit?
    func commit(id: UUID, repoId: UUID, tenantId: UUID) async throws -> PromptCommit?
    /// Commits whose hash starts with `prefix` (lowercase hex), at most `limit` of them.
    func commits(repoId: UUID, tenantId: UUID, hashPrefix: String, limit: Int) async throws -> [PromptCommit]
    /// Counts a pull (`view == false`) or a web view of a commit.
    func recordCommitRead(commitId: UUID, tenantId: UUID, view: Bool) async throws

    /// Points `name` at the commit (creating or moving the tag). `StoreError.notFound` when the
    /// commit is not one of the prompt's.
    func setTag(_ name: String, commitId: UUID, repoId: UUID, tenantId: UUID, at: Timestamp) async throws -> PromptTag
    /// Ordered by name.
    func tags(repoId: UUID, tenantId: UUID) async throws -> [PromptTag]
    func tag(_ name: String, repoId: UUID, tenantId: UUID) async throws -> PromptTag?
    func deleteTag(_ name: String, repoId: UUID, tenantId: UUID) async throws -> Bool

    /// Records that workspace `liker` likes (or no longer likes) the prompt; returns its like
    /// count. `StoreError.notFound` when the prompt does not exist.
    func setLike(_ like: Bool, repoId: UUID, tenantId: UUID, liker: UUID) async throws -> Int
}
