import AnvilSQLite
import AnvilStorage
import AnvilTesting
import Foundation
import Testing

@Suite("FileBlobStore")
struct FileBlobStoreTests {
    @Test("put, get, overwrite and delete by prefix")
    func roundTrip() async throws {
        let dir = try TemporaryDirectory()
        let blobs = try FileBlobStore(root: dir.file("blobs"))
        let data = (0..<1000).map { UInt8($0 % 251) }
        try await blobs.put(key: "tenant/run-1/image.png", data: data)
        try await blobs.put(key: "tenant/run-1/notes.txt", data: Array("v1".utf8))
        try await blobs.put(key: "tenant/run-2/notes.txt", data: [])
        #expect(try await blobs.get(key: "tenant/run-1/image.png") == data)
        #expect(try await blobs.get(key: "tenant/run-2/notes.txt") == [])
        #expect(try await blobs.get(key: "tenant/run-3/missing") == nil)

        try await blobs.put(key: "tenant/run-1/notes.txt", data: Array("v2".utf8))
        #expect(try await blobs.get(key: "tenant/run-1/notes.txt") == Array("v2".utf8))
        // No temporary files are left next to the blobs.
        let names = try FileManager.default.contentsOfDirectory(atPath: dir.file("blobs/tenant/run-1")).sorted()
        #expect(names == ["image.png", "notes.txt"])

        try await blobs.delete(prefix: "tenant/run-1/")
        #expect(try await blobs.get(key: "tenant/run-1/image.png") == nil)
        #expect(try await blobs.get(key: "tenant/run-1/notes.txt") == nil)
        #expect(try await blobs.get(key: "tenant/run-2/notes.txt") == [])
        try await blobs.delete(prefix: "tenant/run-9/")  // nothing there: no error
    }

    @Test("keys that could escape the root are refused", arguments: [
        "../escape", "a/../../escape", "/etc/passwd", "a/./b", "", "..", "a/..", "a/b/../../../escape",
    ])
    func unsafeKeys(_ key: String) async throws {
        let dir = try TemporaryDirectory()
        let blobs = try FileBlobStore(root: dir.file("blobs"))
        await #expect(throws: (any Error).self) { try await blobs.put(key: key, data: [1]) }
        await #expect(throws: (any Error).self) { try await blobs.get(key: key) }
        await #expect(throws: (any Error).self) { try await blobs.delete(prefix: key) }
        #expect(!FileManager.default.fileExists(atPath: dir.file("escape")))
    }
}
