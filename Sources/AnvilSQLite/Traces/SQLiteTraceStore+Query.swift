import AnvilCore
import AnvilStorage
import Foundation

extension SQLiteTraceStore {
    /// WHERE clause (over alias `r`) and bindings for a run query, cursor excluded.
    static func whereClause(_ q: RunQuery) -> (String, [SQLiteValue]) {
        var conditions = ["r.tenant_id = ?", "r.posted = 1"]
        var bindings: [SQLiteValue] = [.uuid(q.tenantId)]
        func list(_ column: String, _ ids: [UUID]) {
            if ids.isEmpty {
                conditions.append("0")
            } else {
                conditions.append("\(column) IN (\(placeholders(ids.count)))")
                bindings += ids.map { .uuid($0) }
            }
        }
        if let s = q.sessionIds { list("r.session_id", s) }
        if let ids = q.ids { list("r.id", ids) }
        if let refs = q.referenceExampleIds { list("r.reference_example_id", refs) }
        if let t = q.traceId { conditions.append("r.trace_id = ?"); bindings.append(.uuid(t)) }
        if let p = q.parentRunId { conditions.append("r.parent_run_id = ?"); bindings.append(.uuid(p)) }
        if let rt = q.runType { conditions.append("r.run_type = ?"); bindings.append(.text(rt)) }
        if let root = q.isRoot { conditions.append(root ? "r.parent_run_id IS NULL" : "r.parent_run_id IS NOT NULL") }
        if let e = q.error { conditions.append(e ? "r.error IS NOT NULL" : "r.error IS NULL") }
        if let s = q.startTime { conditions.append("r.start_time >= ?"); bindings.append(.time(s)) }
        if let e = q.endTime { conditions.append("r.start_time <= ?"); bindings.append(.time(e)) }
        if let f = q.filter {
            var c = SQLitePredicateCompiler(alias: "r")
            conditions.append(c.compile(RunPredicate(f)))
            bindings += c.bindings
        }
        if let f = q.traceFilter {
            var c = SQLitePredicateCompiler(alias: "t")
            let sql = c.compile(RunPredicate(f))
            conditions.append("EXISTS (SELECT 1 FROM runs t WHERE t.trace_id = r.trace_id AND t.parent_run_id IS NULL AND t.posted = 1 AND t.tenant_id = r.tenant_id AND \(sql))")
            bindings += c.bindings
        }
        if let f = q.treeFilter {
            var c = SQLitePredicateCompiler(alias: "t")
            let sql = c.compile(RunPredicate(f))
            conditions.append("EXISTS (SELECT 1 FROM runs t WHERE t.trace_id = r.trace_id AND t.posted = 1 AND t.tenant_id = r.tenant_id AND \(sql))")
            bindings += c.bindings
        }
        return (conditions.joined(separator: " AND "), bindings)
    }

    public func queryRuns(_ q: RunQuery) async throws -> RunPage {
        var (clause, bindings) = Self.whereClause(q)
        let desc = q.order == .desc
        if let c = q.cursor {
            clause += " AND (r.start_time, r.id) \(desc ? "<" : ">") (?, ?)"
            bindings += [.time(c.startTime), .uuid(c.id)]
        }
        let limit = q.pageSize
        let sql = """
            SELECT \(RunRow.selectList(alias: "r", omit: q.omit)) FROM runs r WHERE \(clause)
            ORDER BY r.start_time \(desc ? "DESC" : "ASC"), r.id \(desc ? "DESC" : "ASC") LIMIT \(limit + 1)
            """
        let finalBindings = bindings
        let rows: [Run] = try await db.read { conn in
            var out: [Run] = []
            try conn.query(sql, finalBindings) { row in out.append(RunRow.decode(row)) }
            return out
        }
        let page = Array(rows.prefix(limit))
        let next = rows.count > limit ? page.last.map { RunCursor(startTime: $0.startTime ?? Timestamp(microseconds: 0), id: $0.id) } : nil
        return RunPage(runs: page, next: next)
    }

    public func runStats(_ q: RunQuery) async throws -> RunStats {
        let (clause, bindings) = Self.whereClause(q)
        return try await db.read { conn in try Self.stats(conn, from: "runs r WHERE \(clause)", bindings, tenantId: q.tenantId) }
    }

