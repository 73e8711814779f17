import Foundation

/// A prompt in the hub (LangSmith's "repo"): a named, versioned LangChain manifest owned by one
/// workspace. Its content lives in ``PromptCommit``s; the repo row only holds what users edit.
public struct PromptRepo: Sendable, Hashable {
    public var id: UUID
    public var tenantId: UUID
    /// The prompt's name, unique per workspace (`repo_handle` on the wire).
    public var handle: String
    public var description: String?
    public var readme: String?
    /// Free-form labels on the prompt (not commit tags).
    public var tags: [String]
    /// Public prompts are readable by every workspace as `<owner handle>/<name>`.
    public var isPublic: Bool
    /// Archived prompts are hidden from the default listing.
    public var isArchived: Bool
    public var createdAt: Timestamp
    /// Bumped by metadata edits and by every new commit.
    public var updatedAt: Timestamp

    public init(
        id: UUID = UUID(), tenantId: UUID, handle: String, description: String? = nil, readme: String? = nil,
        tags: [String] = [], isPublic: Bool = false, isArchived: Bool = false, createdAt: Timestamp = .now()
    ) {
        self.id = id
        self.tenantId = tenantId
        self.handle = handle
        self.description = description
        self.readme = readme
        self.tags = tags
        self.isPublic = isPublic
        self.isArchived = isArchived
        self.createdAt = createdAt
        self.updatedAt = createdAt
    }

    /// What a prompt name may be: 1–128 characters of letters, digits, `-`, `_` and `.`, starting
    /// with a letter or digit — it travels as one URL path component (`/repos/{owner}/{name}`).
    public static func isValidHandle(_ s: String) -> Bool {
        let bytes = Array(s.utf8)
        guard (1...128).contains(bytes.count), isAlnum(bytes[0]) else { return false }
        return bytes.allSatisfy { isAlnum($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ".") }
    }

    static func isAlnum(_ b: UInt8) -> Bool {
        (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A)
    }
}

/// One version of a prompt. Commits form a chain: each names its parent, and its hash is the
/// SHA-256 of the parent's hash and the manifest bytes, so a hash pins the whole history.
public struct PromptCommit: Sendable, Hashable {
    public var id: UUID
    public var tenantId: UUID
    public var repoId: UUID
    /// 64 lowercase hex digits.
    public var hash: String
    public var parentId: UUID?
    public var parentHash: String?
    /// The manifest exactly as it was pushed (LangChain's serialization), returned verbatim.
    public var manifest: RawJSON
    public var description: String?
    public var createdAt: Timestamp
    /// API pulls of this commit.
    public var numDownloads: Int
    /// Web views of this commit.
    public var numViews: Int

    public init(
        id: UUID = UUID(), tenantId: UUID, repoId: UUID, hash: String, parentId: UUID? = nil, parentHash: String? = nil,
        manifest: RawJSON, description: String? = nil, createdAt: Timestamp = .now(), numDownloads: Int = 0, numViews: Int = 0
    ) {
        self.id = id
        self.tenantId = tenantId
        self.repoId = repoId
        self.hash = hash
        self.parentId = parentId
        self.parentHash = parentHash
        self.manifest = manifest
        self.description = description
        self.createdAt = createdAt
        self.numDownloads = numDownloads
        self.numViews = numViews
    }
}

/// A named pointer to a commit of a prompt (`prod`, `v2`, …). Tags move: setting an existing tag
/// points it at the new commit.
public struct PromptTag: Sendable, Hashable {
    public var id: UUID
    public var tenantId: UUID
    public var repoId: UUID
    public var name: String
    public var commitId: UUID
    public var commitHash: String
    public var createdAt: Timestamp
    public var updatedAt: Timestamp

    public init(
        id: UUID = UUID(), tenantId: UUID, repoId: UUID, name: String, commitId: UUID, commitHash: String,
        createdAt: Timestamp, updatedAt: Timestamp
    ) {
        self.id = id
        self.tenantId = tenantId
        self.repoId = repoId
        self.name = name
        self.commitId = commitId
        self.commitHash = commitHash
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}
