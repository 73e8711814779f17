import AnvilCore
import Foundation

/// What `GET /datasets` filters on.
public struct DatasetQuery: Sendable, Hashable {
    public var tenantId: UUID
    public var ids: [UUID]?
    public var name: String?
    public var nameContains: String?
    public var dataType: String?
    public var metadata: [String: JSONValue]?
    public var offset = 0
    public var limit = 100

    public init(tenantId: UUID) { self.tenantId = tenantId }
}

/// What `GET /examples` filters on. `asOf` nil means the latest version.
public struct ExampleQuery: Sendable, Hashable {
    public var tenantId: UUID
    public var datasetId: UUID?
    public var ids: [UUID]?
    public var asOf: Timestamp?
    /// Examples in any of these splits.
    public var splits: [String]?
    /// Examples whose metadata contains every one of these key/values.
    public var metadata: [String: JSONValue]?
    public var offset = 0
    public var limit = 100

    public init(tenantId: UUID) { self.tenantId = tenantId }
}

/// Example counts and latest version of datasets.
public struct DatasetCounts: Sendable, Hashable {
    public var exampleCount: Int
    public var lastVersion: Timestamp?

    public init(exampleCount: Int, lastVersion: Timestamp?) {
        self.exampleCount = exampleCount
        self.lastVersion = lastVersion
    }
}

/// Datasets and their versioned examples (Postgres in LangSmith).
///
/// Every example mutation is stamped with a version `at`; all mutations of one API call share it,
/// so one call is one version. Versions of a dataset are strictly increasing: a store given an `at`
/// not after the dataset's latest version uses the latest version plus one microsecond.
public protocol DatasetStore: Sendable {
    /// Throws `StoreError.conflict` on a duplicate name (per workspace) or id.
    func createDataset(_ dataset: Dataset) async throws
    func dataset(id: UUID, tenantId: UUID) async throws -> Dataset?
    func dataset(name: String, tenantId: UUID) async throws -> Dataset?
    func listDatasets(_ query: DatasetQuery) async throws -> [Dataset]
    func updateDataset(_ dataset: Dataset) async throws
    /// Removes the dataset, its examples, their history and tags.
    func deleteDataset(id: UUID, tenantId: UUID) async throws -> Bool
    func datasetCounts(ids: [UUID], tenantId: UUID) async throws -> [UUID: DatasetCounts]

    /// Writes the full new state of each example (create or replace) as one new version of its
    /// dataset; returns that version. Examples must all belong to `datasetId` (the caller checks
    /// that existing ids are not in another dataset: `StoreError.conflict`).
    @discardableResult
    func putExamples(_ examples: [Example], datasetId: UUID, tenantId: UUID, at: Timestamp) async throws -> Timestamp
    /// Soft delete: a new version without these examples (history kept). Hard delete: every
    /// revision removed. Returns the version (nil when nothing changed).
    @discardableResult
    func deleteExamples(ids: [UUID], datasetId: UUID, tenantId: UUID, at: Timestamp, hard: Bool) async throws -> Timestamp?
    func examples(_ query: ExampleQuery) async throws -> [Example]
    func exampleCount(_ query: ExampleQuery) async throws -> Int
    /// The dataset an example id belongs to (any version), if any.
    func exampleDatasets(ids: [UUID], tenantId: UUID) async throws -> [UUID: UUID]

    /// Versions newest first, with their tags.
    func versions(datasetId: UUID, tenantId: UUID, limit: Int, offset: Int) async throws -> [DatasetVersion]
    /// The newest version at or before `time` (nil: none).
    func version(datasetId: UUID, tenantId: UUID, atOrBefore time: Timestamp) async throws -> DatasetVersion?
    func version(datasetId: UUID, tenantId: UUID, tag: String) async throws -> DatasetVersion?
    /// Points `tag` at `version`, which must be an existing version (`StoreError.notFound`).
    func setTag(_ tag: String, version: Timestamp, datasetId: UUID, tenantId: UUID) async throws
    func diff(datasetId: UUID, tenantId: UUID, from: Timestamp, to: Timestamp) async throws -> DatasetDiff

    func shareDataset(datasetId: UUID, tenantId: UUID, token: UUID) async throws -> UUID
    func datasetShareToken(datasetId: UUID, tenantId: UUID) async throws -> UUID?
    func sharedDataset(token: UUID) async throws -> Dataset?
    func unshareDataset(datasetId: UUID, tenantId: UUID) async throws

    func createComparativeExperiment(_ experiment: ComparativeExperiment) async throws
    func comparativeExperiments(datasetId: UUID, tenantId: UUID) async throws -> [ComparativeExperiment]
    func comparativeExperiment(id: UUID, tenantId: UUID) async throws -> ComparativeExperiment?
    func deleteComparativeExperiment(id: UUID, tenantId: UUID) async throws -> Bool
}

extension Example {
    /// Whether the example's metadata contains every key/value (`JSONValue.jsonEquals`).
    public func metadataContains(_ wanted: [String: JSONValue]) -> Bool { metadata.containsAll(wanted) }
}
