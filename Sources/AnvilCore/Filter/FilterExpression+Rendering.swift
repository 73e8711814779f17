// Renders filters back to canonical filter-language text: for logs, for error messages, and so
// that `FilterParser.parse(expression.description) == expression` holds for anything the parser
// returned (the round-trip tests rely on it).

extension FilterExpression: CustomStringConvertible {
    /// Canonical filter text, e.g. `and(eq(run_type, "llm"), gt(latency, 5))`.
    public var description: String {
        switch self {
        case .and(let children): "and(" + children.map(\.description).joined(separator: ", ") + ")"
        case .or(let children): "or(" + children.map(\.description).joined(separator: ", ") + ")"
        case .not(let child): "not(\(child))"
        case .comparison(let comparison): comparison.description
        }
    }
}

extension FilterComparison: CustomStringConvertible {
    /// Canonical text of this comparison, e.g. `has(tags, "beta")` or `search("text")`.
    public var description: String {
        guard let field else { return "\(op.rawValue)(\(value))" }
        return "\(op.rawValue)(\(field.name), \(value))"
    }
}

extension FilterLiteral: CustomStringConvertible {
    /// Filter-language spelling: double-quoted strings with JSON-style escapes, shortest
    /// round-tripping numbers, `true`/`false`/`null`, `[a, b]`.
    public var description: String {
        switch self {
        case .string(let text): Self.quote(text)
        case .number(let number): Self.format(number)
        case .bool(let flag): flag ? "true" : "false"
        case .null: "null"
        case .list(let items): "[" + items.map(\.description).joined(separator: ", ") + "]"
        }
    }

    private static func format(_ number: Double) -> String {
        // Integral values print without ".0" so token counts read naturally; 2^53 bounds the
        // range where the conversion is exact.
        if number.rounded() == number, abs(number) < 9_007_199_254_740_992 {
            return String(Int64(number))
        }
        return "\(number)"
    }

    private static func quote(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F:
                let hex = String(scalar.value, radix: 16, uppercase: true)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
