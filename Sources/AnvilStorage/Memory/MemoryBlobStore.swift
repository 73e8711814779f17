import Foundation

public actor MemoryBlobStore: BlobStore {
    private var blobs: [String: [UInt8]] = [:]

    public init() {}

    public func put(key: String, data: [UInt8]) async throws { blobs[key] = data }
    public func get(key: String) async throws -> [UInt8]? { blobs[key] }
    public func delete(prefix: String) async throws {
        for k in blobs.keys where k.hasPrefix(prefix) { blobs[k] = nil }
    }
}
