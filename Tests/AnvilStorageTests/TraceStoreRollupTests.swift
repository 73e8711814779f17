import AnvilCore
import AnvilStorage
import AnvilTesting
import Foundation
import Testing

extension TraceStoreContractTests {
    /// Usage rolls up to every ancestor whatever order the runs arrive in.
    @Suite("usage roll-up")
    struct Rollup {
        let tenant = UUID()

        /// root → chain → llm (3+4 tokens, $0.25), root → tool, root → llm2 (10+20 tokens, $0.5).
        struct Tree {
            let root = RunBuilder.root(name: "root", start: Fixtures.time(0)).lasting(10)
            var chain: RunBuilder { RunBuilder.child(of: root, name: "chain", start: Fixtures.time(1), id: ids[0]).lasting(3) }
            var llm: RunBuilder {
                RunBuilder.child(of: chain, name: "llm", runType: "llm", start: Fixtures.time(2), id: ids[1])
                    .metadata(["usage_metadata": ["input_tokens": 3, "output_tokens": 4, "total_cost": 0.25,
                                                  "input_token_details": ["cache_read": 1]]]).lasting(1)
            }
            var tool: RunBuilder { RunBuilder.child(of: root, name: "tool", runType: "tool", start: Fixtures.time(5), id: ids[2]).lasting(1) }
            var llm2: RunBuilder {
                RunBuilder.child(of: root, name: "llm2", runType: "llm", start: Fixtures.time(6), id: ids[3])
                    .outputs(["usage_metadata": ["input_tokens": 10, "output_tokens": 20, "total_cost": 0.5,
                                                 "input_token_details": ["cache_read": 2, "audio": 7]]]).lasting(1)
            }
            let ids = (0..<4).map { _ in UUID() }
            var all: [RunBuilder] { [root, chain, llm, tool, llm2] }
        }

        enum Arrival: String, CaseIterable, Sendable {
            case parentsFirst, childrenFirst, oneWriteReversed, interleaved
        }

        func write(_ tree: Tree, _ arrival: Arrival, to traces: any TraceStore) async throws {
            switch arrival {
            case .parentsFirst:
                for r in tree.all { try await traces.write([r.post], tenant: tenant) }
            case .childrenFirst:
                for r in tree.all.reversed() { try await traces.write([r.post], tenant: tenant) }
            case .oneWriteReversed:
                try await traces.write(tree.all.reversed().map(\.post), tenant: tenant)
            case .interleaved:
                try await traces.write([tree.llm.post, tree.tool.post], tenant: tenant)
                try await traces.write([tree.root.post], tenant: tenant)
                try await traces.write([tree.llm2.post, tree.chain.post], tenant: tenant)
            }
        }

        @Test("every ancestor holds the sum of its subtree", arguments: StoreFactory.allCases, Arrival.allCases)
        func rollup(_ factory: StoreFactory, _ arrival: Arrival) async throws {
            let traces = try factory.make().traces
            let tree = Tree()
            try await write(tree, arrival, to: traces)
            let runs = Dictionary(uniqueKeysWithValues: try await traces.runs(ids: tree.all.map(\.id), tenantId: tenant).map { ($0.name ?? "", $0) })
            let root = try #require(runs["root"])
            #expect(root.usage.isEmpty)
            #expect(root.rollupUsage.promptTokens == 13)
            #expect(root.rollupUsage.completionTokens == 24)
            #expect(root.rollupUsage.totalTokens == 37)
            #expect(root.rollupUsage.totalCost == 0.75)
            #expect(root.rollupUsage.promptCost == nil)
            #expect(root.rollupUsage.promptTokenDetails == ["cache_read": 3, "audio": 7])
            let chain = try #require(runs["chain"])
            #expect(chain.rollupUsage.totalTokens == 7)
            #expect(chain.rollupUsage.totalCost == 0.25)
            #expect(chain.rollupUsage.promptTokenDetails == ["cache_read": 1])
            #expect(try #require(runs["llm"]).rollupUsage.totalTokens == 7)
            #expect(try #require(runs["tool"]).rollupUsage.isEmpty)
            #expect(try #require(runs["llm2"]).rollupUsage.totalTokens == 30)

            // What filters and stats see is the roll-up.
            var q = RunQuery(tenantId: tenant)
            q.filter = try FilterParser.parse("gte(total_tokens, 30)")
            #expect(Set(try await traces.queryRuns(q).runs.compactMap(\.name)) == ["root", "llm2"])
        }

