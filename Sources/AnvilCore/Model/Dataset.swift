import Foundation

/// A dataset of examples (LangSmith's `Dataset`). Examples are versioned: every change to them
/// creates a version identified by its timestamp, and reads can ask for the dataset `as_of` one.
public struct Dataset: Sendable, Hashable {
    public var id: UUID
    public var tenantId: UUID
    public var name: String
    public var description: String?
    /// `kv` (default), `llm` or `chat`.
    public var dataType: String
    public var inputsSchema: JSONValue?
    public var outputsSchema: JSONValue?
    public var transformations: JSONValue?
    public var metadata: JSONValue?
    public var createdAt: Timestamp
    public var modifiedAt: Timestamp
    public var baselineExperimentId: UUID?

    public static let dataTypes: Set<String> = ["kv", "llm", "chat"]

    public init(id: UUID = UUID(), tenantId: UUID, name: String, dataType: String = "kv", createdAt: Timestamp = .now()) {
        self.id = id
        self.tenantId = tenantId
        self.name = name
        self.dataType = dataType
        self.createdAt = createdAt
        self.modifiedAt = createdAt
    }
}

/// One example as of some version: the merge of its latest revision at or before that version.
public struct Example: Sendable, Hashable {
    public var id: UUID
    public var tenantId: UUID
    public var datasetId: UUID
    public var inputs: RawJSON
    public var outputs: RawJSON?
    /// Metadata object; `dataset_split` (a list of split names) lives here, as in LangSmith.
    public var metadata: [String: JSONValue]
    public var sourceRunId: UUID?
    public var attachments: [Attachment]
    public var createdAt: Timestamp
    /// The version (timestamp) of this revision.
    public var modifiedAt: Timestamp

    public static let defaultSplit = "base"

    public init(id: UUID = UUID(), tenantId: UUID, datasetId: UUID, inputs: RawJSON, createdAt: Timestamp = .now()) {
        self.id = id
        self.tenantId = tenantId
        self.datasetId = datasetId
        self.inputs = inputs
        self.metadata = ["dataset_split": [.string(Self.defaultSplit)]]
        self.attachments = []
        self.createdAt = createdAt
        self.modifiedAt = createdAt
    }

    /// The splits the example belongs to (`metadata.dataset_split`).
    public var splits: [String] {
        get {
            switch metadata["dataset_split"] {
            case .string(let s)?: return [s]
            case .array(let a)?: return a.compactMap(\.stringValue)
            default: return []
            }
        }
        set {
            let unique = newValue.reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
            metadata["dataset_split"] = .array(unique.map { .string($0) })
        }
    }
}

/// A version of a dataset: its timestamp and the tags pointing at it.
public struct DatasetVersion: Sendable, Hashable {
    public var asOf: Timestamp
    public var tags: [String]

    public init(asOf: Timestamp, tags: [String]) {
        self.asOf = asOf
        self.tags = tags
    }
}

/// Example ids that differ between two versions of a dataset.
public struct DatasetDiff: Sendable, Hashable {
    public var added: [UUID]
    public var modified: [UUID]
    public var removed: [UUID]

    public init(added: [UUID], modified: [UUID], removed: [UUID]) {
        self.added = added
        self.modified = modified
        self.removed = removed
    }
}

/// A comparison of two or more experiments on one dataset (pairwise evaluation).
public struct ComparativeExperiment: Sendable, Hashable {
    public var id: UUID
    public var tenantId: UUID
    public var name: String?
    public var description: String?
    public var referenceDatasetId: UUID
    public var experimentIds: [UUID]
    public var extra: JSONValue?
    public var createdAt: Timestamp
    public var modifiedAt: Timestamp

    public init(id: UUID = UUID(), tenantId: UUID, name: String?, description: String?, referenceDatasetId: UUID,
                experimentIds: [UUID], extra: JSONValue?, createdAt: Timestamp = .now()) {
        self.id = id
        self.tenantId = tenantId
        self.name = name
        self.description = description
        self.referenceDatasetId = referenceDatasetId
        self.experimentIds = experimentIds
        self.extra = extra
        self.createdAt = createdAt
        self.modifiedAt = createdAt
    }
}
