import AnvilCore
import AnvilStorage
import Foundation

/// Decodes `POST /runs/query` and `/runs/stats` bodies (`BodyParamsForRunsQuerySchema`).
enum RunQueryBody {
    static func parse(_ b: [String: JSONValue], tenantId: UUID) throws -> (RunQuery, Set<String>) {
        let limit = try b.int("limit") ?? 100
        guard (1...1000).contains(limit) else { throw APIError.unprocessable("limit must be between 1 and 1000") }
        var q = RunQuery(tenantId: tenantId, limit: limit)
        q.sessionIds = try b.uuids("session")
        q.ids = try b.uuids("id")
        q.traceId = try b.uuid("trace")
        q.parentRunId = try b.uuid("parent_run")
        q.referenceExampleIds = try b.uuids("reference_example")
        q.runType = try b.string("run_type")
        q.isRoot = try b.bool("is_root")
        q.error = try b.bool("error")
        q.startTime = try b.time("start_time")
        q.endTime = try b.time("end_time")
        if let order = try b.string("order") {
            guard let o = SortOrder(rawValue: order.lowercased()) else { throw APIError.unprocessable("order must be 'asc' or 'desc'") }
            q.order = o
        }
        q.filter = try filter(b, "filter")
        q.traceFilter = try filter(b, "trace_filter")
        q.treeFilter = try filter(b, "tree_filter")
        if let search = try b.string("search_filter"), !search.isEmpty {
            let expr = FilterExpression.comparison(FilterComparison(op: .search, field: nil, value: .string(search)))
            q.filter = q.filter.map { .and([$0, expr]) } ?? expr
        }
        if let cursor = try b.string("cursor") {
            guard let c = RunCursor(token: cursor) else { throw APIError.unprocessable("cursor is not a valid page cursor") }
            q.cursor = c
        }
        var fields = RunJSON.defaultFields
        if case .array(let select)? = b["select"], !select.isEmpty {
            fields = Set(select.compactMap(\.stringValue).map { $0.lowercased() })
        }
        for payload in RunQuery.Payload.allCases where !fields.contains(payload.rawValue) && !fields.contains(payload.rawValue + "_preview") {
            q.omit.insert(payload)
        }
        return (q, fields)
    }

    static func filter(_ b: [String: JSONValue], _ key: String) throws -> FilterExpression? {
        guard let text = try b.string(key), !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { return nil }
        do {
            return try FilterParser.parse(text)
        } catch {
            throw APIError.badRequest("invalid \(key) at offset \(error.offset): \(error.message)")
        }
    }
}
