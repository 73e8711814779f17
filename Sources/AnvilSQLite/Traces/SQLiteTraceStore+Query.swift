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

    /// Aggregates over the runs `from` selects (a `runs r WHERE …` fragment), in one pass over the
    /// rows: sums, counts and the latency values, whose percentiles are taken in Swift (the nearest
    /// rank of `Percentile.index`, as an `ORDER BY … LIMIT 1 OFFSET` would pick; a run with an end but
    /// no start has an unknown latency, which sorts first as SQL's NULL does).
    static func stats(_ conn: SQLiteConnection, from: String, _ bindings: [SQLiteValue], tenantId: UUID) throws -> RunStats {
        var s = RunStats()
        var latencies: [Double?] = []
        var firstTokens: [Double?] = []
        var errors = 0
        var promptTokens: Int64 = 0, completionTokens: Int64 = 0, totalTokens: Int64 = 0
        var promptCost: Double?, completionCost: Double?, totalCost: Double?
        var lastStart: Int64?
        func add(_ sum: inout Double?, _ v: Double?) { if let v { sum = (sum ?? 0) + v } }
        try conn.query("""
            SELECT r.start_time, r.end_time, r.first_token_time, r.prompt_tokens, r.completion_tokens, r.total_tokens,
                   r.prompt_cost, r.completion_cost, r.total_cost, r.error IS NOT NULL
            FROM \(from)
            """, bindings) { row in
            s.runCount += 1
            let start = row.int(0)
            if let end = row.int(1) { latencies.append(start.map { Double(end - $0) / 1_000_000 }) }
            if let first = row.int(2) { firstTokens.append(start.map { Double(first - $0) / 1_000_000 }) }
            promptTokens &+= row.int(3) ?? 0
            completionTokens &+= row.int(4) ?? 0
            totalTokens &+= row.int(5) ?? 0
            add(&promptCost, row.double(6))
            add(&completionCost, row.double(7))
            add(&totalCost, row.double(8))
            if row.int(9) == 1 { errors += 1 }
            if let start, start > (lastStart ?? .min) { lastStart = start }
        }
        s.promptTokens = promptTokens
        s.completionTokens = completionTokens
        s.totalTokens = totalTokens
        s.promptCost = promptCost
        s.completionCost = completionCost
        s.totalCost = totalCost
        if s.runCount > 0 { s.errorRate = Double(errors) / Double(s.runCount) }
        s.lastRunStartTime = lastStart.map(Timestamp.init(microseconds:))
        func percentiles(_ values: inout [Double?], _ ps: [Double]) -> [Double?] {
            guard !values.isEmpty else { return ps.map { _ in nil } }
            values.sort { a, b in
                guard let b else { return false }
                guard let a else { return true }
                return a < b
            }
            return ps.map { values[Percentile.index($0, count: values.count)] }
        }
        let l = percentiles(&latencies, [0.5, 0.99])
        s.latencyP50 = l[0]
        s.latencyP99 = l[1]
        let f = percentiles(&firstTokens, [0.5, 0.99])
        s.firstTokenP50 = f[0]
        s.firstTokenP99 = f[1]
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
