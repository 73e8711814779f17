import AnvilCore
import AnvilStorage
import Foundation

/// Late parents and orphans (see `Run+Lineage.swift` for the rules).
extension SQLiteTraceStore {
    public func promoteOrphans(waitingSince cutoff: Timestamp, limit: Int) async throws -> Int {
        try await db.write { conn in
            try conn.transaction {
                var rows: [(run: UUID, tenant: UUID, parent: UUID)] = []
                try conn.query(
                    "SELECT run_id, tenant_id, parent_id FROM awaiting_parent WHERE promoted = 0 AND since < ? ORDER BY since LIMIT ?",
                    [.time(cutoff), .int(Int64(limit))]
                ) { row in
                    if let r = row.uuid(0), let t = row.uuid(1), let p = row.uuid(2) { rows.append((r, t, p)) }
                }
                var promoted = 0
                for row in rows {
                    guard var run = try Self.load(conn, ids: [row.run])[row.run], run.tenantId == row.tenant,
                        run.parentRunId == row.parent
                    else {
                        _ = try conn.run("DELETE FROM awaiting_parent WHERE run_id = ?", [.uuid(row.run)])
                        continue
                    }
                    guard let old = run.promoteToRoot(missingParent: row.parent) else { continue }
                    var runs = [run.id: run]
                    try Self.store(conn, &runs, run, replacing: old)
                    _ = try conn.run("UPDATE awaiting_parent SET promoted = 1 WHERE run_id = ?", [.uuid(row.run)])
                    try Self.refreshRollup(conn, id: run.id, known: run, tenantId: run.tenantId)
                    promoted += 1
                }
                return promoted
            }
        }
    }

    /// A promoted orphan posted again (an exporter's retry) keeps its place as a root while its
    /// parent is still missing: the post's `parent_run_id` must not hide it again.
    static func keepPromotedOrphans(_ conn: SQLiteConnection, _ runs: inout [UUID: Run], touched: [UUID], tenantId: UUID) throws {
        let candidates = touched.filter { runs[$0]!.parentRunId != nil && runs[$0]!.traceId == $0 }
        for start in stride(from: 0, to: candidates.count, by: chunk) {
            let slice = Array(candidates[start..<min(candidates.count, start + chunk)])
            try conn.query(
                "SELECT run_id, parent_id FROM awaiting_parent WHERE promoted = 1 AND tenant_id = ? AND run_id IN (\(placeholders(slice.count)))",
                [.uuid(tenantId)] + slice.map { .uuid($0) }
            ) { row in
                if let id = row.uuid(0), runs[id]?.parentRunId == row.uuid(1) { runs[id]!.parentRunId = nil }
            }
        }
    }

