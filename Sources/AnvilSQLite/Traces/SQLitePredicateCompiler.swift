import AnvilCore
import Foundation

/// Compiles ``RunPredicate`` to a SQLite boolean expression over the `runs` table aliased `alias`.
/// Every value is a bound parameter; user strings never become SQL text. The meaning follows
/// `RunPredicate+Semantics.swift` exactly (the storage contract suite compares the two).
struct SQLitePredicateCompiler {
    let alias: String
    private(set) var bindings: [SQLiteValue] = []
    private var aliasCounter = 0

    init(alias: String) { self.alias = alias }

    mutating func compile(_ p: RunPredicate) -> String {
        switch p {
        case .and(let items):
            guard !items.isEmpty else { return "1" }
            return "(" + items.map { compile($0) }.joined(separator: " AND ") + ")"
        case .or(let items):
            guard !items.isEmpty else { return "0" }
            return "(" + items.map { compile($0) }.joined(separator: " OR ") + ")"
        case .not(let item):
            // NOT of NULL is NULL; coalesce so negation matches the two-valued Swift semantics.
            return "NOT COALESCE(\(compile(item)), 0)"
        case .compare(let column, let op, let value):
            return compare(column, op, value)
        case .isNull(let column, let wantNull):
            return "(\(expression(column)) IS \(wantNull ? "" : "NOT ")NULL)"
        case .text(let target, let match):
            return text(target, match)
        case .hasTag(let tag):
            bindings.append(.text(tag))
            return "EXISTS (SELECT 1 FROM json_each(\(alias).tags) WHERE value = ?)"
        case .contains(let payload, let object):
            // Absent metadata counts as `{}`, so every run's metadata contains the empty object;
            // inputs and outputs must be objects.
            guard !object.isEmpty else { return payload == .metadata ? "1" : "(json_type(\(payloadColumn(payload))) = 'object')" }
            var parts = [objectGuard(payload)]
            for key in object.keys.sorted() {
                let member = nextAlias()
                let (source, pathBinding) = payloadSource(payload)
                if let pathBinding { bindings.append(.text(pathBinding)) }
                bindings.append(.text(key))
                let equal = jsonEquals(type: "\(member).type", value: "\(member).value", object[key]!)
                parts.append("EXISTS (SELECT 1 FROM json_each(\(source)\(pathBinding == nil ? "" : ", ?")) AS \(member) WHERE \(member).key = ? AND \(equal))")
            }
            return "(" + parts.joined(separator: " AND ") + ")"
        case .hasKey(let payload, let key):
            // Keys are matched as data through json_each: a JSON path cannot spell every key.
            let guardSQL = objectGuard(payload)
            let member = nextAlias()
            let (source, pathBinding) = payloadSource(payload)
            if let pathBinding { bindings.append(.text(pathBinding)) }
            bindings.append(.text(key))
            return "(\(guardSQL) AND EXISTS (SELECT 1 FROM json_each(\(source)\(pathBinding == nil ? "" : ", ?")) AS \(member) WHERE \(member).key = ?))"
        case .entry(let payload, let key, let value):
            // SQL order: json_each(col[, path]) in FROM, then the object guard, then conditions.
            let (column, jsonPath) = payloadSource(payload)
            var from = "json_each(\(column)"
            if let jsonPath {
                from += ", ?"
                bindings.append(.text(jsonPath))
            }
            from += ") AS e"
            var guardSQL = "json_type(\(column)) = 'object'"
            if let jsonPath {
                guardSQL = "json_type(\(column), ?) = 'object'"
                bindings.append(.text(jsonPath))
            }
            var conditions = [guardSQL]
            if let key { conditions.append(keyCondition("e.key", key)) }
            if let value { conditions.append(valueCondition(type: "e.type", value: "e.value", value)) }
            return "EXISTS (SELECT 1 FROM \(from) WHERE \(conditions.joined(separator: " AND ")))"
        case .feedback(let key, let score, let value):
            var conditions = ["f.run_id = \(alias).id", "f.tenant_id = \(alias).tenant_id"]
            if let key { conditions.append(keyCondition("f.key", key)) }
            if let score {
                conditions.append("f.score IS NOT NULL")
                conditions.append(valueCondition(type: "'real'", value: "f.score", score))
            }
            if let value {
                conditions.append("f.value IS NOT NULL")
                conditions.append(valueCondition(type: "json_type(f.value)", value: "json_extract(f.value, '$')", value))
            }
            return "EXISTS (SELECT 1 FROM feedback f WHERE \(conditions.joined(separator: " AND ")))"
        }
    }

    // MARK: columns