        @Test("usage added by a later patch reaches every ancestor", arguments: StoreFactory.allCases)
        func patchUpdatesAncestors(_ factory: StoreFactory) async throws {
            let traces = try factory.make().traces
            let tree = Tree()
            try await traces.write(tree.all.map(\.post), tenant: tenant)
            try await traces.write([tree.tool.patch { $0.outputs = RawJSON(["usage_metadata": ["input_tokens": 100, "output_tokens": 0]]) }], tenant: tenant)
            let root = try #require(try await traces.run(tree.root.id, tenant: tenant))
            #expect(root.rollupUsage.totalTokens == 137)
            #expect(root.rollupUsage.promptTokens == 113)
            // Patching the usage again replaces, not adds.
            try await traces.write([tree.tool.patch { $0.outputs = RawJSON(["usage_metadata": ["input_tokens": 1, "output_tokens": 0]]) }], tenant: tenant)
            #expect(try await traces.run(tree.root.id, tenant: tenant)?.rollupUsage.totalTokens == 38)
            let chain = try #require(try await traces.run(tree.chain.id, tenant: tenant))
            #expect(chain.rollupUsage.totalTokens == 7)
        }

        /// A new trace written whole has its roll-ups computed in the write (SQLite); the result must
        /// be what writing it run by run (each write refreshing from the stored subtree) gives.
        @Test("a trace written whole rolls up exactly as the same trace written run by run", arguments: StoreFactory.allCases)
        func wholeTraceMatchesRunByRun(_ factory: StoreFactory) async throws {
            // Depth 3, fractional costs (float sums depend on their order) and token details.
            let root = RunBuilder.root(name: "root", start: Fixtures.time(0)).lasting(60)
            var all = [root]
            for i in 0..<4 {
                let chain = RunBuilder.child(of: root, name: "chain\(i)", start: Fixtures.time(Double(1 + 10 * i))).lasting(9)
                all.append(chain)
                for j in 0..<3 {
                    let usage: JSONValue = [
                        "input_tokens": .int(Int64(i * 7 + j)), "output_tokens": 3, "total_cost": .double(0.1 * Double(j + 1)),
                        "input_token_details": ["cache_read": .int(Int64(j))],
                    ]
                    all.append(RunBuilder.child(of: chain, name: "llm\(i)\(j)", runType: "llm", start: Fixtures.time(Double(2 + 10 * i + j)))
                        .metadata(["usage_metadata": usage]).lasting(1))
                }
            }
            let whole = try factory.make().traces
            try await whole.write(all.reversed().map(\.post), tenant: tenant)
            let runByRun = try factory.make().traces
            for r in all { try await runByRun.write([r.post], tenant: tenant) }
            let a = try await whole.runs(ids: all.map(\.id), tenantId: tenant)
            let b = try await runByRun.runs(ids: all.map(\.id), tenantId: tenant)
            #expect(a.count == all.count)
            if factory == .sqlite {
                // The SQLite store computes a new trace's roll-ups in the write: bit-for-bit the same.
                #expect(a.map(\.rollupUsage) == b.map(\.rollupUsage))
            } else {
                // The reference store adds costs in arrival order: equal up to float rounding.
                #expect(a.map(\.rollupUsage.totalTokens) == b.map(\.rollupUsage.totalTokens))
                #expect(a.map(\.rollupUsage.promptTokenDetails) == b.map(\.rollupUsage.promptTokenDetails))
                for (x, y) in zip(a, b) { #expect(abs((x.rollupUsage.totalCost ?? 0) - (y.rollupUsage.totalCost ?? 0)) < 1e-9) }
            }
            let top = try #require(a.first { $0.name == "root" })
            #expect(top.rollupUsage.promptTokens == 138)  // Σ over i, j of 7i + j
            #expect(top.rollupUsage.promptTokenDetails == ["cache_read": 12])
        }

        @Test("separate traces never mix", arguments: StoreFactory.allCases)
        func tracesAreSeparate(_ factory: StoreFactory) async throws {
            let traces = try factory.make().traces
            let a = Tree(), b = Tree()
            try await traces.write(a.all.map(\.post) + b.all.map(\.post), tenant: tenant)
            #expect(try await traces.run(a.root.id, tenant: tenant)?.rollupUsage.totalTokens == 37)
            #expect(try await traces.run(b.root.id, tenant: tenant)?.rollupUsage.totalTokens == 37)
        }
    }
}
