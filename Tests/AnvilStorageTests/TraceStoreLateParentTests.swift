import AnvilCore
import AnvilStorage
import AnvilTesting
import Foundation
import Testing

extension TraceStoreContractTests {
    /// Children written before their parent (OTel spans arrive in any order), and orphans whose
    /// parent never comes.
    @Suite("late parents and orphans")
    struct LateParents {
        let tenant = UUID()

        func order(_ segments: (Timestamp, UUID)...) -> String {
            DottedOrder(segments: segments.map { DottedOrder.Segment(time: $0.0, id: $0.1) }).string
        }

        func roots(_ traces: any TraceStore) async throws -> Set<UUID> {
            var q = RunQuery(tenantId: tenant)
            q.isRoot = true
            return Set(try await traces.allRuns(q).map(\.id))
        }

        @Test("a parent written after its child adopts it, and its subtree, in any order of writes", arguments: StoreFactory.allCases)
        func lateParentAdopts(_ factory: StoreFactory) async throws {
            let traces = try factory.make().traces
            let root = RunBuilder.root(name: "root", start: Fixtures.time(0))
            let child = RunBuilder.child(of: root, name: "child", start: Fixtures.time(1)).withoutLineage()
            let grandchild = RunBuilder.child(of: child, name: "grandchild", start: Fixtures.time(2)).withoutLineage()
                .metadata(["usage_metadata": ["input_tokens": 3, "output_tokens": 4, "total_tokens": 7]])
            // Leaves first, each in its own write, as a batching exporter sends them.
            try await traces.write([grandchild.post], tenant: tenant)
            try await traces.write([child.post], tenant: tenant)
            #expect(try await roots(traces).isEmpty)
            try await traces.write([root.post], tenant: tenant)

            let c = try #require(try await traces.run(child.id, tenant: tenant))
            #expect(c.traceId == root.id)
            #expect(c.dottedOrder == order((Fixtures.time(0), root.id), (Fixtures.time(1), child.id)))
            let g = try #require(try await traces.run(grandchild.id, tenant: tenant))
            #expect(g.traceId == root.id)
            #expect(g.dottedOrder == order((Fixtures.time(0), root.id), (Fixtures.time(1), child.id), (Fixtures.time(2), grandchild.id)))
            #expect(try await roots(traces) == [root.id])
            // Usage rolls up through the new lineage.
            let r = try #require(try await traces.run(root.id, tenant: tenant))
            #expect(r.rollupUsage.totalTokens == 7)
            // Writing everything again changes nothing.
            try await traces.write([root.post, child.post, grandchild.post], tenant: tenant)
            #expect(try await traces.run(grandchild.id, tenant: tenant)?.dottedOrder == g.dottedOrder)
            #expect(try await traces.promoteOrphans(waitingSince: Fixtures.time(1_000_000_000), limit: 100) == 0)
        }

        @Test("a child whose parent never arrives is promoted to a marked root after the grace period", arguments: StoreFactory.allCases)
        func orphanPromoted(_ factory: StoreFactory) async throws {
            let traces = try factory.make().traces
            let missing = RunBuilder.root(name: "never sent", start: Fixtures.time(0))
            let child = RunBuilder.child(of: missing, name: "orphan", start: Fixtures.time(1)).withoutLineage()
            let grandchild = RunBuilder.child(of: child, name: "leaf", start: Fixtures.time(2)).withoutLineage()
            try await traces.write([child.post, grandchild.post], tenant: tenant)
            // Still waiting: not shown as a root yet.
            #expect(try await traces.promoteOrphans(waitingSince: Timestamp(microseconds: 0), limit: 100) == 0)
            #expect(try await roots(traces).isEmpty)

            #expect(try await traces.promoteOrphans(waitingSince: Timestamp.now().adding(seconds: 1), limit: 100) == 1)
            let c = try #require(try await traces.run(child.id, tenant: tenant))
            #expect(c.isRoot)
            #expect(c.traceId == child.id)
            #expect(c.dottedOrder == order((Fixtures.time(1), child.id)))
            let metadata = c.extra?.value(at: "metadata")
            #expect(metadata?[Run.orphanMetadataKey] == .bool(true))
            #expect(metadata?[Run.orphanParentMetadataKey] == .string(missing.id.lowercased))
            let g = try #require(try await traces.run(grandchild.id, tenant: tenant))
            #expect(g.traceId == child.id)
            #expect(g.dottedOrder == order((Fixtures.time(1), child.id), (Fixtures.time(2), grandchild.id)))
            #expect(try await roots(traces) == [child.id])
            // Idempotent: a second sweep and a re-sent post keep it a root.
            #expect(try await traces.promoteOrphans(waitingSince: Timestamp.now().adding(seconds: 1), limit: 100) == 0)
            try await traces.write([child.post], tenant: tenant)
            #expect(try await roots(traces) == [child.id])

            // The parent turns up after all: it adopts the orphan and the mark goes.
            try await traces.write([missing.post], tenant: tenant)
            let adopted = try #require(try await traces.run(child.id, tenant: tenant))
            #expect(adopted.parentRunId == missing.id)
            #expect(adopted.traceId == missing.id)
            #expect(adopted.extra?.value(at: "metadata", Run.orphanMetadataKey) == nil)
            #expect(try await traces.run(grandchild.id, tenant: tenant)?.dottedOrder
                == order((Fixtures.time(0), missing.id), (Fixtures.time(1), child.id), (Fixtures.time(2), grandchild.id)))
            #expect(try await roots(traces) == [missing.id])
        }

