import Foundation

/// Runs the system's `gzip` and `zstd` command-line tools to produce compressed bodies the way
/// other implementations write them (not just the way our own code would).
enum Compressor {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    static let gzipPath = "/usr/bin/gzip"
    static let zstdPath = "/usr/bin/zstd"
    static var gzipAvailable: Bool { FileManager.default.isExecutableFile(atPath: gzipPath) }
    static var zstdAvailable: Bool { FileManager.default.isExecutableFile(atPath: zstdPath) }

    static func gzip(_ input: [UInt8]) throws -> [UInt8] {
        try run(gzipPath, ["-c", "-n"], input: input)
    }

    /// A zstd frame written by the streaming CLI from standard input, with no content size in its header.
    static func zstdStream(_ input: [UInt8]) throws -> [UInt8] {
        try run(zstdPath, ["-q", "-c", "--no-content-size"], input: input)
    }

    /// Runs `tool` with `input` on standard input (from a file, so large inputs cannot deadlock a pipe).
    static func run(_ tool: String, _ arguments: [String], input: [UInt8]) throws -> [UInt8] {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("anvil-compress-\(UUID().uuidString)")
        try Data(input).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        process.standardInput = try FileHandle(forReadingFrom: file)
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw Failure(description: "\(tool) exited with \(process.terminationStatus)")
        }
        return Array(data)
    }
}
