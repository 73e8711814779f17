import AnvilCore
import Foundation

/// A span's attributes as JSON values, keyed by attribute name (last one wins, as in the SDKs),
/// with the lookups the conventions need. Every key read by a convention is recorded, so what is
/// left over can be kept in metadata.
struct SpanAttributes {
    private(set) var values: [String: JSONValue]
    private(set) var keys: [String]
    private(set) var consumed: Set<String> = []

    init(_ pairs: [(String, JSONValue)]) {
        var values: [String: JSONValue] = [:]
        var keys: [String] = []
        for (k, v) in pairs {
            if values.updateValue(v, forKey: k) == nil { keys.append(k) }
        }
        self.values = values
        self.keys = keys
    }

    /// The value of `key`, marking it used.
    mutating func take(_ key: String) -> JSONValue? {
        guard let v = values[key] else { return nil }
        consumed.insert(key)
        return v
    }

    func peek(_ key: String) -> JSONValue? { values[key] }

    mutating func string(_ key: String) -> String? {
        guard let v = take(key) else { return nil }
        switch v {
        case .string(let s): return s
        case .null: return nil
        default: return v.encodedString
        }
    }

    mutating func int(_ key: String) -> Int64? {
        switch take(key) {
        case .int(let i)?: return i
        case .double(let d)? where d.rounded() == d && abs(d) < 9e15: return Int64(d)
        case .string(let s)?: return Int64(s)
        default: return nil
        }
    }

    /// Every key that starts with `prefix`, in arrival order, marking them used.
    mutating func takePrefixed(_ prefix: String) -> [(suffix: String, value: JSONValue)] {
        var out: [(String, JSONValue)] = []
        for k in keys where k.hasPrefix(prefix) && k.count > prefix.count && !consumed.contains(k) {
            out.append((String(k.dropFirst(prefix.count)), values[k]!))
            consumed.insert(k)
        }
        return out
    }

    func hasPrefix(_ prefix: String) -> Bool { keys.contains { $0.hasPrefix(prefix) } }

    /// Attributes no convention used, in arrival order.
    var leftovers: [(String, JSONValue)] {
        keys.filter { !consumed.contains($0) }.map { ($0, values[$0]!) }
    }
}

extension JSONValue {
    /// A string attribute that holds JSON (the SDKs JSON-encode objects into string attributes)
    /// parsed; any other value as it is.
    var decodingJSONString: JSONValue {
        guard case .string(let s) = self else { return self }
        let t = s.drop { $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "\r" }
        guard let first = t.first, first == "{" || first == "[" else { return self }
        return (try? JSON.parse(s)) ?? self
    }

    /// A string attribute known to hold JSON parsed whatever its JSON type; kept as text when it
    /// does not parse.
    var parsingJSONString: JSONValue {
        guard case .string(let s) = self else { return self }
        return (try? JSON.parse(s)) ?? self
    }

    /// As an object for `inputs`/`outputs`: objects stay, anything else is wrapped under `key`.
    func asPayload(wrapKey key: String) -> JSONValue {
        let v = decodingJSONString
        if case .object = v { return v }
        return .object([key: v])
    }
}

/// Message lists from flattened attributes (`prefix.<n>.<field…>`), e.g. `gen_ai.prompt.0.role`
/// or `llm.input_messages.0.message.content`: indices sorted numerically, the fields below each
/// index folded into one object (`message.` prefixes dropped, dotted fields nested).
enum FlattenedList {
    static func build(_ entries: [(suffix: String, value: JSONValue)], dropping inner: String? = nil) -> [JSONValue] {
        var byIndex: [Int: [String: JSONValue]] = [:]
        for (suffix, value) in entries {
            let parts = suffix.split(separator: ".", maxSplits: 1).map(String.init)
            guard let index = Int(parts[0]), index >= 0, index < 100_000 else { continue }
            var field = parts.count > 1 ? parts[1] : "content"
            if let inner, field.hasPrefix(inner + ".") { field = String(field.dropFirst(inner.count + 1)) }
            insert(&byIndex[index, default: [:]], path: field.split(separator: ".").map(String.init), value: value.decodingJSONString)
        }
        return byIndex.keys.sorted().map { .object(byIndex[$0]!) }
    }

    /// Sets `value` at a dotted path; numeric path components become arrays.
    static func insert(_ object: inout [String: JSONValue], path: [String], value: JSONValue) {
        guard let head = path.first else { return }
        if path.count == 1 {
            object[head] = value
            return
        }
        let rest = Array(path.dropFirst())
        if let index = Int(rest[0]), index >= 0, index < 100_000 {
            var items = object[head]?.arrayValue ?? []
            while items.count <= index { items.append(.object([:])) }
            var inner = items[index].objectValue ?? [:]
            if rest.count == 1 {
                items[index] = value
            } else {
                insert(&inner, path: Array(rest.dropFirst()), value: value)
                items[index] = .object(inner)
            }
            object[head] = .array(items)
        } else {
            var inner = object[head]?.objectValue ?? [:]
            insert(&inner, path: rest, value: value)
            object[head] = .object(inner)
        }
    }
}
