import Foundation

/// Why a value does not fit its field; the analyzer adds the source offset.
struct FilterValueProblem: Error {
    var message: String
    init(_ message: String) { self.message = message }
}

extension FilterField {
    /// Checks one scalar (non-list) value against this field and `op`, and returns it in the
    /// shape ``ValueKind`` documents. `in` lists are checked element by element with `op == .in`.
    func normalisedValue(
        _ value: FilterLiteral,
        for op: FilterOperator
    ) throws(FilterValueProblem) -> FilterLiteral {
        if case .list = value {
            throw FilterValueProblem(
                "a list is only allowed as the second argument of in(), e.g. in(\(name), [\"a\", \"b\"])"
            )
        }
        switch op {
        case .search:
            guard let text = value.stringValue else {
                throw FilterValueProblem("search() takes quoted text, e.g. search(\(name), \"timeout\")")
            }
            guard !text.isEmpty else {
                throw FilterValueProblem("search text is empty; give the text to look for")
            }
            return value
        case .like, .notLike:
            guard value.stringValue != nil else {
                throw FilterValueProblem(
                    "\(op.rawValue)() takes a quoted pattern, e.g. \(op.rawValue)(\(name), \"%word%\")"
                )
            }
            return value
        case .has:
            return try normalisedHasValue(value)
        case .exists:
            guard let key = value.stringValue, !key.isEmpty else {
                throw FilterValueProblem("exists() takes a quoted key, e.g. exists(\(name), \"user_id\")")
            }
            return value
        case .eq, .neq, .in:
            if value == .null {
                guard isNullable, op != .in else {
                    let reason = op == .in
                        ? "null cannot be a list item; use or(eq(\(name), null), in(\(name), […]))"
                        : "\(name) is never null"
                    throw FilterValueProblem(reason)
                }
                return .null
            }
            return try normalisedScalar(value)
        case .gt, .gte, .lt, .lte:
            guard value != .null else {
                throw FilterValueProblem(
                    "null can only be compared with eq or neq, e.g. neq(\(name), null)"
                )
            }
            return try normalisedScalar(value)
        }
    }

    private func normalisedScalar(_ value: FilterLiteral) throws(FilterValueProblem) -> FilterLiteral {
        switch valueKind {
        case .uuid:
            guard let text = value.stringValue, let uuid = UUID(uuidString: text) else {
                throw FilterValueProblem(
                    "\(name) is a UUID; write it quoted, e.g. \"0e3a7c4e-5b1f-4c3d-9a8b-2f6d1e0c9b7a\""
                )
            }
            return .string(uuid.uuidString.lowercased())
        case .text, .tagList:
            guard value.stringValue != nil else {
                throw FilterValueProblem(
                    "\(name) is text; put the value in quotes, e.g. \"\(FilterSyntaxError.excerpt(plain(value)))\""
                )
            }
            return value
        case .timestamp:
            guard let text = value.stringValue else {
                throw FilterValueProblem(
                    "\(name) is a timestamp; write an ISO-8601 string such as \"2024-01-15T12:34:56Z\""
                )
            }
            guard let timestamp = FilterTimestamp(iso8601: text) else {
                throw FilterValueProblem(
                    "\(quoted(text)) is not a valid ISO-8601 timestamp; write e.g. \"2024-01-15\", "
                        + "\"2024-01-15T12:34:56Z\" or \"2024-01-15T12:34:56.789+02:00\""
                )
            }
            return .string(timestamp.iso8601)
        case .duration:
            if let seconds = value.numberValue { return .number(seconds) }
            if let text = value.stringValue, let seconds = FilterDuration.seconds(from: text) {
                return .number(seconds)
            }
            let shown = value.stringValue.map(quoted) ?? plain(value)
            throw FilterValueProblem(
                "\(shown) is not a duration; write seconds as a number (2) or a quoted duration "
                    + "such as \"5s\", \"100ms\", \"1.5m\" or \"2h\""
            )
        case .number:
            guard value.numberValue != nil else {
                let hint = value.stringValue.map { "write the number without quotes instead of \(quoted($0))" }
                    ?? "write a number such as 5000"
                throw FilterValueProblem("\(name) is a number; \(hint)")
            }
            return value
        case .boolean:
            guard value.boolValue != nil else {
                throw FilterValueProblem("\(name) is true or false; write e.g. eq(\(name), true)")
            }
            return value
        case .error:
            guard value.stringValue != nil || value.boolValue != nil else {
                throw FilterValueProblem(
                    "error compares with null, true, false or quoted text, e.g. neq(error, null)"
                )
            }
            return value
        case .anyScalar:
            return value
        case .jsonObject:
            throw FilterValueProblem("\(name) can only be used with has() or exists()")
        }
    }

    private func normalisedHasValue(_ value: FilterLiteral) throws(FilterValueProblem) -> FilterLiteral {
        guard let text = value.stringValue else {
            let example = valueKind == .tagList ? "has(tags, \"beta\")" : "has(\(name), '{\"key\": \"value\"}')"
            throw FilterValueProblem("has() takes a quoted value, e.g. \(example)")
        }
        guard valueKind == .jsonObject else { return value }
        guard Self.isJSONObject(text) else {
            throw FilterValueProblem(
                "has(\(name), …) takes a JSON object such as '{\"key\": \"value\"}'; "
                    + "to test only that a key is present write exists(\(name), \"key\")"
            )
        }
        return value
    }

    /// Whether `text` is a JSON object. Nesting is bounded first so that hostile input cannot
    /// drive Foundation's recursive JSON parser deep.
    static func isJSONObject(_ text: String) -> Bool {
        var depth = 0
        var inString = false
        var escaped = false
        for byte in text.utf8 {
            if inString {
                if escaped { escaped = false } else if byte == UInt8(ascii: "\\") { escaped = true }
                else if byte == UInt8(ascii: "\"") { inString = false }
                continue
            }
            switch byte {
            case UInt8(ascii: "\""): inString = true
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                depth += 1
                if depth > FilterParser.maximumDepth { return false }
            case UInt8(ascii: "}"), UInt8(ascii: "]"): depth -= 1
            default: break
            }
        }
        guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) else { return false }
        return object is [String: Any]
    }

    private func plain(_ value: FilterLiteral) -> String {
        switch value {
        case .string(let text): text
        case .number(let number): FilterLiteral.number(number).description
        case .bool(let flag): flag ? "true" : "false"
        case .null: "null"
        case .list: "[…]"
        }
    }

    private func quoted(_ text: String) -> String {
        FilterLiteral.string(FilterSyntaxError.excerpt(text)).description
    }
}