        @Test("a parent in another workspace does not adopt", arguments: StoreFactory.allCases)
        func otherTenantDoesNotAdopt(_ factory: StoreFactory) async throws {
            let traces = try factory.make().traces
            let parent = RunBuilder.root(name: "parent", start: Fixtures.time(0))
            let child = RunBuilder.child(of: parent, name: "child", start: Fixtures.time(1)).withoutLineage()
            try await traces.write([child.post], tenant: tenant)
            try await traces.write([parent.post], tenant: UUID())
            let c = try #require(try await traces.run(child.id, tenant: tenant))
            #expect(c.dottedOrder == order((Fixtures.time(1), parent.id), (Fixtures.time(1), child.id)))
        }

        /// A span started inside an SDK run: its parent is `00000000-0000-0000-<first 8 bytes of the
        /// run id>` and its metadata carries the OTel trace id (the SDK's trace UUID).
        func spanInside(_ sdkRun: RunBuilder, trace: UUID, name: String, start: Timestamp) -> RunBuilder {
            let awaited = SDKParentHint.awaitedId(forSDKRun: sdkRun.id)!
            return RunBuilder.root(name: name, start: start).with {
                $0.parentRunId = awaited
                $0.traceId = nil
                $0.dottedOrder = nil
                $0.extra = RawJSON(.object(["metadata": [Run.otelTraceIdMetadataKey: .string(trace.uuidString.lowercased().replacingOccurrences(of: "-", with: ""))]]))
            }
        }

        @Test("a span inside an SDK run nests under it by the run id's first 8 bytes and the trace, in either order", arguments: StoreFactory.allCases)
        func sdkParentByPrefix(_ factory: StoreFactory) async throws {
            let traces = try factory.make().traces
            let root = RunBuilder.root(name: "sdk-root", start: Fixtures.time(0))
            let sdkChild = RunBuilder.child(of: root, name: "sdk-child", start: Fixtures.time(1))
            // Parent stored first.
            try await traces.write([root.post, sdkChild.post], tenant: tenant)
            let span = spanInside(sdkChild, trace: root.id, name: "otel-span", start: Fixtures.time(2))
            try await traces.write([span.post], tenant: tenant)
            let s = try #require(try await traces.run(span.id, tenant: tenant))
            #expect(s.parentRunId == sdkChild.id)
            #expect(s.traceId == root.id)
            #expect(s.dottedOrder == order((Fixtures.time(0), root.id), (Fixtures.time(1), sdkChild.id), (Fixtures.time(2), span.id)))

            // Span first: it waits, then the SDK run adopts it when it is posted.
            let root2 = RunBuilder.root(name: "sdk-root-2", start: Fixtures.time(10))
            let sdkChild2 = RunBuilder.child(of: root2, name: "sdk-child-2", start: Fixtures.time(11))
            let early = spanInside(sdkChild2, trace: root2.id, name: "early-span", start: Fixtures.time(12))
            try await traces.write([early.post], tenant: tenant)
            try await traces.write([root2.post], tenant: tenant)
            #expect(try await traces.run(early.id, tenant: tenant)?.traceId != root2.id)
            try await traces.write([sdkChild2.post], tenant: tenant)
            let e = try #require(try await traces.run(early.id, tenant: tenant))
            #expect(e.parentRunId == sdkChild2.id)
            #expect(e.dottedOrder == order((Fixtures.time(10), root2.id), (Fixtures.time(11), sdkChild2.id), (Fixtures.time(12), early.id)))
            #expect(try await roots(traces) == [root.id, root2.id])
        }

        @Test("a run sharing the first 8 bytes in another trace is not taken for the parent", arguments: StoreFactory.allCases)
        func sdkParentOtherTrace(_ factory: StoreFactory) async throws {
            let traces = try factory.make().traces
            let root = RunBuilder.root(name: "sdk-root", start: Fixtures.time(0))
            let sdkChild = RunBuilder.child(of: root, name: "sdk-child", start: Fixtures.time(1))
            try await traces.write([root.post, sdkChild.post], tenant: tenant)
            // The span claims another trace: it keeps waiting, and is promoted as an orphan.
            let span = spanInside(sdkChild, trace: UUID(), name: "stray", start: Fixtures.time(2))
            try await traces.write([span.post], tenant: tenant)
            #expect(try await traces.run(span.id, tenant: tenant)?.parentRunId != sdkChild.id)
            #expect(try await traces.promoteOrphans(waitingSince: Timestamp.now().adding(seconds: 1), limit: 100) == 1)
            #expect(try await roots(traces) == [root.id, span.id])
        }
    }
}
