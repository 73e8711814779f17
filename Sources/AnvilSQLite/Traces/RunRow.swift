import AnvilCore
import AnvilStorage
import Foundation

/// Maps ``Run`` to and from the `runs` table.
enum RunRow {
    /// Every stored column, in the order `decode` and `values` use.
    static let columns = [
        "id", "tenant_id", "session_id", "trace_id", "parent_run_id", "dotted_order", "name", "run_type",
        "start_time", "end_time", "status", "error", "inputs", "outputs", "extra", "events", "serialized",
        "tags", "reference_example_id", "attachments", "posted", "first_token_time", "thread_id",
        "own_prompt_tokens", "own_completion_tokens", "own_total_tokens", "own_prompt_cost",
        "own_completion_cost", "own_total_cost", "own_usage_details",
        "prompt_tokens", "completion_tokens", "total_tokens", "prompt_cost", "completion_cost",
        "total_cost", "usage_details", "inserted_at",
    ]

    /// Payload columns a list query may skip.
    static let payloadColumns: [RunQuery.Payload: String] = [
        .inputs: "inputs", .outputs: "outputs", .extra: "extra", .events: "events", .serialized: "serialized",
    ]

    /// `alias.col, …` with omitted payloads replaced by NULL.
    static func selectList(alias: String, omit: Set<RunQuery.Payload> = []) -> String {
        let omitted = Set(omit.compactMap { payloadColumns[$0] })
        return columns.map { omitted.contains($0) ? "NULL" : "\(alias).\($0)" }.joined(separator: ", ")
    }

    static let upsertSQL: String = {
        let placeholders = Array(repeating: "?", count: columns.count).joined(separator: ", ")
        let updates = columns.filter { !["id", "tenant_id", "inserted_at"].contains($0) }
            .map { "\($0) = excluded.\($0)" }.joined(separator: ", ")
        return "INSERT INTO runs (\(columns.joined(separator: ", "))) VALUES (\(placeholders)) ON CONFLICT(id) DO UPDATE SET \(updates)"
    }()

    static func values(_ r: Run, insertedAt: Timestamp) -> [SQLiteValue] {
        [
            .uuid(r.id), .uuid(r.tenantId), .uuid(r.sessionId), .uuid(r.traceId), .uuid(r.parentRunId),
            .text(r.dottedOrder), .text(r.name), .text(r.runType), .time(r.startTime), .time(r.endTime),
            .text(r.status.rawValue), .text(r.error), StoredPayload.value(r.inputs), StoredPayload.value(r.outputs), .json(r.extra),
            .json(r.events), .json(r.serialized),
            r.tags.isEmpty ? .null : .json(JSONValue.array(r.tags.map { .string($0) })),
            .uuid(r.referenceExampleId), attachmentsJSON(r.attachments),
            .int(r.posted ? 1 : 0), .time(r.firstTokenTime), .text(r.threadId),
            .int(r.usage.promptTokens), .int(r.usage.completionTokens), .int(r.usage.totalTokens),
            .double(r.usage.promptCost), .double(r.usage.completionCost), .double(r.usage.totalCost),
            .json(details(r.usage)),
            .int(r.rollupUsage.promptTokens), .int(r.rollupUsage.completionTokens), .int(r.rollupUsage.totalTokens),
            .double(r.rollupUsage.promptCost), .double(r.rollupUsage.completionCost), .double(r.rollupUsage.totalCost),
            .json(details(r.rollupUsage)),
            .time(insertedAt),
        ]
    }

    static func decode(_ row: SQLiteRow) -> Run {
        var r = Run(id: row.uuid(0) ?? UUID(), tenantId: row.uuid(1) ?? UUID())
        r.sessionId = row.uuid(2)
        r.traceId = row.uuid(3)
        r.parentRunId = row.uuid(4)
        r.dottedOrder = row.string(5)
        r.name = row.string(6)
        r.runType = row.string(7)
        r.startTime = row.int(8).map(Timestamp.init(microseconds:))
        r.endTime = row.int(9).map(Timestamp.init(microseconds:))
        r.error = row.string(11)
        r.inputs = StoredPayload.raw(row, 12)
        r.outputs = StoredPayload.raw(row, 13)
        r.extra = raw(row, 14)
        r.events = raw(row, 15)
        r.serialized = raw(row, 16)
        if let tags = row.bytes(17), case .array(let items)? = try? JSON.parse(tags) {
            r.tags = items.compactMap(\.stringValue)
        }
        r.referenceExampleId = row.uuid(18)
        if let a = row.bytes(19) { r.attachments = (try? JSONDecoder().decode([Attachment].self, from: Data(a))) ?? [] }
        r.posted = row.int(20) == 1
        r.firstTokenTime = row.int(21).map(Timestamp.init(microseconds:))
        r.threadId = row.string(22)
        r.usage = usage(row, 23, details: 29)
        r.rollupUsage = usage(row, 30, details: 36)
        return r
    }

    static func raw(_ row: SQLiteRow, _ i: Int) -> RawJSON? {
        row.bytes(i).map(RawJSON.init(validated:))
    }

    static func usage(_ row: SQLiteRow, _ i: Int, details: Int) -> RunUsage {
        var u = RunUsage()
        u.promptTokens = row.int(i)
        u.completionTokens = row.int(i + 1)
        u.totalTokens = row.int(i + 2)
        u.promptCost = row.double(i + 3)
        u.completionCost = row.double(i + 4)
        u.totalCost = row.double(i + 5)
        if let d = row.bytes(details), let v = try? JSON.parse(d) { applyDetails(v, to: &u) }
        return u
    }

    /// The four detail objects packed into one JSON column.
    static func details(_ u: RunUsage) -> JSONValue? {
        var o: [String: JSONValue] = [:]
        o["prompt_token_details"] = u.promptTokenDetails
        o["completion_token_details"] = u.completionTokenDetails
        o["prompt_cost_details"] = u.promptCostDetails
        o["completion_cost_details"] = u.completionCostDetails
        return o.isEmpty ? nil : .object(o)
    }

    static func applyDetails(_ v: JSONValue, to u: inout RunUsage) {
        u.promptTokenDetails = v["prompt_token_details"]
        u.completionTokenDetails = v["completion_token_details"]
        u.promptCostDetails = v["prompt_cost_details"]
        u.completionCostDetails = v["completion_cost_details"]
    }

    static func attachmentsJSON(_ a: [Attachment]) -> SQLiteValue {
        guard !a.isEmpty, let data = try? JSONEncoder().encode(a) else { return .null }
        return .textBytes(Array(data))
    }
}
