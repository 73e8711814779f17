import AnvilCore
import AnvilStorage
import AnvilTesting
import Foundation
import Testing

extension TraceStoreContractTests {
    /// `queryRuns`: every `RunQuery` field, ordering, cursors, `omit`, and `childRunIds`.
    @Suite("queries")
    struct Queries {
        let tenant = UUID()
        let projectA = UUID()
        let projectB = UUID()
        let exampleA = UUID()
        let exampleB = UUID()

        /// Project A: trace "root" (root → llm, root → tool(error) → leaf), root "solo" (reference
        /// example A, error). Project B: root "other" (reference example B) → "other_llm".
        struct Seeded {
            var root, llm, tool, leaf, solo, other, otherLLM: RunBuilder
            var all: [RunBuilder] { [root, llm, tool, leaf, solo, other, otherLLM] }
        }

        func seed(_ traces: any TraceStore) async throws -> Seeded {
            let root = RunBuilder.root(name: "root", start: Fixtures.time(0), sessionId: projectA).lasting(10).tags("prod")
            let llm = RunBuilder.child(of: root, name: "llm", runType: "llm", start: Fixtures.time(1)).lasting(2)
            let tool = RunBuilder.child(of: root, name: "tool", runType: "tool", start: Fixtures.time(3)).lasting(1).error("bad")
            let leaf = RunBuilder.child(of: tool, name: "leaf", runType: "llm", start: Fixtures.time(3.5)).lasting(0.1)
            let solo = RunBuilder.root(name: "solo", start: Fixtures.time(20), sessionId: projectA)
                .referenceExample(exampleA).error("oops").lasting(1)
            let other = RunBuilder.root(name: "other", start: Fixtures.time(30), sessionId: projectB).referenceExample(exampleB).lasting(1)
            let otherLLM = RunBuilder.child(of: other, name: "other_llm", runType: "llm", start: Fixtures.time(30.5)).lasting(0.2)
            let s = Seeded(root: root, llm: llm, tool: tool, leaf: leaf, solo: solo, other: other, otherLLM: otherLLM)
            // Children first, across two writes, to exercise merging too.
            try await traces.write([leaf.post, otherLLM.post, llm.post], tenant: tenant)
            try await traces.write([tool.post, root.post, solo.post, other.post], tenant: tenant)
            return s
        }

        func names(_ traces: any TraceStore, _ configure: (inout RunQuery) throws -> Void) async throws -> [String] {
            var q = RunQuery(tenantId: tenant)
            try configure(&q)
            return try await traces.queryRuns(q).runs.compactMap(\.name)
        }

        @Test("every RunQuery field narrows the result", arguments: StoreFactory.allCases)
        func fields(_ factory: StoreFactory) async throws {
            let traces = try factory.make().traces
            let s = try await seed(traces)
            // Default order: newest start first.
            #expect(try await names(traces) { _ in } == ["other_llm", "other", "solo", "leaf", "tool", "llm", "root"])
            #expect(try await names(traces) { $0.order = .asc } == ["root", "llm", "tool", "leaf", "solo", "other", "other_llm"])
            #expect(try await names(traces) { $0.sessionIds = [projectA] } == ["solo", "leaf", "tool", "llm", "root"])
            #expect(try await names(traces) { $0.sessionIds = [projectA, projectB]; $0.isRoot = true } == ["other", "solo", "root"])
            #expect(try await names(traces) { $0.sessionIds = [] }.isEmpty)
            #expect(try await names(traces) { $0.ids = [s.leaf.id, s.other.id, UUID()] } == ["other", "leaf"])
            #expect(try await names(traces) { $0.ids = [] }.isEmpty)
            #expect(try await names(traces) { $0.traceId = s.root.id } == ["leaf", "tool", "llm", "root"])
            #expect(try await names(traces) { $0.parentRunId = s.root.id } == ["tool", "llm"])
            #expect(try await names(traces) { $0.parentRunId = s.tool.id } == ["leaf"])
            #expect(try await names(traces) { $0.runType = "llm" } == ["other_llm", "leaf", "llm"])
            #expect(try await names(traces) { $0.isRoot = false } == ["other_llm", "leaf", "tool", "llm"])
            #expect(try await names(traces) { $0.error = true } == ["solo", "tool"])
            #expect(try await names(traces) { $0.error = false; $0.isRoot = true } == ["other", "root"])
            #expect(try await names(traces) { $0.referenceExampleIds = [exampleA, exampleB] } == ["other", "solo"])
            #expect(try await names(traces) { $0.referenceExampleIds = [] }.isEmpty)
            // start_time bounds are inclusive on both ends.
            #expect(try await names(traces) { $0.startTime = Fixtures.time(3) } == ["other_llm", "other", "solo", "leaf", "tool"])
            #expect(try await names(traces) { $0.endTime = Fixtures.time(3) } == ["tool", "llm", "root"])
            #expect(try await names(traces) { $0.startTime = Fixtures.time(3); $0.endTime = Fixtures.time(20) } == ["solo", "leaf", "tool"])
            #expect(try await names(traces) { $0.filter = try FilterParser.parse(#"eq(run_type, "llm")"#); $0.sessionIds = [projectA] } == ["leaf", "llm"])
            #expect(try await names(traces) { $0.traceFilter = try FilterParser.parse(#"has(tags, "prod")"#) } == ["leaf", "tool", "llm", "root"])
            #expect(try await names(traces) { $0.treeFilter = try FilterParser.parse(#"eq(name, "leaf")"#); $0.isRoot = true } == ["root"])
            #expect(try await names(traces) {
                $0.filter = try FilterParser.parse(#"eq(run_type, "llm")"#)
                $0.traceFilter = try FilterParser.parse("lt(latency, 5)")
                $0.treeFilter = try FilterParser.parse(#"eq(name, "other_llm")"#)
            } == ["other_llm"])
            #expect(try await names(traces) { $0.limit = 3 } == ["other_llm", "other", "solo"])
        }

