import AnvilCore
import CAnvil
import CSQLite

/// Run payloads (inputs and outputs) of 256 bytes or more are stored as zstd frames in BLOBs when
/// that saves at least a tenth; smaller or incompressible ones stay TEXT, exactly as received. The
/// bytes read back are always the JSON as sent: ``bytes(_:_:)`` in Swift, `anvil_json(column)` in
/// SQL (filters and full-text matching see the JSON text whichever way a row was stored). Stores
/// written before compression existed hold only TEXT and read unchanged.
enum StoredPayload {
    static let minimumBytes = 256
    /// zstd level 1: ~3–5 µs per kilobyte here, within a few percent of level 3's ratio on payloads this size.
    static let level: Int32 = 1
    static let sqlFunction = "anvil_json"

    /// The column value for a payload.
    static func value(_ raw: RawJSON?) -> SQLiteValue {
        guard let raw else { return .null }
        guard raw.bytes.count >= minimumBytes, let packed = compress(raw.bytes), packed.count <= raw.bytes.count * 9 / 10 else {
            return .textBytes(raw.bytes)
        }
        return .blob(packed)
    }

    /// The JSON bytes of a payload column (nil for NULL). A BLOB that is not a readable zstd frame
    /// (impossible unless the file was altered, or libzstd is missing at run time) reads as nil.
    static func bytes(_ row: SQLiteRow, _ i: Int) -> [UInt8]? {
        guard let stored = row.bytes(i) else { return nil }
        return row.isBlob(i) ? decompress(stored) : stored
    }

    static func raw(_ row: SQLiteRow, _ i: Int) -> RawJSON? {
        bytes(row, i).map(RawJSON.init(validated:))
    }

    static func compress(_ bytes: [UInt8]) -> [UInt8]? {
        guard anvil_zstd_available() != 0 else { return nil }
        var out = [UInt8](repeating: 0, count: anvil_zstd_compress_bound(bytes.count))
        let n = out.withUnsafeMutableBytes { o in
            bytes.withUnsafeBytes { i in anvil_zstd_compress(o.baseAddress, o.count, i.baseAddress, i.count, level) }
        }
        guard anvil_zstd_is_error(n) == 0 else { return nil }
        out.removeSubrange(n...)
        return out
    }

    /// Largest payload a frame may claim to hold (the ingest body limit is 25 MB; payloads never exceed it).
    static let maximumBytes = 64 * 1024 * 1024

    static func decompress(_ frame: [UInt8]) -> [UInt8]? {
        guard anvil_zstd_available() != 0 else { return nil }
        return frame.withUnsafeBytes { f -> [UInt8]? in
            let size = anvil_zstd_frame_content_size(f.baseAddress, f.count)
            guard size <= UInt64(maximumBytes) else { return nil }  // also "unknown" and "error" (huge values)
            var out = [UInt8](repeating: 0, count: Int(size))
            let n = out.withUnsafeMutableBytes { o in anvil_zstd_decompress(o.baseAddress, o.count, f.baseAddress, f.count) }
            guard anvil_zstd_is_error(n) == 0, n == Int(size) else { return nil }
            return out
        }
    }

    /// Registers `anvil_json(x)`: TEXT and NULL pass through; a BLOB is decompressed to TEXT.
    static func register(_ connection: SQLiteConnection) throws {
        let rc = sqlite3_create_function_v2(
            connection.handle, sqlFunction, 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, nil,
            { context, count, arguments in
                guard count == 1, let arguments, let value = arguments[0] else { return sqlite3_result_null(context) }
                guard sqlite3_value_type(value) == SQLITE_BLOB else { return sqlite3_result_value(context, value) }
                let n = Int(sqlite3_value_bytes(value))
                guard n > 0, let p = sqlite3_value_blob(value),
                      let text = StoredPayload.decompress(Array(UnsafeRawBufferPointer(start: p, count: n)))
                else { return sqlite3_result_null(context) }
                text.withUnsafeBytes { b in
                    sqlite3_result_text(context, b.baseAddress?.assumingMemoryBound(to: CChar.self), Int32(b.count), SQLITE_TRANSIENT)
                }
            }, nil, nil, nil)
        guard rc == SQLITE_OK else { throw connection.error(rc, "register \(sqlFunction)") }
    }
}
