import AnvilCore
import AnvilStorage
import AnvilTesting
import Foundation
import Testing

extension TraceStoreContractTests {
    /// Random filters over the fixture: the SQLite compiler and the Swift reference semantics
    /// (which the memory store evaluates) must select exactly the same runs.
    @Suite("filters: SQLite agrees with the reference semantics")
    struct FilterDifferential {
        /// `ANVIL_FILTER_CASES` and `ANVIL_FILTER_SEED` override these to search further or replay.
        static let cases = ProcessInfo.processInfo.environment["ANVIL_FILTER_CASES"].flatMap { Int($0) } ?? 2000
        static let seed = ProcessInfo.processInfo.environment["ANVIL_FILTER_SEED"].flatMap { UInt64($0) } ?? 0xA2F1_7E57

        @Test("random filters select the same runs on every backend")
        func randomFilters() async throws {
            let memory = try await SharedFilterFixture.get(.memory)
            let sqlite = try await SharedFilterFixture.get(.sqlite)
            var generator = FilterGenerator(seed: Self.seed)
            var checked = 0, rejected = 0, disagreements = 0, nonTrivial = 0
            for i in 0..<Self.cases {
                let expression = generator.expression()
                // Round-trip through the parser: what reaches a store is always parser output.
                guard let parsed = try? FilterParser.parse(expression.description) else {
                    rejected += 1
                    continue
                }
                var q = RunQuery(tenantId: FilterFixture.tenant, limit: 1000)
                switch i % 10 {
                case 0: q.traceFilter = parsed
                case 1: q.treeFilter = parsed
                case 2:
                    q.filter = parsed
                    q.treeFilter = try? FilterParser.parse(generator.expression(depth: 2).description)
                default: q.filter = parsed
                }
                let expected = try await memory.names(q)
                let actual = try await sqlite.names(q)
                checked += 1
                if !expected.isEmpty && expected.count < FilterFixture.allNames.count { nonTrivial += 1 }
                if expected != actual {
                    disagreements += 1
                    if disagreements <= 25 {
                        Issue.record("""
                            case \(i): filter \(q.filter?.description ?? "-") trace \(q.traceFilter?.description ?? "-") \
                            tree \(q.treeFilter?.description ?? "-")
                            memory only: \(expected.subtracting(actual).sorted()); sqlite only: \(actual.subtracting(expected).sorted())
                            """)
                    }
                }
            }
            #expect(disagreements == 0)
            // The generator must produce valid filters that actually discriminate between runs.
            #expect(rejected * 50 < Self.cases, "\(rejected) generated filters did not parse")
            #expect(nonTrivial * 3 > checked, "only \(nonTrivial) of \(checked) filters selected a proper subset")
        }
    }
}