        @Test("a page ends with a cursor only when more runs follow", arguments: StoreFactory.allCases)
        func nextCursor(_ factory: StoreFactory) async throws {
            let traces = try factory.make().traces
            let s = try await seed(traces)
            var q = RunQuery(tenantId: tenant, limit: 7)
            #expect(try await traces.queryRuns(q).next == nil)
            q.limit = 6
            let page = try await traces.queryRuns(q)
            #expect(page.runs.count == 6)
            #expect(page.next == RunCursor(startTime: Fixtures.time(1), id: s.llm.id))
            q.cursor = page.next
            let last = try await traces.queryRuns(q)
            #expect(last.runs.map(\.id) == [s.root.id])
            #expect(last.next == nil)
            // The cursor survives its opaque token form.
            let token = try #require(page.next?.token)
            #expect(RunCursor(token: token) == page.next)
            #expect(RunCursor(token: "not a cursor") == nil)
        }

        @Test("the page size is clamped to 1...1000", arguments: StoreFactory.allCases)
        func limitClamp(_ factory: StoreFactory) async throws {
            let traces = try factory.make().traces
            let runs = (0..<1001).map { RunBuilder.root(name: "r\($0)", start: Fixtures.time(Double($0))) }
            try await traces.write(runs.map(\.post), tenant: tenant)
            let zero = try await traces.queryRuns(RunQuery(tenantId: tenant, limit: 0))
            #expect(zero.runs.map(\.id) == [runs[1000].id])
            #expect(zero.next == RunCursor(startTime: Fixtures.time(1000), id: runs[1000].id))
            let huge = try await traces.queryRuns(RunQuery(tenantId: tenant, limit: 5000, order: .asc))
            #expect(huge.runs.count == RunQuery.maximumLimit)
            #expect(huge.runs.last?.id == runs[999].id)
            #expect(huge.next == RunCursor(startTime: Fixtures.time(999), id: runs[999].id))
        }

        @Test("omit leaves the other payloads intact", arguments: StoreFactory.allCases)
        func omit(_ factory: StoreFactory) async throws {
            let traces = try factory.make().traces
            let run = RunBuilder.root(name: "big").inputs(["q": "x"]).outputs(["a": "y"]).metadata(["m": 1])
                .events([["name": "start"]]).with { $0.serialized = RawJSON(["s": true]) }
            try await traces.write([run.post], tenant: tenant)
            var q = RunQuery(tenantId: tenant)
            q.omit = [.inputs, .outputs, .serialized]
            let listed = try #require(try await traces.queryRuns(q).runs.first)
            #expect(listed.extra == RawJSON(["metadata": ["m": 1]]))
            #expect(listed.events == RawJSON([["name": "start"]]))
            #expect(listed.name == "big")
            // Stores may skip omitted payloads; when they return them they are intact.
            #expect(listed.inputs == nil || listed.inputs == RawJSON(["q": "x"]))
            #expect(listed.outputs == nil || listed.outputs == RawJSON(["a": "y"]))
            q.omit = []
            let full = try #require(try await traces.queryRuns(q).runs.first)
            #expect(full.inputs == RawJSON(["q": "x"]))
            #expect(full.outputs == RawJSON(["a": "y"]))
            #expect(full.serialized == RawJSON(["s": true]))
        }

