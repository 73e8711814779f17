/// Gives meaning to a syntactically valid filter: resolves operators and fields, checks arity,
/// operator/field compatibility and values, and normalises values (see ``FilterField``).
/// Recursion follows the syntax tree, whose depth the parser already bounded.
enum FilterAnalyzer {
    static func expression(_ call: FilterSyntaxCall) throws(FilterSyntaxError) -> FilterExpression {
        let name = call.name.lowercased()
        switch name {
        case "and", "or":
            guard !call.arguments.isEmpty else {
                throw FilterSyntaxError(
                    .wrongArguments,
                    "\(name)() needs at least one condition, e.g. \(name)(eq(is_root, true), has(tags, \"beta\"))",
                    at: call.closeOffset
                )
            }
            var children: [FilterExpression] = []
            children.reserveCapacity(call.arguments.count)
            for argument in call.arguments {
                children.append(try condition(argument, inside: name))
            }
            if children.count == 1 { return children[0] }
            return name == "and" ? .and(children) : .or(children)
        case "not":
            guard call.arguments.count == 1 else {
                let offset = call.arguments.count > 1 ? call.arguments[1].offset : call.closeOffset
                throw FilterSyntaxError(
                    .wrongArguments,
                    "not() takes exactly one condition, e.g. not(has(tags, \"beta\")); "
                        + "to negate several write not(and(…, …))",
                    at: offset
                )
            }
            return .not(try condition(call.arguments[0], inside: name))
        default:
            guard let op = operatorNamed(name) else {
                let suggestion = closest(to: name, among: allFunctionNames).map { " (did you mean \($0)?)" } ?? ""
                throw FilterSyntaxError(
                    .unknownOperator,
                    "unknown function '\(FilterSyntaxError.excerpt(call.name))'\(suggestion). The functions are "
                        + allFunctionNames.joined(separator: ", "),
                    at: call.nameOffset
                )
            }
            return .comparison(try comparison(op, call))
        }
    }

    /// Names accepted for each operator, besides its raw value.
    private static func operatorNamed(_ lowercased: String) -> FilterOperator? {
        lowercased == "notlike" ? .notLike : FilterOperator(rawValue: lowercased)
    }

    private static let allFunctionNames = ["and", "or", "not"] + FilterOperator.allCases.map(\.rawValue)

    private static func condition(
        _ argument: FilterSyntaxArgument, inside name: String
    ) throws(FilterSyntaxError) -> FilterExpression {
        switch argument {
        case .call(let call):
            return try expression(call)
        case .identifier(let word, let offset):
            let example = FilterField(name: word).map(exampleCondition) ?? "eq(name, \"my_chain\")"
            throw FilterSyntaxError(
                .wrongArguments,
                "\(name)() takes conditions, not the bare word '\(FilterSyntaxError.excerpt(word))'; write e.g. \(example)",
                at: offset
            )
        case .literal(_, let offset), .list(_, let offset):
            throw FilterSyntaxError(
                .wrongArguments,
                "\(name)() takes conditions such as eq(name, \"my_chain\"), not values",
                at: offset
            )
        }
    }

    private static func comparison(
        _ op: FilterOperator, _ call: FilterSyntaxCall
    ) throws(FilterSyntaxError) -> FilterComparison {
        let arguments = call.arguments
        if op == .search, arguments.count == 1 {
            guard case .literal(.string(let text), let offset) = arguments[0] else {
                throw FilterSyntaxError(
                    .wrongArguments,
                    "search() with one argument takes quoted text, e.g. search(\"timeout\"); "
                        + "to search one field write search(name, \"timeout\")",
                    at: arguments[0].offset
                )
            }
            guard !text.isEmpty else {
                throw FilterSyntaxError(.invalidValue, "search text is empty; give the text to look for", at: offset)
            }
            return FilterComparison(op: .search, field: nil, value: .string(text))
        }
        guard arguments.count == 2 else {
            let offset = arguments.count > 2 ? arguments[2].offset : call.closeOffset
            let forms = op == .search ? "one or two arguments" : "two arguments, a field and a value"
            throw FilterSyntaxError(
                .wrongArguments,
                "\(op.rawValue)() takes \(forms), e.g. \(exampleCall(op)); it was given \(arguments.count)",
                at: offset
            )
        }
        let field = try resolveField(arguments[0], for: op)
        guard field.accepts(op) else {
            let allowed = field.allowedOperators.map(\.rawValue).joined(separator: ", ")
            throw FilterSyntaxError(
                .operatorNotAllowed,
                "\(op.rawValue)() cannot be used with \(field.name), which supports \(allowed); "
                    + "e.g. \(exampleCondition(field))",
                at: call.nameOffset
            )
        }
        let value = try resolveValue(arguments[1], of: field, for: op)
        return FilterComparison(op: op, field: field, value: value)
    }