    func expression(_ c: RunColumn) -> String {
        let a = alias
        switch c {
        case .id: return "\(a).id"
        case .name: return "\(a).name"
        case .runType: return "\(a).run_type"
        case .status: return "\(a).status"
        case .startTime: return "\(a).start_time"
        case .endTime: return "\(a).end_time"
        case .latency: return "((\(a).end_time - \(a).start_time) / 1000000.0)"
        case .firstTokenTime: return "((\(a).first_token_time - \(a).start_time) / 1000000.0)"
        case .totalTokens: return "COALESCE(\(a).total_tokens, 0)"
        case .promptTokens: return "COALESCE(\(a).prompt_tokens, 0)"
        case .completionTokens: return "COALESCE(\(a).completion_tokens, 0)"
        case .totalCost: return "COALESCE(\(a).total_cost, 0)"
        case .promptCost: return "COALESCE(\(a).prompt_cost, 0)"
        case .completionCost: return "COALESCE(\(a).completion_cost, 0)"
        case .error: return "\(a).error"
        case .isRoot: return "(\(a).parent_run_id IS NULL)"
        case .traceId: return "\(a).trace_id"
        case .parentRunId: return "\(a).parent_run_id"
        case .sessionId: return "\(a).session_id"
        case .referenceExampleId: return "\(a).reference_example_id"
        case .threadId: return "\(a).thread_id"
        }
    }

    /// The SQL type family of a column, to refuse mismatched comparisons like the Swift semantics do.
    private func family(_ c: RunColumn) -> String {
        switch c {
        case .id, .traceId, .parentRunId, .sessionId, .referenceExampleId: "uuid"
        case .name, .runType, .status, .error, .threadId: "text"
        case .startTime, .endTime: "time"
        case .isRoot: "bool"
        default: "number"
        }
    }

    private func family(_ v: PredicateValue) -> String {
        switch v {
        case .text: "text"
        case .number: "number"
        case .bool: "bool"
        case .uuid: "uuid"
        case .time: "time"
        case .list: "list"
        }
    }

    private mutating func bind(_ v: PredicateValue) {
        switch v {
        case .text(let s): bindings.append(.text(s))
        case .number(let n): bindings.append(.double(n))
        case .bool(let b): bindings.append(.int(b ? 1 : 0))
        case .uuid(let u): bindings.append(.uuid(u))
        case .time(let t): bindings.append(.int(t.microseconds))
        case .list: bindings.append(.null)
        }
    }

    private mutating func compare(_ c: RunColumn, _ op: CompareOp, _ value: PredicateValue) -> String {
        let expr = expression(c)
        if op == .in, case .list(let items) = value {
            let usable = items.filter { family($0) == family(c) }
            guard !usable.isEmpty else { return "0" }
            for item in usable { bind(item) }
            return "(\(expr) IN (\(Array(repeating: "?", count: usable.count).joined(separator: ", "))))"
        }
        guard family(value) == family(c) else { return "0" }
        bind(value)
        return "(\(expr) \(sqlOp(op)) ?)"
    }

    private func sqlOp(_ op: CompareOp) -> String {
        switch op {
        case .eq, .in: "="
        case .neq: "!="
        case .gt: ">"
        case .gte: ">="
        case .lt: "<"
        case .lte: "<="
        }
    }

    // MARK: text

    private mutating func text(_ target: TextTarget, _ match: TextMatch) -> String {
        switch target {
        case .column(let c): return textMatch(expression(c), match)
        case .payload(let p): return textMatch(payloadText(p), match)
        case .anywhere:
            let targets = ["\(alias).name", "\(alias).error", payloadColumn(.inputs), payloadColumn(.outputs), payloadText(.metadata)]
            return "(" + targets.map { textMatch($0, match) }.joined(separator: " OR ") + ")"
        }
    }

    private mutating func textMatch(_ expr: String, _ match: TextMatch) -> String {
        switch match {
        case .like(let pattern):
            bindings.append(.text(pattern))
            return "(\(expr) LIKE ? ESCAPE '\\')"
        case .notLike(let pattern):
            bindings.append(.text(pattern))
            return "(\(expr) NOT LIKE ? ESCAPE '\\')"
        case .contains(let needle):
            if needle.isEmpty { return "(\(expr) IS NOT NULL)" }
            bindings.append(.text(needle))
            return "(instr(lower(\(expr)), lower(?)) > 0)"
        }
    }

    // MARK: payloads

    private func payloadColumn(_ p: Payload) -> String {
        switch p {
        // Inputs and outputs may be stored compressed (StoredPayload): SQL sees them through anvil_json.
        case .inputs: "anvil_json(\(alias).inputs)"
        case .outputs: "anvil_json(\(alias).outputs)"
        case .metadata: "\(alias).extra"
        }
    }

    /// A payload as text. Inputs and outputs are the JSON as sent; metadata is its text form (sorted
    /// keys), and only when it is a non-empty object, as the semantics define it.
    private func payloadText(_ p: Payload) -> String {
        guard p == .metadata else { return payloadColumn(p) }
        let column = payloadColumn(p)
        return """
            (CASE WHEN json_type(\(column), '$.metadata') = 'object' \
            THEN NULLIF(\(textForm(type: "'object'", value: "json_extract(\(column), '$.metadata')")), '{}') END)
            """
    }

