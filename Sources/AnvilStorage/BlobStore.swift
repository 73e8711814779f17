import Foundation

/// Attachment bytes. `put` returns only once the bytes are durable.
public protocol BlobStore: Sendable {
    func put(key: String, data: [UInt8]) async throws
    func get(key: String) async throws -> [UInt8]?
    func delete(prefix: String) async throws
}
