import AnvilSQLite
import AnvilStorage
import AnvilTesting
import Foundation
import Logging
import Testing

/// Every backend of the trace and metadata stores; contract suites run once per case.
enum StoreFactory: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case memory
    case sqlite

    var testDescription: String { rawValue }

    /// A fresh, empty pair of stores (SQLite in a new temporary directory).
    func make() throws -> Stores {
        switch self {
        case .memory:
            return Stores(
                traces: MemoryTraceStore(), metadata: MemoryMetadataStore(), datasets: MemoryDatasetStore(), prompts: MemoryPromptStore(),
                directory: nil)
        case .sqlite:
            let dir = try TemporaryDirectory(prefix: "anvil-store")
            let metadata = try SQLiteMetadataStore(path: dir.file("metadata.sqlite"), logger: .test)
            return Stores(
                traces: try SQLiteTraceStore(path: dir.file("traces.sqlite"), logger: .test),
                metadata: metadata, datasets: metadata, prompts: metadata, directory: dir)
        }
    }
}

/// A trace store and a metadata store, plus the directory their files live in (kept alive with them).
struct Stores: Sendable {
    let traces: any TraceStore
    let metadata: any MetadataStore
    let datasets: any DatasetStore
    let prompts: any PromptStore
    let directory: TemporaryDirectory?
}

extension Logger {
    /// A logger that drops everything (tests never bootstrap the logging system).
    static let test = Logger(label: "anvil.test", factory: { _ in SwiftLogNoOpLogHandler() })
}