    /// The column and JSON path (nil = the whole value) whose object a predicate looks into.
    private func payloadSource(_ p: Payload) -> (column: String, path: String?) {
        p == .metadata ? (payloadColumn(p), "$.metadata") : (payloadColumn(p), nil)
    }

    /// `json_type(payload) = 'object'` (binding the metadata path when there is one).
    private mutating func objectGuard(_ p: Payload) -> String {
        let (column, jsonPath) = payloadSource(p)
        guard let jsonPath else { return "(json_type(\(column)) = 'object')" }
        bindings.append(.text(jsonPath))
        return "(json_type(\(column), ?) = 'object')"
    }

    /// A fresh alias for a nested `json_each`, so correlated subqueries never shadow each other.
    mutating func nextAlias() -> String {
        aliasCounter += 1
        return "j\(aliasCounter)"
    }

    /// Whether the JSON value described by a `json_each` row (`type`, `value`) equals `literal`:
    /// numbers numerically, objects by their key sets and members, arrays element by element
    /// (`JSONValue.jsonEquals`). Container values are JSON text, so recursion re-enters them
    /// with `json_each`, whose `key` is the member name (never a path), so any key works.
    mutating func jsonEquals(type: String, value: String, _ literal: JSONValue) -> String {
        switch literal {
        case .string(let s):
            bindings.append(.text(s))
            return "(\(type) = 'text' AND \(value) = ?)"
        case .int, .double:
            bindings.append(.double(literal.numericValue ?? 0))
            return "(\(type) IN ('integer', 'real') AND \(value) = ?)"
        case .bool(let b):
            return "(\(type) = '\(b ? "true" : "false")')"
        case .null:
            return "(\(type) = 'null')"
        case .object(let fields):
            var parts = ["\(type) = 'object'", "(SELECT count(*) FROM json_each(\(value))) = \(fields.count)"]
            for key in fields.keys.sorted() {
                let member = nextAlias()
                bindings.append(.text(key))
                let inner = jsonEquals(type: "\(member).type", value: "\(member).value", fields[key]!)
                parts.append("EXISTS (SELECT 1 FROM json_each(\(value)) AS \(member) WHERE \(member).key = ? AND \(inner))")
            }
            return "(" + parts.joined(separator: " AND ") + ")"
        case .array(let items):
            var parts = ["\(type) = 'array'", "json_array_length(\(value)) = \(items.count)"]
            for (i, item) in items.enumerated() {
                let member = nextAlias()
                let inner = jsonEquals(type: "\(member).type", value: "\(member).value", item)
                parts.append("EXISTS (SELECT 1 FROM json_each(\(value)) AS \(member) WHERE \(member).key = \(i) AND \(inner))")
            }
            return "(" + parts.joined(separator: " AND ") + ")"
        }
    }

    // MARK: entry conditions

    private mutating func keyCondition(_ expr: String, _ condition: EntryCondition) -> String {
        switch condition {
        case .text(let m): return textMatch(expr, m)
        case .compare(.in, .list(let items)):
            for item in items { bindings.append(.text(item.asText.textForm)) }
            return "(\(expr) IN (\(Array(repeating: "?", count: items.count).joined(separator: ", "))))"
        case .compare(let op, let v):
            bindings.append(.text(v.asText.textForm))
            return "(\(expr) \(sqlOp(op)) ?)"
        }
    }

    /// The text form of a JSON value given its `json_type` and SQL value (see the semantics doc),
    /// computed by the Swift semantics themselves (``SQLiteTextForm``).
    private func textForm(type: String, value: String) -> String {
        "\(SQLiteTextForm.name)(\(type), \(value))"
    }

    private mutating func valueCondition(type: String, value: String, _ condition: EntryCondition) -> String {
        let tf = textForm(type: type, value: value)
        switch condition {
        case .text(let m):
            return textMatch(tf, m)
        case .compare(.in, .list(let items)):
            guard !items.isEmpty else { return "0" }
            return "(" + items.map { valueCondition(type: type, value: value, .compare(.eq, $0)) }.joined(separator: " OR ") + ")"
        case .compare(let op, .number(let n)):
            bindings.append(.double(n))
            let numeric = "(\(value) \(sqlOp(op)) ?)"
            switch op {
            case .eq, .neq, .in:
                bindings.append(.text(PredicateValue.number(n).textForm))
                return "(CASE WHEN \(type) IN ('integer', 'real') THEN \(numeric) ELSE (\(tf) \(sqlOp(op)) ?) END)"
            default:
                return "(CASE WHEN \(type) IN ('integer', 'real') THEN \(numeric) ELSE 0 END)"
            }
        case .compare(let op, let literal):
            bindings.append(.text(literal.asText.textForm))
            switch op {
            case .eq, .in: return "(\(tf) = ?)"
            case .neq: return "(\(tf) != ?)"
            default:
                if case .text = literal { return "(CASE WHEN \(type) = 'text' THEN \(value) \(sqlOp(op)) ? ELSE 0 END)" }
                return "(0 AND ? IS NULL)"
            }
        }
    }
}
