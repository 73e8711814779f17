import AnvilCore
import Foundation

extension MemoryTraceStore: UITraceQueries {
    public func traceRuns(traceId: UUID, tenantId: UUID, limit: Int) async throws -> [Run] {
        allRuns().filter { $0.tenantId == tenantId && $0.posted && $0.traceId == traceId }
            .sorted { ($0.dottedOrder ?? "") < ($1.dottedOrder ?? "") }
            .prefix(limit).map { r in
                var r = r
                r.inputs = nil; r.outputs = nil; r.events = nil; r.serialized = nil
                return r
            }
    }

    public func threads(projectId: UUID, tenantId: UUID, search: String?, limit: Int, offset: Int) async throws -> ThreadPage {
        let roots = allRuns().filter {
            $0.tenantId == tenantId && $0.posted && $0.isRoot && $0.sessionId == projectId && $0.threadId != nil
        }
        var groups = Dictionary(grouping: roots, by: { $0.threadId! })
        if let search, !search.isEmpty {
            groups = groups.filter { RunPredicate.textMatches($0.key, .contains(search)) }
        }
        let summaries = groups.map { id, runs -> ThreadSummary in
            let sorted = runs.sorted { ($0.startTime!, $0.id.lowercased) < ($1.startTime!, $1.id.lowercased) }
            let first = sorted.first!, last = sorted.last!
            var t = ThreadSummary(
                threadId: id, traceCount: runs.count, firstStartTime: first.startTime!, lastStartTime: last.startTime!,
                lastTraceId: last.traceId ?? last.id, lastRunId: last.id)
            t.lastName = last.name
            t.firstInputs = first.inputs
            t.lastOutputs = last.outputs
            t.totalTokens = runs.reduce(0) { $0 + ($1.rollupUsage.totalTokens ?? 0) }
            let costs = runs.compactMap(\.rollupUsage.totalCost)
            t.totalCost = costs.isEmpty ? nil : costs.reduce(0, +)
            t.errorCount = runs.filter { $0.error != nil }.count
            return t
        }.sorted { ($0.lastStartTime, $0.threadId) > ($1.lastStartTime, $1.threadId) }
        return ThreadPage(threads: Array(summaries.dropFirst(offset).prefix(limit)), total: summaries.count)
    }

    public func monitor(projectId: UUID, tenantId: UUID, start: Timestamp, end: Timestamp, bucketSeconds: Int64) async throws -> [MonitorBucket] {
        let width = max(1, bucketSeconds) * 1_000_000
        let roots = allRuns().filter {
            $0.tenantId == tenantId && $0.posted && $0.isRoot && $0.sessionId == projectId
                && $0.startTime! >= start && $0.startTime! < end
        }
        let feedback = allFeedback().filter { $0.tenantId == tenantId }
        let runTrace = Dictionary(allRuns().filter { $0.tenantId == tenantId }.map { ($0.id, $0.traceId ?? $0.id) }, uniquingKeysWith: { a, _ in a })
        var out: [MonitorBucket] = []
        var bucketStart = start.microseconds
        while bucketStart < end.microseconds {
            let lo = bucketStart, hi = min(bucketStart + width, end.microseconds)
            let inBucket = roots.filter { $0.startTime!.microseconds >= lo && $0.startTime!.microseconds < hi }
            var b = MonitorBucket(start: Timestamp(microseconds: lo))
            let stats = MemoryTraceStore.stats(inBucket, feedback: [])
            b.traces = inBucket.count
            b.errors = inBucket.filter { $0.error != nil }.count
            b.latencyP50 = stats.latencyP50
            b.latencyP99 = stats.latencyP99
            b.promptTokens = stats.promptTokens
            b.completionTokens = stats.completionTokens
            b.totalTokens = stats.totalTokens
            b.totalCost = stats.totalCost
            let traceIds = Set(inBucket.map { $0.traceId ?? $0.id })
            let rows = feedback.filter { f in f.runId.flatMap { runTrace[$0] }.map(traceIds.contains) ?? false }
            for (key, group) in Dictionary(grouping: rows, by: \.key) {
                let scores = group.compactMap(\.numericScore)
                b.feedback[key] = (group.count, scores.isEmpty ? nil : scores.reduce(0, +) / Double(scores.count))
            }
            out.append(b)
            bucketStart += width
        }
        return out
    }
}
