import AnvilCore
import CSQLite
import Foundation

/// A SQLite error with the engine's message and the statement that failed.
public struct SQLiteError: Error, Sendable, CustomStringConvertible {
    public var code: Int32
    public var message: String
    public var sql: String?

    public var description: String {
        "SQLite error \(code): \(message)" + (sql.map { " in `\($0.prefix(200))`" } ?? "")
    }

    /// SQLITE_CONSTRAINT (unique/primary key violations).
    public var isConstraintViolation: Bool { code & 0xFF == SQLITE_CONSTRAINT }
}

/// A value bound to or read from a statement.
public enum SQLiteValue: Sendable, Hashable {
    case null
    case int(Int64)
    case double(Double)
    case text(String)
    /// UTF-8 bytes stored as TEXT (JSON payloads kept raw, never re-encoded).
    case textBytes([UInt8])
    case blob([UInt8])
}

/// One SQLite connection. Not thread-safe: each connection is used from one serial queue only
/// (see ``SQLiteDatabase``). Prepared statements are cached by SQL text.
public final class SQLiteConnection {
    let handle: OpaquePointer
    private var statements: [String: OpaquePointer] = [:]

    init(path: String, readOnly: Bool) throws {
        var db: OpaquePointer?
        let flags = (readOnly ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE))
            | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE
        let rc = sqlite3_open_v2(path, &db, flags, nil)
        guard rc == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "cannot open"
            if let db { sqlite3_close_v2(db) }
            throw SQLiteError(code: rc, message: "\(message) (\(path))")
        }
        handle = db
    }

    deinit {
        for (_, s) in statements { sqlite3_finalize(s) }
        sqlite3_close_v2(handle)
    }

    func error(_ rc: Int32, _ sql: String? = nil) -> SQLiteError {
        SQLiteError(code: rc, message: String(cString: sqlite3_errmsg(handle)), sql: sql)
    }

    /// Runs one or more statements without parameters (DDL, pragmas).
    public func execute(_ sql: String) throws {
        var errmsg: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(handle, sql, nil, nil, &errmsg)
        if rc != SQLITE_OK {
            let message = errmsg.map { String(cString: $0) } ?? "error"
            sqlite3_free(errmsg)
            throw SQLiteError(code: rc, message: message, sql: sql)
        }
    }

    func statement(_ sql: String) throws -> OpaquePointer {
        if let s = statements[sql] {
            sqlite3_reset(s)
            sqlite3_clear_bindings(s)
            return s
        }
        var s: OpaquePointer?
        let rc = sqlite3_prepare_v3(handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &s, nil)
        guard rc == SQLITE_OK, let s else { throw error(rc, sql) }
        if statements.count > 512 {  // bound the cache for dynamically built (filter) queries
            for (_, old) in statements { sqlite3_finalize(old) }
            statements.removeAll()
        }
        statements[sql] = s
        return s
    }

    /// Runs a statement with bound parameters, calling `row` for each result row.
    public func query(_ sql: String, _ bindings: [SQLiteValue] = [], row: (SQLiteRow) throws -> Void) throws {
        let s = try statement(sql)
        defer { sqlite3_reset(s) }
        try bind(s, bindings, sql)
        while true {
            let rc = sqlite3_step(s)
            if rc == SQLITE_ROW {
                try row(SQLiteRow(statement: s))
            } else if rc == SQLITE_DONE {
                return
            } else {
                throw error(rc, sql)
            }
        }
    }

    /// Runs a statement and returns the number of rows it changed.
    @discardableResult
    public func run(_ sql: String, _ bindings: [SQLiteValue] = []) throws -> Int {
        try query(sql, bindings) { _ in }
        return Int(sqlite3_changes(handle))
    }

    public func rows(_ sql: String, _ bindings: [SQLiteValue] = []) throws -> [[SQLiteValue]] {
        var out: [[SQLiteValue]] = []
        try query(sql, bindings) { row in out.append((0..<row.count).map { row.value($0) }) }
        return out
    }

    public func scalarInt(_ sql: String, _ bindings: [SQLiteValue] = []) throws -> Int64? {
        var result: Int64?
        try query(sql, bindings) { row in result = row.int(0) }
        return result
    }

    /// Runs `body` in a transaction (BEGIN IMMEDIATE, so the write lock is taken up front).
    public func transaction<T>(_ body: () throws -> T) throws -> T {
        try execute("BEGIN IMMEDIATE")
        do {
            let result = try body()
            try execute("COMMIT")
            return result
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }

    private func bind(_ s: OpaquePointer, _ values: [SQLiteValue], _ sql: String) throws {
        for (i, value) in values.enumerated() {
            let index = Int32(i + 1)
            let rc: Int32
            switch value {
            case .null: rc = sqlite3_bind_null(s, index)
            case .int(let v): rc = sqlite3_bind_int64(s, index, v)
            case .double(let v): rc = sqlite3_bind_double(s, index, v)
            case .text(let v): rc = sqlite3_bind_text(s, index, v, -1, SQLITE_TRANSIENT)
            case .textBytes(let v):
                rc = v.withUnsafeBytes { b in
                    sqlite3_bind_text(s, index, b.baseAddress?.assumingMemoryBound(to: CChar.self), Int32(b.count), SQLITE_TRANSIENT)
                }
            case .blob(let v):
                rc = v.withUnsafeBytes { b in
                    sqlite3_bind_blob(s, index, b.baseAddress, Int32(b.count), SQLITE_TRANSIENT)
                }
            }
            guard rc == SQLITE_OK else { throw error(rc, sql) }
        }
    }
}

