import Foundation
import Logging

/// One numbered schema change. Migrations are applied in order, each in its own transaction,
/// and recorded in `schema_migrations` so they run exactly once.
public struct SQLiteMigration: Sendable {
    public var version: Int
    public var name: String
    public var sql: String

    public init(version: Int, name: String, sql: String) {
        self.version = version
        self.name = name
        self.sql = sql
    }
}

enum SQLiteMigrator {
    static func migrate(_ db: SQLiteConnection, _ migrations: [SQLiteMigration], logger: Logger) throws {
        try db.execute("""
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version INTEGER PRIMARY KEY,
                name TEXT NOT NULL,
                applied_at INTEGER NOT NULL
            )
            """)
        let applied = Set(try db.rows("SELECT version FROM schema_migrations").compactMap { row -> Int? in
            if case .int(let v) = row[0] { return Int(v) }
            return nil
        })
        let versions = migrations.map(\.version)
        precondition(versions == versions.sorted() && Set(versions).count == versions.count, "migrations must be ordered and unique")
        if let newest = applied.max(), let known = versions.max(), newest > known {
            throw SQLiteError(code: 1, message: "database schema version \(newest) is newer than this binary knows (\(known)); upgrade anvil")
        }
        for m in migrations where !applied.contains(m.version) {
            try db.transaction {
                try db.execute(m.sql)
                try db.run(
                    "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                    [.int(Int64(m.version)), .text(m.name), .int(Int64(Date().timeIntervalSince1970))])
            }
            logger.info("applied migration", metadata: ["db.migration": "\(m.version) \(m.name)"])
        }
    }
}
