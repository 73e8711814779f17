import AnvilCore
import AnvilStorage
import AnvilTesting
import Foundation
import Testing

extension TraceStoreContractTests {
    /// Every backend returns exactly the expected runs for each filter of the table.
    @Suite("filters: table of expected results")
    struct FilterTable {
        @Test("the fixture holds what the table assumes", arguments: StoreFactory.allCases)
        func fixture(_ factory: StoreFactory) async throws {
            let fixture = try await SharedFilterFixture.get(factory)
            let tenant = FilterFixture.tenant
            #expect(try await fixture.names(RunQuery(tenantId: tenant)) == FilterCase.all)
            let runs = Dictionary(uniqueKeysWithValues: try await fixture.traces.allRuns(RunQuery(tenantId: tenant)).map { ($0.name ?? "", $0) })
            func tokens(_ name: String) -> Int64? { runs[name]?.rollupUsage.totalTokens }
            #expect(tokens("agent") == 120)
            #expect(runs["agent"]?.rollupUsage.totalCost == 0.75)
            #expect(tokens("ChatOpenAI") == 120)
            #expect(tokens("moderation") == 0)
            #expect(tokens("plan") == nil)
            #expect(tokens("chat_pipeline") == 100)
            #expect(tokens("failing_chain") == 10)
            #expect(tokens("streaming_agent") == 18)
            #expect(tokens("UPPER_case_Run") == 12)
            #expect(runs["UPPER_case_Run"]?.rollupUsage.promptCost == 0.125)
            #expect(tokens("other_root") == 2000)
            #expect(runs["agent"]?.threadId == "thread-1")
            #expect(runs["streaming_agent"]?.threadId == "42")
            #expect(runs["failing_chain"]?.threadId == "thread-3")
            #expect(runs["Anthropic"]?.firstTokenTime == Fixtures.time(20.35))
            #expect(runs["agent"]?.status == .success)
            #expect(runs["streaming_agent"]?.status == .pending)
            #expect(runs["agent"]?.endTime == Fixtures.time(10))
            #expect(runs.values.filter(\.isRoot).count == FilterCase.roots.count)
        }

        static let cases = FilterCase.table + FilterCase.payloadTable

        @Test("table row", arguments: StoreFactory.allCases, cases)
        func row(_ factory: StoreFactory, _ c: FilterCase) async throws {
            let fixture = try await SharedFilterFixture.get(factory)
            var q = RunQuery(tenantId: FilterFixture.tenant, limit: 1000)
            q.filter = try c.filter.map { try FilterParser.parse(FilterFixture.substitute($0)) }
            q.traceFilter = try c.traceFilter.map { try FilterParser.parse(FilterFixture.substitute($0)) }
            q.treeFilter = try c.treeFilter.map { try FilterParser.parse(FilterFixture.substitute($0)) }
            let got = try await fixture.names(q)
            #expect(
                got == c.expected,
                "missing \(c.expected.subtracting(got).sorted()), unexpected \(got.subtracting(c.expected).sorted())")
            // runStats sees the same runs.
            #expect(try await fixture.traces.runStats(q).runCount == c.expected.count)
        }

        @Test("the table is large and its rows distinct")
        func tableShape() {
            #expect(Self.cases.count >= 200)
            #expect(Set(Self.cases.map(\.testDescription)).count == Self.cases.count)
        }
    }
}
