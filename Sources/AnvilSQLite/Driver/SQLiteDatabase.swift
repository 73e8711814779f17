import Foundation
import Logging

/// A SQLite database file opened the way a server needs it: WAL, one writer connection and a
/// small pool of readers, each confined to its own serial dispatch queue so blocking SQLite calls
/// never run on Swift's cooperative thread pool.
public final class SQLiteDatabase: Sendable {
    public let path: String
    private let writer: Confined
    private let readers: [Confined]
    private let nextReader = Counter()

    /// Opens (creating if needed) and applies `migrations` before returning. `prepare` runs on
    /// every connection as it opens (e.g. to register SQL functions the store's queries use).
    public init(
        path: String, readers readerCount: Int = 4, migrations: [SQLiteMigration], logger: Logger,
        prepare: (SQLiteConnection) throws -> Void = { _ in }
    ) throws {
        self.path = path
        let writeConnection = try SQLiteConnection(path: path, readOnly: false)
        try prepare(writeConnection)
        // WAL: readers never block the writer and the writer never blocks readers.
        try writeConnection.execute("PRAGMA journal_mode = WAL")
        // FULL: every commit is fsync'd. The ingest queue acknowledges entries once the commit
        // returns, so a commit must survive power loss, not only a process crash.
        try writeConnection.execute("PRAGMA synchronous = FULL")
        // Wait instead of failing when a checkpoint or another process holds a lock briefly.
        try writeConnection.execute("PRAGMA busy_timeout = 10000")
        // 64 MiB page cache for the writer: merges read back recently written rows.
        try writeConnection.execute("PRAGMA cache_size = -65536")
        try writeConnection.execute("PRAGMA temp_store = MEMORY")
        // Checkpoint the WAL every ~16 MiB instead of 4 MiB: fewer, larger checkpoints under ingest.
        try writeConnection.execute("PRAGMA wal_autocheckpoint = 4000")
        try SQLiteMigrator.migrate(writeConnection, migrations, logger: logger)
        writer = Confined(writeConnection, label: "anvil.sqlite.writer")

        var pool: [Confined] = []
        for i in 0..<max(1, readerCount) {
            let c = try SQLiteConnection(path: path, readOnly: true)
            try prepare(c)
            try c.execute("PRAGMA busy_timeout = 10000")
            // No mmap: mapped pages of a large store would count against the process's memory;
            // reads go through the OS page cache into a bounded 16 MiB page cache per reader.
            try c.execute("PRAGMA cache_size = -16384")
            try c.execute("PRAGMA temp_store = MEMORY")
            pool.append(Confined(c, label: "anvil.sqlite.reader.\(i)"))
        }
        readers = pool
    }

    /// Runs `body` on the writer connection.
    public func write<T: Sendable>(_ body: @escaping @Sendable (SQLiteConnection) throws -> T) async throws -> T {
        try await writer.run(body)
    }

    /// Runs `body` on a reader connection (round-robin).
    public func read<T: Sendable>(_ body: @escaping @Sendable (SQLiteConnection) throws -> T) async throws -> T {
        let i = nextReader.next() % readers.count
        return try await readers[i].run(body)
    }
}

/// A connection and the serial queue it is confined to.
final class Confined: @unchecked Sendable {
    // Only touched on `queue`.
    private let connection: SQLiteConnection
    private let queue: DispatchQueue

    init(_ connection: SQLiteConnection, label: String) {
        self.connection = connection
        self.queue = DispatchQueue(label: label)
    }

    func run<T: Sendable>(_ body: @escaping @Sendable (SQLiteConnection) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async {
                continuation.resume(with: Result { try body(self.connection) })
            }
        }
    }
}

/// A thread-safe incrementing counter.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0

    func next() -> Int {
        lock.lock()
        defer { lock.unlock() }
        value &+= 1
        return value & Int.max
    }
}
