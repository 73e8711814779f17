import AnvilCore
import Foundation

/// Roll-ups computed in memory for traces that arrive whole in one write.
///
/// `refreshRollup` costs two statements per run (a subtree range query and an `UPDATE` of the row
/// just written); the ingest worker spent most of its SQLite time there. Almost every write of the
/// SDK or an OTLP exporter carries whole traces that the store has never seen, and for those the
/// subtree of every run is in the write itself. So: one index-only query per write finds the traces
/// with no stored row (in any workspace, so the check can only be conservative); for their runs
/// the roll-up is computed here with exactly the arithmetic of `refreshRollup` (SQL `sum()` over
/// the dotted-order subtree, details summed in dotted order after a JSON round trip) and written by
/// the upsert itself. Everything else (runs of traces already stored, ancestors outside the write,
/// runs adopted by a late parent) still goes through `refreshRollup`.
extension SQLiteTraceStore {
    /// Sets `rollupUsage` of every touched run whose trace had no stored row before this write;
    /// returns their ids.
    static func rollupsOfNewTraces(_ conn: SQLiteConnection, _ runs: inout [UUID: Run], touched: [UUID], tenantId: UUID) throws -> Set<UUID> {
        var byTrace: [UUID: [(order: String, id: UUID)]] = [:]
        for id in touched {
            guard let run = runs[id], run.tenantId == tenantId, let trace = run.traceId, let order = run.dottedOrder else { continue }
            byTrace[trace, default: []].append((order, id))
        }
        guard !byTrace.isEmpty else { return [] }
        var stored = Set<UUID>()
        let traceIds = Array(byTrace.keys)
        for start in stride(from: 0, to: traceIds.count, by: chunk) {
            let slice = Array(traceIds[start..<min(traceIds.count, start + chunk)])
            try conn.query(
                "SELECT DISTINCT trace_id FROM runs WHERE trace_id IN (\(placeholders(slice.count)))", slice.map { .uuid($0) }
            ) { row in if let t = row.uuid(0) { stored.insert(t) } }
        }
        var done = Set<UUID>()
        for (trace, members) in byTrace where !stored.contains(trace) {
            // Byte order, as SQLite compares TEXT: a run's subtree (`order.` < dotted order <
            // `order/`, the range refreshRollup queries) lies after it, before `order/`.
            let sorted = members.map { (order: Array($0.order.utf8), id: $0.id) }.sorted { $0.order.lexicographicallyPrecedes($1.order) }
            for (i, member) in sorted.enumerated() {
                let lower = member.order + [UInt8(ascii: ".")]
                let upper = member.order + [UInt8(ascii: "/")]
                var subtree: [Run] = []
                var j = i + 1
                while j < sorted.count, sorted[j].order.lexicographicallyPrecedes(upper) {
                    if lower.lexicographicallyPrecedes(sorted[j].order) { subtree.append(runs[sorted[j].id]!) }
                    j += 1
                }
                runs[member.id]!.rollupUsage = rollup(own: runs[member.id]!.usage, subtree: subtree)
                done.insert(member.id)
            }
        }
        return done
    }

    /// `refreshRollup`'s result for a run with usage `own` over `subtree` (in dotted order).
    static func rollup(own: RunUsage, subtree: [Run]) -> RunUsage {
        var total = own
        if !subtree.isEmpty {
            // SQLite's sum(): NULL when every value is NULL; integers summed as integers, reals
            // from 0.0 in row order.
            var sum = RunUsage()
            for run in subtree {
                let u = run.usage
                if let v = u.promptTokens { sum.promptTokens = (sum.promptTokens ?? 0) + v }
                if let v = u.completionTokens { sum.completionTokens = (sum.completionTokens ?? 0) + v }
                if let v = u.totalTokens { sum.totalTokens = (sum.totalTokens ?? 0) + v }
                if let v = u.promptCost { sum.promptCost = (sum.promptCost ?? 0.0) + v }
                if let v = u.completionCost { sum.completionCost = (sum.completionCost ?? 0.0) + v }
                if let v = u.totalCost { sum.totalCost = (sum.totalCost ?? 0.0) + v }
            }
            total = total.adding(sum)
        }
        let withDetails = subtree.compactMap { RunRow.details($0.usage) }
        if !withDetails.isEmpty {
            var details = RunUsage()
            RunRow.applyDetails(RunRow.details(own) ?? .null, to: &details)
            for stored in withDetails {
                // As stored and read back: the column holds the encoded JSON.
                var one = RunUsage()
                if let v = try? JSON.parse(stored.encoded) { RunRow.applyDetails(v, to: &one) }
                details = details.adding(one)
            }
            total.promptTokenDetails = details.promptTokenDetails
            total.completionTokenDetails = details.completionTokenDetails
            total.promptCostDetails = details.promptCostDetails
            total.completionCostDetails = details.completionCostDetails
        }
        return total
    }
}
