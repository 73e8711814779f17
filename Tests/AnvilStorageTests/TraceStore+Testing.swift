import AnvilCore
import AnvilStorage
import Foundation
import Testing

/// Conveniences for tests over any trace store.
extension TraceStore {
    func write(_ runs: [RunUpdate], _ feedback: [Feedback] = [], tenant: UUID) async throws {
        try await write(runs: runs, feedback: feedback, tenantId: tenant)
    }

    func run(_ id: UUID, tenant: UUID) async throws -> Run? {
        try await runs(ids: [id], tenantId: tenant).first
    }

    /// Every run the query lists, following cursors to the end.
    func allRuns(_ query: RunQuery) async throws -> [Run] {
        var q = query
        var out: [Run] = []
        for _ in 0..<10_000 {
            let page = try await queryRuns(q)
            out += page.runs
            guard let next = page.next else { return out }
            q.cursor = next
        }
        Issue.record("pagination did not terminate")
        return out
    }
}
