import AnvilCore
import AnvilStorage
import Foundation
import Logging

/// The embedded ``TraceStore`` on SQLite (`traces.sqlite` in the data directory).
public final class SQLiteTraceStore: TraceStore {
    let db: SQLiteDatabase

    public init(path: String, logger: Logger) throws {
        db = try SQLiteDatabase(path: path, migrations: TraceMigrations.all, logger: logger, prepare: { try SQLiteTextForm.register($0); try StoredPayload.register($0) })
    }

    // MARK: writes

    public func write(runs updates: [RunUpdate], feedback: [Feedback], tenantId: UUID) async throws {
        try await db.write { conn in
            try conn.transaction {
                try Self.applyRuns(conn, updates, tenantId: tenantId)
                for f in feedback where f.tenantId == tenantId {
                    try Self.upsertFeedback(conn, f)
                }
            }
        }
    }

    static let chunk = 400

    static func load(_ conn: SQLiteConnection, ids: [UUID]) throws -> [UUID: Run] {
        var out: [UUID: Run] = [:]
        for start in stride(from: 0, to: ids.count, by: chunk) {
            let slice = Array(ids[start..<min(ids.count, start + chunk)])
            let sql = "SELECT \(RunRow.selectList(alias: "r")) FROM runs r WHERE r.id IN (\(placeholders(slice.count)))"
            try conn.query(sql, slice.map { .uuid($0) }) { row in
                let run = RunRow.decode(row)
                out[run.id] = run
            }
        }
        return out
    }

    static func applyRuns(_ conn: SQLiteConnection, _ updates: [RunUpdate], tenantId: UUID) throws {
        guard !updates.isEmpty else { return }
        var ids: [UUID] = []
        var seen = Set<UUID>()
        for u in updates where seen.insert(u.id).inserted { ids.append(u.id) }
        var runs = try load(conn, ids: ids)
        let previousUsage = runs.mapValues(\.usage)
        var touched: [UUID] = []
        var touchedSet = Set<UUID>()
        for u in updates {
            var run = runs[u.id] ?? Run(id: u.id, tenantId: tenantId)
            guard run.tenantId == tenantId else { continue }  // never merge into another workspace's run
            run.apply(u)
            runs[u.id] = run
            if touchedSet.insert(u.id).inserted { touched.append(u.id) }
        }
        try keepPromotedOrphans(conn, &runs, touched: touched, tenantId: tenantId)
        // Children posted without trace_id/dotted_order inherit them from their parent, parents
        // first so a chain of such runs in one write resolves whatever its order. Only a parent in
        // the same workspace counts: a foreign one must not pull the run into another trace.
        var waiting: [(UUID, UUID)] = []
        let orphans = touched.filter { runs[$0]!.parentRunId != nil && (runs[$0]!.traceId == nil || runs[$0]!.dottedOrder == nil) }
        if !orphans.isEmpty {
            let missingParents = orphans.compactMap { runs[$0]!.parentRunId }.filter { runs[$0] == nil }
            let parents = try load(conn, ids: missingParents)
            var resolved = Set<UUID>()
            func inherit(_ id: UUID) throws {
                guard touchedSet.contains(id), resolved.insert(id).inserted, let run = runs[id],
                    var parentId = run.parentRunId, run.traceId == nil || run.dottedOrder == nil
                else { return }
                try inherit(parentId)
                var parent = (runs[parentId] ?? parents[parentId]).flatMap { $0.tenantId == tenantId ? $0 : nil }
                if parent == nil, let hint = SDKParentHint(awaitedParent: parentId, run: run),
                    let sdkRun = try sdkParent(conn, &runs, hint, tenantId: tenantId)
                {
                    parentId = sdkRun.id
                    parent = sdkRun
                    runs[id]!.parentRunId = sdkRun.id
                }
                runs[id]!.inheritLineage(from: parent)
                if parent?.posted != true { waiting.append((id, parentId)) }
            }
            for id in orphans { try inherit(id) }
        }
        let now = Timestamp.now()
        for id in touched { runs[id]!.recomputeDerived() }
        // Traces new to the store arrive whole in one write: their roll-ups are computed here and
        // written by the upsert (see SQLiteTraceStore+BatchRollup.swift).
        let computed = try rollupsOfNewTraces(conn, &runs, touched: touched, tenantId: tenantId)
        for id in touched {
            try conn.run(RunRow.upsertSQL, RunRow.values(runs[id]!, insertedAt: now))
        }
        for (id, parentId) in waiting {
            try conn.run(
                "INSERT INTO awaiting_parent (run_id, tenant_id, parent_id, since) VALUES (?, ?, ?, ?) ON CONFLICT(run_id) DO NOTHING",
                [.uuid(id), .uuid(tenantId), .uuid(parentId), .time(now)])
        }
        var adopted = Set<UUID>()
        try adoptWaitingChildren(conn, &runs, parents: touched, tenantId: tenantId, rollup: &adopted)
        // Roll usage up through the subtree ranges of every other affected run.
        var rollup = touchedSet
        for id in touched where runs[id]!.usage != previousUsage[id] ?? RunUsage() {
            rollup.formUnion(runs[id]!.ancestorIds)
        }
        rollup.subtract(computed)
        rollup.formUnion(adopted)
        for id in rollup {
            try refreshRollup(conn, id: id, known: runs[id], tenantId: tenantId)
        }
    }

