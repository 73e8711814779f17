import AnvilCore
import Foundation

/// Builds `Project`s with sensible defaults.
public enum ProjectBuilder {
    public static func make(
        name: String, tenantId: UUID, id: UUID = UUID(), start: Timestamp = Fixtures.epoch,
        metadata: [String: JSONValue]? = nil, referenceDatasetId: UUID? = nil, description: String? = nil
    ) -> Project {
        Project(
            id: id, tenantId: tenantId, name: name, description: description,
            extra: metadata.map { .object(["metadata": .object($0)]) }, startTime: start,
            referenceDatasetId: referenceDatasetId)
    }
}