/// `SQLITE_TRANSIENT`: SQLite copies bound bytes before the call returns.
let SQLITE_TRANSIENT = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

/// A result row, valid only inside the `query` callback.
public struct SQLiteRow {
    let statement: OpaquePointer

    public var count: Int { Int(sqlite3_column_count(statement)) }

    public func isNull(_ i: Int) -> Bool { sqlite3_column_type(statement, Int32(i)) == SQLITE_NULL }

    public func isBlob(_ i: Int) -> Bool { sqlite3_column_type(statement, Int32(i)) == SQLITE_BLOB }

    public func int(_ i: Int) -> Int64? {
        isNull(i) ? nil : sqlite3_column_int64(statement, Int32(i))
    }

    public func double(_ i: Int) -> Double? {
        isNull(i) ? nil : sqlite3_column_double(statement, Int32(i))
    }

    public func string(_ i: Int) -> String? {
        guard let p = sqlite3_column_text(statement, Int32(i)) else { return nil }
        let n = Int(sqlite3_column_bytes(statement, Int32(i)))
        return String(decoding: UnsafeBufferPointer(start: p, count: n), as: UTF8.self)
    }

    public func bytes(_ i: Int) -> [UInt8]? {
        if isNull(i) { return nil }
        let n = Int(sqlite3_column_bytes(statement, Int32(i)))
        guard n > 0, let p = sqlite3_column_blob(statement, Int32(i)) else { return [] }
        return Array(UnsafeRawBufferPointer(start: p, count: n))
    }

    public func uuid(_ i: Int) -> UUID? {
        guard let b = bytes(i), b.count == 16 else { return nil }
        return UUID(uuid: (b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]))
    }

    public func value(_ i: Int) -> SQLiteValue {
        switch sqlite3_column_type(statement, Int32(i)) {
        case SQLITE_INTEGER: return .int(sqlite3_column_int64(statement, Int32(i)))
        case SQLITE_FLOAT: return .double(sqlite3_column_double(statement, Int32(i)))
        case SQLITE_TEXT: return .text(string(i) ?? "")
        case SQLITE_BLOB: return .blob(bytes(i) ?? [])
        default: return .null
        }
    }
}

extension SQLiteValue {
    public static func uuid(_ id: UUID) -> SQLiteValue {
        .blob(withUnsafeBytes(of: id.uuid) { Array($0) })
    }

    public static func uuid(_ id: UUID?) -> SQLiteValue {
        id.map { uuid($0) } ?? .null
    }

    public static func int(_ v: Int64?) -> SQLiteValue { v.map { .int($0) } ?? .null }
    public static func double(_ v: Double?) -> SQLiteValue { v.map { .double($0) } ?? .null }
    public static func text(_ v: String?) -> SQLiteValue { v.map { .text($0) } ?? .null }
    public static func time(_ t: Timestamp?) -> SQLiteValue { t.map { .int($0.microseconds) } ?? .null }
    public static func json(_ raw: RawJSON?) -> SQLiteValue { raw.map { .textBytes($0.bytes) } ?? .null }
    public static func json(_ value: JSONValue?) -> SQLiteValue { value.map { .textBytes($0.encoded) } ?? .null }
}

