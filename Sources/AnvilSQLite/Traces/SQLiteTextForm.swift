import AnvilCore
import CSQLite
import Foundation

/// `anvil_text_form(json_type, value)`: the filter semantics' text form of a JSON value
/// (`JSONValue.textForm`) for a `json_each` row or a `json_extract` result, computed by the same
/// Swift code the reference semantics use.
///
/// SQL alone cannot produce it: SQLite renders objects with their keys in the order they were
/// sent (the semantics sort them) and reals with 15 significant digits (`0.30000000000000004`
/// becomes `0.3`, `1e-05` becomes `1.0e-05`; the semantics use the shortest round-trip form).
enum SQLiteTextForm {
    static let name = "anvil_text_form"

    static func register(_ connection: SQLiteConnection) throws {
        let rc = sqlite3_create_function_v2(
            connection.handle, name, 2, SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, nil,
            { context, count, arguments in
                guard count == 2, let arguments else { return sqlite3_result_null(context) }
                guard let text = SQLiteTextForm.textForm(type: arguments[0], value: arguments[1]) else {
                    return sqlite3_result_null(context)
                }
                var bytes = Array(text.utf8)
                bytes.withUnsafeMutableBytes { b in
                    sqlite3_result_text(context, b.baseAddress?.assumingMemoryBound(to: CChar.self), Int32(b.count), SQLITE_TRANSIENT)
                }
            }, nil, nil, nil)
        guard rc == SQLITE_OK else { throw connection.error(rc, "register \(name)") }
    }

    static func textForm(type: OpaquePointer?, value: OpaquePointer?) -> String? {
        guard let type = string(type) else { return nil }
        switch type {
        case "true", "false", "null":
            return type
        case "object", "array":
            guard let text = bytes(value) else { return nil }
            return (try? JSON.parse(text))?.textForm ?? String(decoding: text, as: UTF8.self)
        case "integer", "real":
            switch sqlite3_value_type(value) {
            case SQLITE_INTEGER: return JSONValue.int(sqlite3_value_int64(value)).textForm
            case SQLITE_FLOAT: return JSONValue.double(sqlite3_value_double(value)).textForm
            default: return string(value)
            }
        default:
            return string(value)
        }
    }

    private static func bytes(_ value: OpaquePointer?) -> [UInt8]? {
        guard sqlite3_value_type(value) != SQLITE_NULL, let p = sqlite3_value_text(value) else { return nil }
        return Array(UnsafeBufferPointer(start: p, count: Int(sqlite3_value_bytes(value))))
    }

    private static func string(_ value: OpaquePointer?) -> String? {
        bytes(value).map { String(decoding: $0, as: UTF8.self) }
    }
}
