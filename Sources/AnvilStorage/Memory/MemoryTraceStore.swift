import AnvilCore
import Foundation

/// The reference ``TraceStore``: plain Swift over dictionaries, evaluating filters with
/// ``RunPredicate/matches(_:)``. Used in tests and as the contract every backend must match.
public actor MemoryTraceStore: TraceStore {
    private var runsById: [UUID: Run] = [:]
    private var feedbackById: [UUID: Feedback] = [:]
    /// Runs written before their parent: run id → (tenant, parent, since, promoted).
    private var awaiting: [UUID: (tenant: UUID, parent: UUID, since: Timestamp, promoted: Bool)] = [:]

    public init() {}

    func allRuns() -> [Run] { Array(runsById.values) }
    func allFeedback() -> [Feedback] { Array(feedbackById.values) }

    public func write(runs updates: [RunUpdate], feedback: [Feedback], tenantId: UUID) async throws {
        var touched: [UUID] = []
        var touchedSet = Set<UUID>()
        for u in updates {
            var run = runsById[u.id] ?? Run(id: u.id, tenantId: tenantId)
            guard run.tenantId == tenantId else { continue }  // never merge into another workspace's run
            run.apply(u)
            // A promoted orphan posted again stays a root while its parent is missing.
            if let a = awaiting[u.id], a.promoted, run.parentRunId == a.parent, run.traceId == run.id { run.parentRunId = nil }
            runsById[u.id] = run
            if touchedSet.insert(u.id).inserted { touched.append(u.id) }
        }
        // Lineage only after every update of the write is merged, parents before children, so the
        // order of runs inside one write does not matter.
        let now = Timestamp.now()
        var resolved = Set<UUID>()
        func inherit(_ id: UUID) {
            guard touchedSet.contains(id), resolved.insert(id).inserted, var run = runsById[id],
                var parentId = run.parentRunId, run.traceId == nil || run.dottedOrder == nil
            else { return }
            inherit(parentId)
            var parent = runsById[parentId].flatMap { $0.tenantId == tenantId ? $0 : nil }
            if parent == nil, let hint = SDKParentHint(awaitedParent: parentId, run: run) {
                // A span inside an SDK run (see SDKParentHint): the one run the hint names.
                let found = runsById.values.filter { $0.tenantId == tenantId && hint.matches($0) }
                if found.count == 1 {
                    parent = found[0]
                    parentId = found[0].id
                    run.parentRunId = parentId
                }
            }
            run.inheritLineage(from: parent)
            if parent?.posted != true, awaiting[id] == nil { awaiting[id] = (tenantId, parentId, now, false) }
            runsById[id] = run
        }
        for id in touched { inherit(id) }
        for id in touched { runsById[id]?.recomputeDerived() }
        // Roll usage up: every touched run, and every ancestor of a touched run.
        var rollup = touchedSet
        adoptWaitingChildren(parents: touched, tenantId: tenantId, rollup: &rollup)
        for id in touched { rollup.formUnion(runsById[id]?.ancestorIds ?? []) }
        for id in rollup {
            guard var run = runsById[id], run.tenantId == tenantId else { continue }
            run.rollupUsage = descendants(of: run).reduce(run.usage) { $0.adding($1.usage) }
            runsById[id] = run
        }
        for f in feedback where f.tenantId == tenantId {
            if let existing = feedbackById[f.id], existing.tenantId != tenantId { continue }
            feedbackById[f.id] = f
        }
    }

    public func promoteOrphans(waitingSince cutoff: Timestamp, limit: Int) async throws -> Int {
        let due = awaiting.filter { !$0.value.promoted && $0.value.since < cutoff }
            .sorted { ($0.value.since, $0.key.uuidString) < ($1.value.since, $1.key.uuidString) }.prefix(limit)
        var promoted = 0
        for (id, a) in due {
            guard var run = runsById[id], run.tenantId == a.tenant, run.parentRunId == a.parent else {
                awaiting[id] = nil
                continue
            }
            guard let old = run.promoteToRoot(missingParent: a.parent) else { continue }
            store(run, replacing: old)
            awaiting[id]!.promoted = true
            refreshRollup(id)
            promoted += 1
        }
        return promoted
    }

    private func adoptWaitingChildren(parents: [UUID], tenantId: UUID, rollup: inout Set<UUID>) {
        var queue = parents.filter { runsById[$0]?.posted == true && runsById[$0]?.dottedOrder != nil }
        var index = 0
        while index < queue.count {
            let parentId = queue[index]
            index += 1
            guard let parent = runsById[parentId], parent.posted else { continue }
            let alias = SDKParentHint.awaitedId(forSDKRun: parentId)
            let children = awaiting.filter { $0.value.tenant == tenantId && ($0.value.parent == parentId || $0.value.parent == alias) }
                .sorted { $0.key.uuidString < $1.key.uuidString }
            for (childId, waiting) in children {
                guard var child = runsById[childId] else {
                    awaiting[childId] = nil
                    continue
                }
                if waiting.parent != parentId {
                    // Another run of the same 8 leading bytes but not this trace's: keep waiting.
                    guard SDKParentHint(awaitedParent: waiting.parent, run: child)?.matches(parent) == true else { continue }
                    if child.parentRunId == waiting.parent { child.parentRunId = parentId }
                }
                awaiting[childId] = nil
                guard child.tenantId == tenantId,
                    child.parentRunId == parentId || child.parentRunId == nil,
                    let old = child.adopt(under: parent)
                else { continue }
                store(child, replacing: old)
                rollup.insert(childId)
                rollup.formUnion(child.ancestorIds)
                queue.append(childId)
            }
        }
    }

    /// Writes a run whose lineage moved and rebases its subtree.
    private func store(_ run: Run, replacing old: (trace: UUID?, order: String?)) {
        runsById[run.id] = run
        guard let oldOrder = old.order, let newOrder = run.dottedOrder else { return }
        for (id, other) in runsById where other.tenantId == run.tenantId {
            if let moved = other.rebased(fromTrace: old.trace, order: oldOrder, toTrace: run.traceId, order: newOrder) {
                runsById[id]!.traceId = moved.trace
                runsById[id]!.dottedOrder = moved.order
            }
        }
    }

    private func refreshRollup(_ id: UUID) {
        guard var run = runsById[id] else { return }
        run.rollupUsage = descendants(of: run).reduce(run.usage) { $0.adding($1.usage) }
        runsById[id] = run
    }

    private func descendants(of run: Run) -> [Run] {
        guard let order = run.dottedOrder, let trace = run.traceId else { return [] }
        let prefix = order + "."
        return runsById.values.filter {
            $0.tenantId == run.tenantId && $0.traceId == trace && ($0.dottedOrder?.hasPrefix(prefix) ?? false)
        }
    }

    public func runs(ids: [UUID], tenantId: UUID) async throws -> [Run] {
        ids.compactMap { runsById[$0] }.filter { $0.tenantId == tenantId }
    }

    private func candidates(_ q: RunQuery) -> [Run] {
        let filter = q.filter.map(RunPredicate.init)
        let traceFilter = q.traceFilter.map(RunPredicate.init)
        let treeFilter = q.treeFilter.map(RunPredicate.init)
        let visible = runsById.values.filter { $0.tenantId == q.tenantId && $0.posted }
        let byTrace = Dictionary(grouping: visible, by: { $0.traceId ?? $0.id })
        return visible.filter { run in
            if let s = q.sessionIds, !s.contains(run.sessionId ?? UUID()) { return false }
            if let ids = q.ids, !ids.contains(run.id) { return false }
            if let t = q.traceId, run.traceId != t { return false }
            if let p = q.parentRunId, run.parentRunId != p { return false }
            if let rt = q.runType, run.runType != rt { return false }
            if let root = q.isRoot, run.isRoot != root { return false }
            if let e = q.error, (run.error != nil) != e { return false }
            if let refs = q.referenceExampleIds, !refs.contains(run.referenceExampleId ?? UUID()) { return false }
            if let s = q.startTime, (run.startTime ?? Timestamp(microseconds: .min)) < s { return false }
            if let e = q.endTime, (run.startTime ?? Timestamp(microseconds: .max)) > e { return false }
            if let filter, !filter.matches(facts(run)) { return false }
            let trace = byTrace[run.traceId ?? run.id] ?? []
            if let traceFilter {
                guard let root = trace.first(where: { $0.isRoot }), traceFilter.matches(facts(root)) else { return false }
            }
            if let treeFilter, !trace.contains(where: { treeFilter.matches(facts($0)) }) { return false }
            return true
        }
    }

    private func facts(_ run: Run) -> RunFacts {
        RunFacts(run: run, feedback: feedbackById.values.filter { $0.runId == run.id && $0.tenantId == run.tenantId })
    }

    /// A tenant's feedback in (created_at, id) order, so aggregates (comment lists, float sums)
    /// come out the same on every backend.
    private func feedbackRows(tenantId: UUID, where include: (Feedback) -> Bool) -> [Feedback] {
        feedbackById.values.filter { $0.tenantId == tenantId && include($0) }
            .sorted { ($0.createdAt, $0.id.lowercased) < ($1.createdAt, $1.id.lowercased) }
    }

    public func queryRuns(_ q: RunQuery) async throws -> RunPage {
        let sorted = candidates(q).sorted { a, b in
            let ka = (a.startTime?.microseconds ?? 0, a.id.lowercased)
            let kb = (b.startTime?.microseconds ?? 0, b.id.lowercased)
            return q.order == .desc ? ka > kb : ka < kb
        }
        let afterCursor = sorted.filter { run in
            guard let c = q.cursor else { return true }
            let k = (run.startTime?.microseconds ?? 0, run.id.lowercased)
            let ck = (c.startTime.microseconds, c.id.lowercased)
            return q.order == .desc ? k < ck : k > ck
        }
        let limit = q.pageSize
        let page = Array(afterCursor.prefix(limit))
        let next = afterCursor.count > limit ? page.last.map { RunCursor(startTime: $0.startTime ?? Timestamp(microseconds: 0), id: $0.id) } : nil
        return RunPage(runs: page, next: next)
    }

    public func runStats(_ q: RunQuery) async throws -> RunStats {
        Self.stats(candidates(q), feedback: feedbackRows(tenantId: q.tenantId) { _ in true })
    }

    static func stats(_ runs: [Run], feedback: [Feedback]) -> RunStats {
        var s = RunStats()
        s.runCount = runs.count
        let latencies = runs.compactMap(\.latency).sorted()
        if !latencies.isEmpty {
            s.latencyP50 = latencies[Percentile.index(0.5, count: latencies.count)]
            s.latencyP99 = latencies[Percentile.index(0.99, count: latencies.count)]
        }
        let firstTokens = runs.compactMap { r -> Double? in
            guard let f = r.firstTokenTime, let st = r.startTime else { return nil }
            return Double(f.microseconds - st.microseconds) / 1_000_000
        }.sorted()
        if !firstTokens.isEmpty {
            s.firstTokenP50 = firstTokens[Percentile.index(0.5, count: firstTokens.count)]
            s.firstTokenP99 = firstTokens[Percentile.index(0.99, count: firstTokens.count)]
        }
        for r in runs {
            s.promptTokens += r.rollupUsage.promptTokens ?? 0
            s.completionTokens += r.rollupUsage.completionTokens ?? 0
            s.totalTokens += r.rollupUsage.totalTokens ?? 0
            if let c = r.rollupUsage.promptCost { s.promptCost = (s.promptCost ?? 0) + c }
            if let c = r.rollupUsage.completionCost { s.completionCost = (s.completionCost ?? 0) + c }
            if let c = r.rollupUsage.totalCost { s.totalCost = (s.totalCost ?? 0) + c }
            if let st = r.startTime, st > (s.lastRunStartTime ?? Timestamp(microseconds: .min)) { s.lastRunStartTime = st }
        }
        if !runs.isEmpty {
            s.errorRate = Double(runs.filter { $0.error != nil }.count) / Double(runs.count)
        }
        let ids = Set(runs.map(\.id))
        s.feedbackStats = FeedbackStats.aggregate(feedback.filter { $0.runId.map(ids.contains) ?? false })
        return s
    }

    public func childRunIds(of parents: [UUID], tenantId: UUID) async throws -> [UUID: [UUID]] {
        let wanted = Set(parents)
        var out: [UUID: [Run]] = [:]
        for run in runsById.values where run.tenantId == tenantId && run.posted {
            if let p = run.parentRunId, wanted.contains(p) { out[p, default: []].append(run) }
        }
        return out.mapValues { $0.sorted { ($0.dottedOrder ?? "") < ($1.dottedOrder ?? "") }.map(\.id) }
    }

    public func feedbackStats(runIds: [UUID], tenantId: UUID) async throws -> [UUID: [String: FeedbackStats]] {
        let wanted = Set(runIds)
        let rows = feedbackRows(tenantId: tenantId) { $0.runId.map(wanted.contains) ?? false }
        return Dictionary(grouping: rows, by: { $0.runId! }).mapValues(FeedbackStats.aggregate)
    }

    public func projectStats(projectIds: [UUID], tenantId: UUID) async throws -> [UUID: ProjectStats] {
        var out: [UUID: ProjectStats] = [:]
        for pid in projectIds {
            var q = RunQuery(tenantId: tenantId)
            q.sessionIds = [pid]
            q.isRoot = true
            let roots = candidates(q)
            let r = Self.stats(roots, feedback: [])
            var p = ProjectStats()
            p.runCount = r.runCount
            p.latencyP50 = r.latencyP50
            p.latencyP99 = r.latencyP99
            p.firstTokenP50 = r.firstTokenP50
            p.firstTokenP99 = r.firstTokenP99
            p.promptTokens = r.promptTokens
            p.completionTokens = r.completionTokens
            p.totalTokens = r.totalTokens
            p.promptCost = r.promptCost
            p.completionCost = r.completionCost
            p.totalCost = r.totalCost
            p.errorRate = r.errorRate
            p.lastRunStartTime = runsById.values.filter { $0.sessionId == pid && $0.posted && $0.tenantId == tenantId }
                .compactMap(\.startTime).max()
            let projectRunIds = Set(runsById.values.filter { $0.sessionId == pid && $0.tenantId == tenantId }.map(\.id))
            p.feedbackStats = FeedbackStats.aggregate(feedbackRows(tenantId: tenantId) {
                $0.runId.map(projectRunIds.contains) ?? false
            })
            p.sessionFeedbackStats = FeedbackStats.aggregate(feedbackRows(tenantId: tenantId) {
                $0.runId == nil && $0.sessionId == pid
            })
            out[pid] = p
        }
        return out
    }

    public func deleteProjectData(projectId: UUID, tenantId: UUID) async throws {
        let doomed = Set(runsById.values.filter { $0.tenantId == tenantId && $0.sessionId == projectId }.map(\.id))
        for id in doomed { runsById[id] = nil }
        for (id, f) in feedbackById where f.tenantId == tenantId && ((f.runId.map(doomed.contains) ?? false) || (f.runId == nil && f.sessionId == projectId)) {
            feedbackById[id] = nil
        }
    }

    public func feedback(id: UUID, tenantId: UUID) async throws -> Feedback? {
        feedbackById[id].flatMap { $0.tenantId == tenantId ? $0 : nil }
    }

    public func listFeedback(_ q: FeedbackQuery) async throws -> [Feedback] {
        let rows = feedbackById.values.filter { f in
            guard f.tenantId == q.tenantId else { return false }
            if let runs = q.runIds, !runs.contains(f.runId ?? UUID()) { return false }
            if let keys = q.keys, !keys.contains(f.key) { return false }
            if let sources = q.sources, !sources.contains(f.sourceType ?? "") { return false }
            if let sessions = q.sessionIds {
                let session = f.sessionId ?? f.runId.flatMap { runsById[$0]?.sessionId }
                if !sessions.contains(session ?? UUID()) { return false }
            }
            if let c = q.hasComment, (f.comment != nil) != c { return false }
            if let s = q.hasScore, (f.score != nil) != s { return false }
            if let min = q.minCreatedAt, f.createdAt < min { return false }
            if let max = q.maxCreatedAt, f.createdAt > max { return false }
            if let ce = q.comparativeExperimentId, f.comparativeExperimentId != ce { return false }
            return true
        }
        let sorted = rows.sorted { ($0.createdAt, $0.id.lowercased) > ($1.createdAt, $1.id.lowercased) }
        return Array(sorted.dropFirst(q.offset).prefix(q.limit))
    }

    public func deleteFeedback(id: UUID, tenantId: UUID) async throws -> Bool {
        guard let f = feedbackById[id], f.tenantId == tenantId else { return false }
        feedbackById[id] = nil
        return true
    }
}