    /// Aggregates over the runs `from` selects (a `runs r WHERE …` fragment).
    static func stats(_ conn: SQLiteConnection, from: String, _ bindings: [SQLiteValue], tenantId: UUID) throws -> RunStats {
        var s = RunStats()
        var latencyCount = 0
        var firstTokenCount = 0
        try conn.query("""
            SELECT count(*), count(r.end_time), count(r.first_token_time),
                   sum(COALESCE(r.prompt_tokens, 0)), sum(COALESCE(r.completion_tokens, 0)), sum(COALESCE(r.total_tokens, 0)),
                   sum(r.prompt_cost), sum(r.completion_cost), sum(r.total_cost),
                   sum(r.error IS NOT NULL), max(r.start_time)
            FROM \(from)
            """, bindings) { row in
            s.runCount = Int(row.int(0) ?? 0)
            latencyCount = Int(row.int(1) ?? 0)
            firstTokenCount = Int(row.int(2) ?? 0)
            s.promptTokens = row.int(3) ?? 0
            s.completionTokens = row.int(4) ?? 0
            s.totalTokens = row.int(5) ?? 0
            s.promptCost = row.double(6)
            s.completionCost = row.double(7)
            s.totalCost = row.double(8)
            if s.runCount > 0 { s.errorRate = Double(row.int(9) ?? 0) / Double(s.runCount) }
            s.lastRunStartTime = row.int(10).map(Timestamp.init(microseconds:))
        }
        func percentile(_ expr: String, _ notNull: String, _ p: Double, _ count: Int) throws -> Double? {
            guard count > 0 else { return nil }
            var v: Double?
            try conn.query(
                "SELECT \(expr) AS v FROM \(from) AND \(notNull) IS NOT NULL ORDER BY v LIMIT 1 OFFSET \(Percentile.index(p, count: count))",
                bindings
            ) { row in v = row.double(0) }
            return v
        }
        let latency = "((r.end_time - r.start_time) / 1000000.0)"
        let firstToken = "((r.first_token_time - r.start_time) / 1000000.0)"
        s.latencyP50 = try percentile(latency, "r.end_time", 0.5, latencyCount)
        s.latencyP99 = try percentile(latency, "r.end_time", 0.99, latencyCount)
        s.firstTokenP50 = try percentile(firstToken, "r.first_token_time", 0.5, firstTokenCount)
        s.firstTokenP99 = try percentile(firstToken, "r.first_token_time", 0.99, firstTokenCount)
        var rows: [Feedback] = []
        // Only the workspace's own feedback: another one may have attached rows to these run ids.
        try conn.query(
            "SELECT \(FeedbackRow.selectList(alias: "f")) FROM feedback f WHERE f.run_id IN (SELECT r.id FROM \(from)) AND f.tenant_id = ? \(FeedbackRow.aggregateOrder)",
            bindings + [.uuid(tenantId)]
        ) { row in rows.append(FeedbackRow.decode(row)) }
        s.feedbackStats = FeedbackStats.aggregate(rows)
        return s
    }

    public func feedbackStats(runIds: [UUID], tenantId: UUID) async throws -> [UUID: [String: FeedbackStats]] {
        guard !runIds.isEmpty else { return [:] }
        let rows: [Feedback] = try await db.read { conn in
            var out: [Feedback] = []
            for start in stride(from: 0, to: runIds.count, by: Self.chunk) {
                let slice = Array(runIds[start..<min(runIds.count, start + Self.chunk)])
                try conn.query(
                    "SELECT \(FeedbackRow.selectList(alias: "f")) FROM feedback f WHERE f.tenant_id = ? AND f.run_id IN (\(Self.placeholders(slice.count))) \(FeedbackRow.aggregateOrder)",
                    [.uuid(tenantId)] + slice.map { .uuid($0) }
                ) { row in out.append(FeedbackRow.decode(row)) }
            }
            return out
        }
        return Dictionary(grouping: rows, by: { $0.runId! }).mapValues(FeedbackStats.aggregate)
    }

    public func projectStats(projectIds: [UUID], tenantId: UUID) async throws -> [UUID: ProjectStats] {
        try await db.read { conn in
            var out: [UUID: ProjectStats] = [:]
            for pid in projectIds {
                let roots = try Self.stats(
                    conn, from: "runs r WHERE r.tenant_id = ? AND r.session_id = ? AND r.posted = 1 AND r.parent_run_id IS NULL",
                    [.uuid(tenantId), .uuid(pid)], tenantId: tenantId)
                var p = ProjectStats()
                p.runCount = roots.runCount
                p.latencyP50 = roots.latencyP50
                p.latencyP99 = roots.latencyP99
                p.firstTokenP50 = roots.firstTokenP50
                p.firstTokenP99 = roots.firstTokenP99
                p.promptTokens = roots.promptTokens
                p.completionTokens = roots.completionTokens
                p.totalTokens = roots.totalTokens
                p.promptCost = roots.promptCost
                p.completionCost = roots.completionCost
                p.totalCost = roots.totalCost
                p.errorRate = roots.errorRate
                p.lastRunStartTime = try conn.scalarInt(
                    "SELECT max(start_time) FROM runs WHERE session_id = ? AND tenant_id = ? AND posted = 1",
                    [.uuid(pid), .uuid(tenantId)]
                ).map(Timestamp.init(microseconds:))
                var runFeedback: [Feedback] = []
                try conn.query(
                    "SELECT \(FeedbackRow.selectList(alias: "f")) FROM feedback f JOIN runs r ON r.id = f.run_id WHERE r.session_id = ? AND r.tenant_id = ? AND f.tenant_id = ? \(FeedbackRow.aggregateOrder)",
                    [.uuid(pid), .uuid(tenantId), .uuid(tenantId)]
                ) { row in runFeedback.append(FeedbackRow.decode(row)) }
                p.feedbackStats = FeedbackStats.aggregate(runFeedback)
                var sessionFeedback: [Feedback] = []
                try conn.query(
                    "SELECT \(FeedbackRow.selectList(alias: "f")) FROM feedback f WHERE f.session_id = ? AND f.tenant_id = ? AND f.run_id IS NULL \(FeedbackRow.aggregateOrder)",
                    [.uuid(pid), .uuid(tenantId)]
                ) { row in sessionFeedback.append(FeedbackRow.decode(row)) }
                p.sessionFeedbackStats = FeedbackStats.aggregate(sessionFeedback)
                out[pid] = p
            }
            return out
        }
    }

    public func deleteProjectData(projectId: UUID, tenantId: UUID) async throws {
        try await db.write { conn in
            try conn.transaction {
                try conn.run(
                    "DELETE FROM feedback WHERE tenant_id = ? AND (run_id IN (SELECT id FROM runs WHERE session_id = ? AND tenant_id = ?) OR (run_id IS NULL AND session_id = ?))",
                    [.uuid(tenantId), .uuid(projectId), .uuid(tenantId), .uuid(projectId)])
                try conn.run("DELETE FROM runs WHERE session_id = ? AND tenant_id = ?", [.uuid(projectId), .uuid(tenantId)])
            }
        }
    }
}
