import AnvilStorage
import Foundation

/// Attachment bytes as files under `<data-dir>/blobs`, written to a temporary name, fsync'd, then
/// renamed into place so a crash never leaves a partial blob under its final key.
public final class FileBlobStore: BlobStore {
    let root: String
    private let io = DispatchQueue(label: "anvil.blobs", attributes: .concurrent)

    public init(root: String) throws {
        self.root = root
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
    }

    /// Keys are built by Anvil from ids and sanitised names; refuse anything that could escape the root.
    func path(_ key: String) throws -> String {
        guard !key.isEmpty, !key.hasPrefix("/"), !key.split(separator: "/").contains(where: { $0 == ".." || $0 == "." || $0.isEmpty }) else {
            throw QueueError("invalid blob key")
        }
        return root + "/" + key
    }

    public func put(key: String, data: [UInt8]) async throws {
        let final = try path(key)
        try await withCheckedThrowingContinuation { (c: CheckedContinuation<Void, any Error>) in
            io.async {
                c.resume(with: Result {
                    let dir = (final as NSString).deletingLastPathComponent
                    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
                    let tmp = final + ".tmp-\(UUID().uuidString)"
                    let fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
                    guard fd >= 0 else { throw QueueError("cannot write blob: \(String(cString: strerror(errno)))") }
                    var written = 0
                    let ok = data.withUnsafeBytes { raw -> Bool in
                        while written < raw.count {
                            let n = write(fd, raw.baseAddress! + written, raw.count - written)
                            if n < 0 { if errno == EINTR { continue }; return false }
                            written += n
                        }
                        return fsync(fd) == 0
                    }
                    close(fd)
                    guard ok, rename(tmp, final) == 0 else {
                        unlink(tmp)
                        throw QueueError("cannot write blob: \(String(cString: strerror(errno)))")
                    }
                    DiskQueue.fsyncDirectory(dir)
                })
            }
        }
    }

    public func get(key: String) async throws -> [UInt8]? {
        let p = try path(key)
        return try await withCheckedThrowingContinuation { c in
            io.async {
                c.resume(returning: FileManager.default.contents(atPath: p).map { Array($0) })
            }
        }
    }

    public func delete(prefix: String) async throws {
        let p = try path(prefix)
        try? FileManager.default.removeItem(atPath: p)
    }
}
