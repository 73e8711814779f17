import AnvilCore

/// Short text previews of run payloads for tables (`inputs_preview`/`outputs_preview`), so lists
/// never ship whole payloads to the browser.
enum Preview {
    static let maxLength = 200
    static let preferredKeys = ["content", "text", "output", "answer", "input", "question", "query", "messages", "generations", "choices", "message"]

    static func text(_ raw: RawJSON?) -> String? {
        guard let raw, let value = try? raw.parsed(), let text = firstText(value, depth: 0) else { return nil }
        var one = text.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "\r" }).joined(separator: " ")
        if one.count > maxLength { one = String(one.prefix(maxLength - 1)) + "…" }
        return one
    }

    static func firstText(_ v: JSONValue, depth: Int) -> String? {
        guard depth < 8 else { return nil }
        switch v {
        case .string(let s): return s.isEmpty ? nil : s
        case .int, .double, .bool: return v.textForm
        case .null: return nil
        case .array(let items):
            // Chat histories: the latest message says the most.
            for item in items.reversed().prefix(3) {
                if let t = firstText(item, depth: depth + 1) { return t }
            }
            return items.isEmpty ? nil : v.encodedString
        case .object(let o):
            if let kwargs = o["kwargs"], let t = firstText(kwargs, depth: depth + 1) { return t }
            for k in preferredKeys {
                if let child = o[k], let t = firstText(child, depth: depth + 1) { return t }
            }
            for k in o.keys.sorted() {
                if let t = firstText(o[k]!, depth: depth + 1) { return t }
            }
            return nil
        }
    }
}