    private static func resolveField(
        _ argument: FilterSyntaxArgument, for op: FilterOperator
    ) throws(FilterSyntaxError) -> FilterField {
        switch argument {
        case .identifier(let word, let offset):
            if let field = FilterField(name: word) { return field }
            let names = FilterField.allCases.map(\.name)
            let suggestion = closest(to: word, among: names + FilterField.aliases.keys.sorted())
                .map { " (did you mean \($0)?)" } ?? ""
            throw FilterSyntaxError(
                .unknownField,
                "unknown field '\(FilterSyntaxError.excerpt(word))'\(suggestion). The fields are " + names.joined(separator: ", "),
                at: offset
            )
        case .literal(.string(let text), let offset):
            let message = FilterField(name: text).map {
                "field names are written without quotes: \(op.rawValue)(\($0.name), …)"
            } ?? "the first argument of \(op.rawValue)() is a field name without quotes, e.g. \(exampleCall(op))"
            throw FilterSyntaxError(.wrongArguments, message, at: offset)
        case .literal(_, let offset), .list(_, let offset):
            throw FilterSyntaxError(
                .wrongArguments,
                "the first argument of \(op.rawValue)() is a field name, e.g. \(exampleCall(op))",
                at: offset
            )
        case .call(let call):
            throw FilterSyntaxError(
                .wrongArguments,
                "the first argument of \(op.rawValue)() is a field name; conditions nest only inside "
                    + "and(), or() and not()",
                at: call.nameOffset
            )
        }
    }

    private static func resolveValue(
        _ argument: FilterSyntaxArgument, of field: FilterField, for op: FilterOperator
    ) throws(FilterSyntaxError) -> FilterLiteral {
        switch argument {
        case .call(let call):
            throw FilterSyntaxError(
                .wrongArguments,
                "the second argument of \(op.rawValue)() is a value; conditions nest only inside "
                    + "and(), or() and not()",
                at: call.nameOffset
            )
        case .identifier(let word, let offset):
            let message = FilterField(name: word) != nil
                ? "'\(word)' is a field; a field can only be compared with a literal value"
                : "'\(FilterSyntaxError.excerpt(word))' is not a value; put text in quotes: \"\(FilterSyntaxError.excerpt(word))\""
            throw FilterSyntaxError(.invalidValue, message, at: offset)
        case .list(let items, let offset):
            guard op == .in else {
                throw FilterSyntaxError(
                    .invalidValue,
                    "a list is only allowed as the second argument of in(), e.g. in(\(field.name), [\"a\", \"b\"])",
                    at: offset
                )
            }
            guard !items.isEmpty else {
                throw FilterSyntaxError(.invalidValue, "in() needs at least one value in its list", at: offset)
            }
            var values: [FilterLiteral] = []
            values.reserveCapacity(items.count)
            for item in items {
                values.append(try normalise(item.value, of: field, for: .in, at: item.offset))
            }
            return .list(values)
        case .literal(let literal, let offset):
            guard op != .in else {
                throw FilterSyntaxError(
                    .invalidValue,
                    "in() takes a list of values, e.g. in(\(field.name), [\(literal), …])",
                    at: offset
                )
            }
            return try normalise(literal, of: field, for: op, at: offset)
        }
    }

    private static func normalise(
        _ literal: FilterLiteral, of field: FilterField, for op: FilterOperator, at offset: Int
    ) throws(FilterSyntaxError) -> FilterLiteral {
        do {
            return try field.normalisedValue(literal, for: op)
        } catch {
            throw FilterSyntaxError(.invalidValue, error.message, at: offset)
        }
    }

    // MARK: Messages

    private static func exampleCall(_ op: FilterOperator) -> String {
        switch op {
        case .eq: "eq(name, \"my_chain\")"
        case .neq: "neq(error, null)"
        case .gt: "gt(latency, \"5s\")"
        case .gte: "gte(total_tokens, 1000)"
        case .lt: "lt(latency, 2)"
        case .lte: "lte(start_time, \"2024-01-15T00:00:00Z\")"
        case .has: "has(tags, \"beta\")"
        case .search: "search(\"timeout\") or search(name, \"agent\")"
        case .in: "in(run_type, [\"llm\", \"chain\"])"
        case .like: "like(name, \"%agent%\")"
        case .notLike: "not_like(name, \"%test%\")"
        case .exists: "exists(metadata, \"user_id\")"
        }
    }

    /// A valid condition on `field` using its first allowed operator.
    static func exampleCondition(_ field: FilterField) -> String {
        let op = field.allowedOperators.first ?? .eq
        let value = switch field.valueKind {
        case .uuid: "\"0e3a7c4e-5b1f-4c3d-9a8b-2f6d1e0c9b7a\""
        case .text, .anyScalar, .tagList: op == .in ? "[\"a\", \"b\"]" : "\"value\""
        case .timestamp: "\"2024-01-15T00:00:00Z\""
        case .duration: "\"5s\""
        case .number: "100"
        case .boolean: "true"
        case .jsonObject: "'{\"key\": \"value\"}'"
        case .error: "null"
        }
        return "\(op.rawValue)(\(field.name), \(value))"
    }

    /// The candidate nearest to `word` by edit distance (ignoring case and underscores), if it
    /// is close enough to be a plausible typo.
    static func closest(to word: String, among candidates: [String]) -> String? {
        let target = Array(FilterField.fold(word).utf8)
        guard !target.isEmpty, target.count <= 64 else { return nil }
        var best: (name: String, distance: Int)?
        for candidate in candidates {
            let distance = editDistance(target, Array(FilterField.fold(candidate).utf8))
            if distance < (best?.distance ?? Int.max) { best = (candidate, distance) }
        }
        guard let best, best.distance <= max(1, min(3, target.count / 3)) else { return nil }
        return best.name
    }

    private static func editDistance(_ a: [UInt8], _ b: [UInt8]) -> Int {
        var previous = Array(0...b.count)
        for (i, x) in a.enumerated() {
            var current = [i + 1] + Array(repeating: 0, count: b.count)
            for (j, y) in b.enumerated() {
                current[j + 1] = min(previous[j + 1] + 1, current[j] + 1, previous[j] + (x == y ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }
}
