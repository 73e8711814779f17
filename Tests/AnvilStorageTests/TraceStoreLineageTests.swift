import AnvilCore
import AnvilStorage
import AnvilTesting
import Foundation
import Testing

extension TraceStoreContractTests {
    /// Children posted without `trace_id`/`dotted_order` (as `AsyncClient.create_run` sends them).
    @Suite("lineage inheritance")
    struct Lineage {
        let tenant = UUID()

        func order(_ segments: (Timestamp, UUID)...) -> String {
            DottedOrder(segments: segments.map { DottedOrder.Segment(time: $0.0, id: $0.1) }).string
        }

        @Test("a child inherits trace and dotted order from a stored parent", arguments: StoreFactory.allCases)
        func fromStoredParent(_ factory: StoreFactory) async throws {
            let traces = try factory.make().traces
            let root = RunBuilder.root(name: "root", start: Fixtures.time(0))
            let child = RunBuilder.child(of: root, name: "child", start: Fixtures.time(1)).withoutLineage()
            let grandchild = RunBuilder.child(of: child, name: "grandchild", start: Fixtures.time(2)).withoutLineage()
            try await traces.write([root.post], tenant: tenant)
            try await traces.write([child.post], tenant: tenant)
            try await traces.write([grandchild.post], tenant: tenant)

            let c = try #require(try await traces.run(child.id, tenant: tenant))
            #expect(c.traceId == root.id)
            #expect(c.dottedOrder == order((Fixtures.time(0), root.id), (Fixtures.time(1), child.id)))
            let g = try #require(try await traces.run(grandchild.id, tenant: tenant))
            #expect(g.traceId == root.id)
            #expect(g.dottedOrder == order((Fixtures.time(0), root.id), (Fixtures.time(1), child.id), (Fixtures.time(2), grandchild.id)))
            #expect(g.ancestorIds == [root.id, child.id])
            var q = RunQuery(tenantId: tenant)
            q.traceId = root.id
            #expect(Set(try await traces.queryRuns(q).runs.map(\.id)) == [root.id, child.id, grandchild.id])
        }

        @Test("within one write, children inherit from parents listed after them", arguments: StoreFactory.allCases)
        func fromParentLaterInBatch(_ factory: StoreFactory) async throws {
            let traces = try factory.make().traces
            let root = RunBuilder.root(name: "root", start: Fixtures.time(0))
            let child = RunBuilder.child(of: root, name: "child", start: Fixtures.time(1)).withoutLineage()
            let grandchild = RunBuilder.child(of: child, name: "grandchild", start: Fixtures.time(2)).withoutLineage()
            try await traces.write([grandchild.post, child.post, root.post], tenant: tenant)

            let g = try #require(try await traces.run(grandchild.id, tenant: tenant))
            #expect(g.traceId == root.id)
            #expect(g.dottedOrder == order((Fixtures.time(0), root.id), (Fixtures.time(1), child.id), (Fixtures.time(2), grandchild.id)))
            let c = try #require(try await traces.run(child.id, tenant: tenant))
            #expect(c.dottedOrder == order((Fixtures.time(0), root.id), (Fixtures.time(1), child.id)))
        }

        @Test("without its parent, a child stands the parent id in for the trace", arguments: StoreFactory.allCases)
        func parentUnknown(_ factory: StoreFactory) async throws {
            let traces = try factory.make().traces
            let root = RunBuilder.root(name: "root", start: Fixtures.time(0))
            let child = RunBuilder.child(of: root, name: "child", start: Fixtures.time(3)).withoutLineage()
            try await traces.write([child.post], tenant: tenant)
            let c = try #require(try await traces.run(child.id, tenant: tenant))
            #expect(c.traceId == root.id)
            #expect(c.parentRunId == root.id)
            #expect(c.dottedOrder == order((Fixtures.time(3), root.id), (Fixtures.time(3), child.id)))
        }

        @Test("explicit lineage is kept as sent", arguments: StoreFactory.allCases)
        func explicitLineageKept(_ factory: StoreFactory) async throws {
            let traces = try factory.make().traces
            let root = RunBuilder.root(name: "root", start: Fixtures.time(0))
            let child = RunBuilder.child(of: root, name: "child", start: Fixtures.time(1))
            try await traces.write([child.post, root.post], tenant: tenant)
            let c = try #require(try await traces.run(child.id, tenant: tenant))
            #expect(c.dottedOrder == child.dottedOrder)
            #expect(c.traceId == root.id)
            #expect(c.isRoot == false)
        }
    }
}
