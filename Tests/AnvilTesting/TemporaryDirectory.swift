import Foundation

/// A fresh directory under the system temp directory, removed when the last reference goes away.
/// Keep it alive as long as anything (a database, a queue) has files open in it.
public final class TemporaryDirectory: Sendable {
    public let path: String

    public init(prefix: String = "anvil-test") throws {
        path = NSTemporaryDirectory() + "/\(prefix)-\(UUID().uuidString.lowercased())"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    /// `path/name`.
    public func file(_ name: String) -> String { path + "/" + name }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }
}
