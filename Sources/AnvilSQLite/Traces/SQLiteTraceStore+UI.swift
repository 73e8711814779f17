import AnvilCore
import AnvilStorage
import Foundation

extension SQLiteTraceStore: UITraceQueries {
    public func traceRuns(traceId: UUID, tenantId: UUID, limit: Int) async throws -> [Run] {
        let columns = RunRow.selectList(alias: "r", omit: Set(RunQuery.Payload.allCases))
        return try await db.read { conn in
            var out: [Run] = []
            try conn.query(
                "SELECT \(columns) FROM runs r WHERE r.trace_id = ? AND r.tenant_id = ? AND r.posted = 1 ORDER BY r.dotted_order LIMIT ?",
                [.uuid(traceId), .uuid(tenantId), .int(Int64(max(1, limit)))]
            ) { row in out.append(RunRow.decode(row)) }
            return out
        }
    }

    public func threads(projectId: UUID, tenantId: UUID, search: String?, limit: Int, offset: Int) async throws -> ThreadPage {
        var scope = "r.tenant_id = ? AND r.session_id = ? AND r.posted = 1 AND r.parent_run_id IS NULL AND r.thread_id IS NOT NULL"
        var bindings: [SQLiteValue] = [.uuid(tenantId), .uuid(projectId)]
        if let search, !search.isEmpty {
            scope += " AND instr(lower(r.thread_id), lower(?)) > 0"
            bindings.append(.text(search))
        }
        let scopeSQL = scope
        let scopeBindings = bindings
        return try await db.read { conn in
            let total = Int(try conn.scalarInt("SELECT count(DISTINCT r.thread_id) FROM runs r WHERE \(scopeSQL)", scopeBindings) ?? 0)
            var threads: [ThreadSummary] = []
            try conn.query("""
                SELECT r.thread_id, count(*), min(r.start_time), max(r.start_time), sum(COALESCE(r.total_tokens, 0)),
                       sum(r.total_cost), sum(r.error IS NOT NULL)
                FROM runs r WHERE \(scopeSQL)
                GROUP BY r.thread_id ORDER BY max(r.start_time) DESC, r.thread_id DESC LIMIT ? OFFSET ?
                """, scopeBindings + [.int(Int64(max(1, limit))), .int(Int64(max(0, offset)))]) { row in
                var t = ThreadSummary(
                    threadId: row.string(0) ?? "", traceCount: Int(row.int(1) ?? 0),
                    firstStartTime: Timestamp(microseconds: row.int(2) ?? 0), lastStartTime: Timestamp(microseconds: row.int(3) ?? 0),
                    lastTraceId: UUID(), lastRunId: UUID())
                t.totalTokens = row.int(4) ?? 0
                t.totalCost = row.double(5)
                t.errorCount = Int(row.int(6) ?? 0)
                threads.append(t)
            }
            for i in threads.indices {
                let base = "FROM runs r WHERE r.tenant_id = ? AND r.session_id = ? AND r.posted = 1 AND r.parent_run_id IS NULL AND r.thread_id = ?"
                let b: [SQLiteValue] = [.uuid(tenantId), .uuid(projectId), .text(threads[i].threadId)]
                try conn.query("SELECT r.id, r.trace_id, r.name, r.outputs \(base) ORDER BY r.start_time DESC, r.id DESC LIMIT 1", b) { row in
                    threads[i].lastRunId = row.uuid(0) ?? threads[i].lastRunId
                    threads[i].lastTraceId = row.uuid(1) ?? threads[i].lastRunId
                    threads[i].lastName = row.string(2)
                    threads[i].lastOutputs = StoredPayload.raw(row, 3)
                }
                try conn.query("SELECT r.inputs \(base) ORDER BY r.start_time ASC, r.id ASC LIMIT 1", b) { row in
                    threads[i].firstInputs = StoredPayload.raw(row, 0)
                }
            }
            return ThreadPage(threads: threads, total: total)
        }
    }

    public func monitor(projectId: UUID, tenantId: UUID, start: Timestamp, end: Timestamp, bucketSeconds: Int64) async throws -> [MonitorBucket] {
        let width = max(1, bucketSeconds) * 1_000_000
        let count = Int((end.microseconds - start.microseconds + width - 1) / width)
        guard count > 0, count <= 10_000 else { return [] }
        let scope = "r.tenant_id = ? AND r.session_id = ? AND r.posted = 1 AND r.parent_run_id IS NULL AND r.start_time >= ? AND r.start_time < ?"
        let b: [SQLiteValue] = [.uuid(tenantId), .uuid(projectId), .time(start), .time(end)]
        let bucket = "((r.start_time - \(start.microseconds)) / \(width))"
        return try await db.read { conn in
            var out = (0..<count).map { MonitorBucket(start: Timestamp(microseconds: start.microseconds + Int64($0) * width)) }
            try conn.query("""
                SELECT \(bucket), count(*), sum(r.error IS NOT NULL), sum(COALESCE(r.prompt_tokens, 0)),
                       sum(COALESCE(r.completion_tokens, 0)), sum(COALESCE(r.total_tokens, 0)), sum(r.total_cost)
                FROM runs r WHERE \(scope) GROUP BY 1
                """, b) { row in
                guard let i = row.int(0).map(Int.init), out.indices.contains(i) else { return }
                out[i].traces = Int(row.int(1) ?? 0)
                out[i].errors = Int(row.int(2) ?? 0)
                out[i].promptTokens = row.int(3) ?? 0
                out[i].completionTokens = row.int(4) ?? 0
                out[i].totalTokens = row.int(5) ?? 0
                out[i].totalCost = row.double(6)
            }
            var latencies: [[Double]] = Array(repeating: [], count: count)
            try conn.query(
                "SELECT \(bucket), (r.end_time - r.start_time) / 1000000.0 AS l FROM runs r WHERE \(scope) AND r.end_time IS NOT NULL ORDER BY 1, l",
                b
            ) { row in
                guard let i = row.int(0).map(Int.init), latencies.indices.contains(i), let l = row.double(1) else { return }
                latencies[i].append(l)
            }
            for i in out.indices where !latencies[i].isEmpty {
                out[i].latencyP50 = latencies[i][Percentile.index(0.5, count: latencies[i].count)]
                out[i].latencyP99 = latencies[i][Percentile.index(0.99, count: latencies[i].count)]
            }
            try conn.query("""
                SELECT \(bucket), f.key, count(*), avg(f.score)
                FROM feedback f JOIN runs x ON x.id = f.run_id JOIN runs r ON r.id = x.trace_id
                WHERE \(scope) AND f.tenant_id = r.tenant_id AND x.tenant_id = r.tenant_id GROUP BY 1, 2
                """, b) { row in
                guard let i = row.int(0).map(Int.init), out.indices.contains(i), let key = row.string(1) else { return }
                out[i].feedback[key] = (Int(row.int(2) ?? 0), row.double(3))
            }
            return out
        }
    }
}