        @Test("childRunIds lists posted direct children in dotted order", arguments: StoreFactory.allCases)
        func childIds(_ factory: StoreFactory) async throws {
            let traces = try factory.make().traces
            let s = try await seed(traces)
            let late = RunBuilder.child(of: s.root, name: "late", start: Fixtures.time(0.5))
            try await traces.write([late.post, RunBuilder.child(of: s.root, name: "unposted", start: Fixtures.time(5)).patch { $0.endTime = Fixtures.time(6) }], tenant: tenant)
            let children = try await traces.childRunIds(of: [s.root.id, s.tool.id, s.solo.id, s.other.id], tenantId: tenant)
            #expect(children[s.root.id] == [late.id, s.llm.id, s.tool.id])
            #expect(children[s.tool.id] == [s.leaf.id])
            #expect(children[s.other.id] == [s.otherLLM.id])
            #expect(children[s.solo.id] == nil)
            #expect(children.count == 3)
            #expect(try await traces.childRunIds(of: [], tenantId: tenant).isEmpty)
        }

        @Test("runs(ids:) returns what exists, including unposted runs", arguments: StoreFactory.allCases)
        func runsById(_ factory: StoreFactory) async throws {
            let traces = try factory.make().traces
            let s = try await seed(traces)
            let ghost = RunBuilder.root(name: "ghost")
            try await traces.write([ghost.patch { $0.endTime = Fixtures.time(1) }], tenant: tenant)
            let found = try await traces.runs(ids: [s.leaf.id, UUID(), ghost.id, s.root.id], tenantId: tenant)
            #expect(Set(found.map(\.id)) == [s.leaf.id, ghost.id, s.root.id])
            #expect(try await traces.runs(ids: [], tenantId: tenant).isEmpty)
        }
    }
}

extension TraceStoreContractTests {
    /// Cursor pagination: every run exactly once, in order, including equal start times.
    @Suite("pagination")
    struct Pagination {
        let tenant = UUID()

        @Test("limit 2 over 7 runs yields each run once in (start_time, id) order", arguments: StoreFactory.allCases, [AnvilStorage.SortOrder.asc, .desc])
        func pages(_ factory: StoreFactory, _ order: AnvilStorage.SortOrder) async throws {
            let traces = try factory.make().traces
            let project = UUID()
            // Three runs share one start time and two another; ids chosen so id order differs from insertion.
            let starts: [Double] = [5, 1, 5, 3, 5, 3, 9]
            let ids = [7, 2, 5, 6, 1, 3, 4].map { Fixtures.uuid($0) }
            let runs = zip(starts, ids).enumerated().map { i, pair in
                RunBuilder.root(name: "r\(i)", start: Fixtures.time(pair.0), id: pair.1, sessionId: project)
            }
            try await traces.write(runs.map(\.post), tenant: tenant)
            var q = RunQuery(tenantId: tenant, limit: 2, order: order)
            q.sessionIds = [project]
            var seen: [UUID] = []
            var pageSizes: [Int] = []
            for _ in 0..<10 {
                let page = try await traces.queryRuns(q)
                seen += page.runs.map(\.id)
                pageSizes.append(page.runs.count)
                guard let next = page.next else { break }
                q.cursor = RunCursor(token: next.token)  // as a client would send it back
            }
            let expected = runs.sorted { a, b in
                let ka = (a.startTime.microseconds, a.id.lowercased), kb = (b.startTime.microseconds, b.id.lowercased)
                return order == .asc ? ka < kb : ka > kb
            }.map(\.id)
            #expect(seen == expected)
            #expect(pageSizes == [2, 2, 2, 1])
        }
    }
}