    /// Recomputes a run's roll-up as its own usage plus the sum over its dotted-order subtree.
    static func refreshRollup(_ conn: SQLiteConnection, id: UUID, known: Run?, tenantId: UUID) throws {
        var run = known
        if run == nil { run = try load(conn, ids: [id])[id] }
        guard let run, run.tenantId == tenantId, let trace = run.traceId, let order = run.dottedOrder else { return }
        // The subtree: same workspace (another one could forge this trace id and order), same
        // trace, dotted orders strictly inside `order.` … `order/`.
        let subtree = "tenant_id = ? AND trace_id = ? AND dotted_order > ? AND dotted_order < ?"
        let range: [SQLiteValue] = [.uuid(run.tenantId), .uuid(trace), .text(order + "."), .text(order + "/")]
        var total = run.usage
        var detailRows = 0
        try conn.query("""
            SELECT sum(own_prompt_tokens), sum(own_completion_tokens), sum(own_total_tokens),
                   sum(own_prompt_cost), sum(own_completion_cost), sum(own_total_cost), count(own_usage_details), count(*)
            FROM runs WHERE \(subtree)
            """, range) { row in
            guard (row.int(7) ?? 0) > 0 else { return }
            var sum = RunUsage()
            sum.promptTokens = row.int(0)
            sum.completionTokens = row.int(1)
            sum.totalTokens = row.int(2)
            sum.promptCost = row.double(3)
            sum.completionCost = row.double(4)
            sum.totalCost = row.double(5)
            detailRows = Int(row.int(6) ?? 0)
            total = total.adding(sum)
        }
        if detailRows > 0 {
            var details = RunUsage()
            RunRow.applyDetails(RunRow.details(run.usage).map { $0 } ?? .null, to: &details)
            try conn.query(
                "SELECT own_usage_details FROM runs WHERE \(subtree) AND own_usage_details IS NOT NULL ORDER BY dotted_order",
                range
            ) { row in
                var one = RunUsage()
                if let b = row.bytes(0), let v = try? JSON.parse(b) { RunRow.applyDetails(v, to: &one) }
                details = details.adding(one)
            }
            total.promptTokenDetails = details.promptTokenDetails
            total.completionTokenDetails = details.completionTokenDetails
            total.promptCostDetails = details.promptCostDetails
            total.completionCostDetails = details.completionCostDetails
        }
        try conn.run("""
            UPDATE runs SET prompt_tokens = ?, completion_tokens = ?, total_tokens = ?, prompt_cost = ?,
                completion_cost = ?, total_cost = ?, usage_details = ? WHERE id = ?
            """, [
                .int(total.promptTokens), .int(total.completionTokens), .int(total.totalTokens),
                .double(total.promptCost), .double(total.completionCost), .double(total.totalCost),
                .json(RunRow.details(total)), .uuid(id),
            ])
    }

    static func placeholders(_ n: Int) -> String {
        Array(repeating: "?", count: n).joined(separator: ", ")
    }

    // MARK: reads

    public func runs(ids: [UUID], tenantId: UUID) async throws -> [Run] {
        guard !ids.isEmpty else { return [] }
        let found = try await db.read { conn in try Self.load(conn, ids: ids) }
        return ids.compactMap { found[$0] }.filter { $0.tenantId == tenantId }
    }

    public func childRunIds(of parents: [UUID], tenantId: UUID) async throws -> [UUID: [UUID]] {
        guard !parents.isEmpty else { return [:] }
        return try await db.read { conn in
            var out: [UUID: [UUID]] = [:]
            for start in stride(from: 0, to: parents.count, by: Self.chunk) {
                let slice = Array(parents[start..<min(parents.count, start + Self.chunk)])
                try conn.query(
                    "SELECT parent_run_id, id FROM runs WHERE tenant_id = ? AND posted = 1 AND parent_run_id IN (\(Self.placeholders(slice.count))) ORDER BY dotted_order",
                    [.uuid(tenantId)] + slice.map { .uuid($0) }
                ) { row in
                    if let p = row.uuid(0), let c = row.uuid(1) { out[p, default: []].append(c) }
                }
            }
            return out
        }
    }
}