    /// Adopts the runs awaiting any of `parents` that is now posted with a known lineage, parents
    /// before children so a chain resolves in one pass, and collects the runs whose roll-up changed.
    static func adoptWaitingChildren(
        _ conn: SQLiteConnection, _ runs: inout [UUID: Run], parents: [UUID], tenantId: UUID, rollup: inout Set<UUID>
    ) throws {
        var queue = parents.filter { runs[$0]?.posted == true && runs[$0]?.dottedOrder != nil }
        // Almost every write has nothing waiting: one indexed probe instead of one per run.
        var anyWaiting = false
        try conn.query("SELECT 1 FROM awaiting_parent WHERE tenant_id = ? LIMIT 1", [.uuid(tenantId)]) { _ in anyWaiting = true }
        guard anyWaiting else { return }
        var index = 0
        while index < queue.count {
            let parentId = queue[index]
            index += 1
            // Spans inside an SDK run await it by the first half of its id (SDKParentHint).
            let alias = SDKParentHint.awaitedId(forSDKRun: parentId)
            var children: [(id: UUID, awaited: UUID)] = []
            try conn.query(
                "SELECT run_id, parent_id FROM awaiting_parent WHERE tenant_id = ? AND parent_id IN (?, ?)",
                [.uuid(tenantId), .uuid(parentId), .uuid(alias ?? parentId)]
            ) { row in if let id = row.uuid(0), let awaited = row.uuid(1) { children.append((id, awaited)) } }
            guard !children.isEmpty, let parent = try current(conn, &runs, parentId), parent.posted else { continue }
            for (childId, awaited) in children {
                guard var child = try current(conn, &runs, childId) else {
                    _ = try conn.run("DELETE FROM awaiting_parent WHERE run_id = ?", [.uuid(childId)])
                    continue
                }
                if awaited != parentId {
                    // Another run of the same 8 leading bytes but not this trace's: keep waiting.
                    guard SDKParentHint(awaitedParent: awaited, run: child)?.matches(parent) == true else { continue }
                    if child.parentRunId == awaited { child.parentRunId = parentId }
                }
                _ = try conn.run("DELETE FROM awaiting_parent WHERE run_id = ?", [.uuid(childId)])
                guard child.tenantId == tenantId,
                    child.parentRunId == parentId || child.parentRunId == nil,
                    let old = child.adopt(under: parent)
                else { continue }
                try store(conn, &runs, child, replacing: old)
                rollup.insert(childId)
                rollup.formUnion(child.ancestorIds)
                queue.append(childId)
            }
        }
    }

    /// The SDK run a span's hint names: from this write, else the one stored row in the hinted trace
    /// whose id starts with the hinted bytes (a range on the primary key).
    static func sdkParent(_ conn: SQLiteConnection, _ runs: inout [UUID: Run], _ hint: SDKParentHint, tenantId: UUID) throws -> Run? {
        if let run = runs.values.first(where: { $0.tenantId == tenantId && hint.matches($0) }) { return run }
        var found: [UUID] = []
        try conn.query(
            "SELECT id FROM runs WHERE id BETWEEN ? AND ? AND tenant_id = ? AND trace_id = ? LIMIT 2",
            [.uuid(hint.idRange.lower), .uuid(hint.idRange.upper), .uuid(tenantId), .uuid(hint.trace)]
        ) { row in if let id = row.uuid(0) { found.append(id) } }
        guard found.count == 1 else { return nil }
        return try current(conn, &runs, found[0])
    }

    /// The run as stored now: the in-write copy if it has one, else the row.
    static func current(_ conn: SQLiteConnection, _ runs: inout [UUID: Run], _ id: UUID) throws -> Run? {
        if let run = runs[id] { return run }
        let loaded = try load(conn, ids: [id])[id]
        if let loaded { runs[id] = loaded }
        return loaded
    }

    /// Writes a run whose lineage moved, and rebases its subtree (rows and in-write copies) from the
    /// old trace and dotted order onto the new ones.
    static func store(_ conn: SQLiteConnection, _ runs: inout [UUID: Run], _ run: Run, replacing old: (trace: UUID?, order: String?)) throws {
        runs[run.id] = run
        try conn.run(RunRow.upsertSQL, RunRow.values(run, insertedAt: .now()))
        guard let oldOrder = old.order, let newOrder = run.dottedOrder, oldOrder != newOrder || old.trace != run.traceId else { return }
        _ = try conn.run("""
            UPDATE runs SET trace_id = ?, dotted_order = ? || substr(dotted_order, ?)
            WHERE tenant_id = ? AND trace_id IS ? AND dotted_order > ? AND dotted_order < ?
            """, [
                .uuid(run.traceId), .text(newOrder), .int(Int64(oldOrder.utf8.count + 1)),
                .uuid(run.tenantId), .uuid(old.trace), .text(oldOrder + "."), .text(oldOrder + "/"),
            ])
        for (id, other) in runs {
            if let moved = other.rebased(fromTrace: old.trace, order: oldOrder, toTrace: run.traceId, order: newOrder) {
                runs[id]!.traceId = moved.trace
                runs[id]!.dottedOrder = moved.order
            }
        }
    }
}
