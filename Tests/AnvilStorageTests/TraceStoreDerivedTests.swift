import AnvilCore
import AnvilStorage
import AnvilTesting
import Foundation
import Testing

extension TraceStoreContractTests {
    /// Fields derived from payloads on write: usage and costs, thread id, first-token time.
    @Suite("derived fields")
    struct Derived {
        let tenant = UUID()

        func stored(_ factory: StoreFactory, _ run: RunBuilder) async throws -> Run {
            let traces = try factory.make().traces
            try await traces.write([run.post], tenant: tenant)
            return try #require(try await traces.run(run.id, tenant: tenant))
        }

        @Test("usage from extra.metadata.usage_metadata, with string costs and details", arguments: StoreFactory.allCases)
        func usageFromMetadata(_ factory: StoreFactory) async throws {
            let run = RunBuilder.root(name: "llm", runType: "llm").metadata(["usage_metadata": [
                "input_tokens": 8, "output_tokens": 4, "input_cost": "0.125", "output_cost": 0.375,
                "input_token_details": ["cache_read": 2, "audio": 1], "output_token_details": ["reasoning": 3],
                "input_cost_details": ["cache_read": 0.0625], "output_cost_details": nil,
            ]])
            let usage = try await stored(factory, run).usage
            #expect(usage.promptTokens == 8)
            #expect(usage.completionTokens == 4)
            #expect(usage.totalTokens == 12)  // filled from the parts
            #expect(usage.promptCost == 0.125)
            #expect(usage.completionCost == 0.375)
            #expect(usage.totalCost == 0.5)
            #expect(usage.promptTokenDetails == ["cache_read": 2, "audio": 1])
            #expect(usage.completionTokenDetails == ["reasoning": 3])
            #expect(usage.promptCostDetails == ["cache_read": 0.0625])
            #expect(usage.completionCostDetails == nil)
            let r = try await stored(factory, run)
            #expect(r.rollupUsage == r.usage)
        }

        @Test("metadata usage wins over outputs usage", arguments: StoreFactory.allCases)
        func metadataWins(_ factory: StoreFactory) async throws {
            let run = RunBuilder.root(name: "llm", runType: "llm")
                .metadata(["usage_metadata": ["input_tokens": 1, "output_tokens": 2, "total_tokens": 30]])
                .outputs(["usage_metadata": ["input_tokens": 100, "output_tokens": 200]])
            let usage = try await stored(factory, run).usage
            #expect(usage.promptTokens == 1)
            #expect(usage.completionTokens == 2)
            #expect(usage.totalTokens == 30)  // an explicit total is kept even when it differs from the sum
            #expect(usage.totalCost == nil)
        }

        @Test("usage from outputs.usage_metadata", arguments: StoreFactory.allCases)
        func usageFromOutputs(_ factory: StoreFactory) async throws {
            let run = RunBuilder.root(name: "llm", runType: "llm")
                .outputs(["content": "hi", "usage_metadata": ["input_tokens": 40, "output_tokens": 60, "total_tokens": 100, "total_cost": 0.25]])
            let usage = try await stored(factory, run).usage
            #expect(usage.promptTokens == 40)
            #expect(usage.completionTokens == 60)
            #expect(usage.totalTokens == 100)
            #expect(usage.promptCost == nil)
            #expect(usage.totalCost == 0.25)
        }

        @Test("usage summed over the messages of a LangChain LLMResult", arguments: StoreFactory.allCases)
        func usageFromGenerations(_ factory: StoreFactory) async throws {
            let run = RunBuilder.root(name: "llm", runType: "llm").outputs(json: """
                {"generations": [[{"text": "a", "message": {"lc": 1, "kwargs": {"content": "a", "usage_metadata": {"input_tokens": 10, "output_tokens": 5, "total_tokens": 15, "input_token_details": {"cache_read": 4}}}}}],
                                 [{"text": "b", "message": {"kwargs": {"usage_metadata": {"input_tokens": 1, "output_tokens": 2, "total_tokens": 3, "input_token_details": {"cache_read": 1}}}}},
                                  {"text": "no usage here"}]],
                 "llm_output": {"token_usage": {"prompt_tokens": 999, "completion_tokens": 999}}}
                """)
            let usage = try await stored(factory, run).usage
            #expect(usage.promptTokens == 11)
            #expect(usage.completionTokens == 7)
            #expect(usage.totalTokens == 18)
            #expect(usage.promptTokenDetails == ["cache_read": 5])
        }

        @Test("usage from the legacy llm_output.token_usage", arguments: StoreFactory.allCases)
        func usageFromTokenUsage(_ factory: StoreFactory) async throws {
            let run = RunBuilder.root(name: "llm", runType: "llm")
                .outputs(["generations": [[["text": "x"]]], "llm_output": ["token_usage": ["prompt_tokens": 7, "completion_tokens": 3]]])
            let usage = try await stored(factory, run).usage
            #expect(usage.promptTokens == 7)
            #expect(usage.completionTokens == 3)
            #expect(usage.totalTokens == 10)
            #expect(usage.totalCost == nil)
        }

        @Test("no usage anywhere leaves usage empty", arguments: StoreFactory.allCases)
        func noUsage(_ factory: StoreFactory) async throws {
            let run = RunBuilder.root(name: "chain").metadata(["k": "v"]).outputs(["answer": "x"])
            let r = try await stored(factory, run)
            #expect(r.usage.isEmpty)
            #expect(r.rollupUsage.isEmpty)
        }

        @Test("usage arriving in a patch is derived on merge", arguments: StoreFactory.allCases)
        func usageFromPatch(_ factory: StoreFactory) async throws {
            let traces = try factory.make().traces
            let run = RunBuilder.root(name: "llm", runType: "llm")
            try await traces.write([run.post], tenant: tenant)
            try await traces.write([run.patch { $0.outputs = RawJSON(["usage_metadata": ["input_tokens": 2, "output_tokens": 3]]) }], tenant: tenant)
            let r = try #require(try await traces.run(run.id, tenant: tenant))
            #expect(r.usage.totalTokens == 5)
            #expect(r.rollupUsage.totalTokens == 5)
        }

        struct ThreadCase: Sendable, CustomTestStringConvertible {
            var metadata: JSONValue
            var expected: String?
            var testDescription: String { "\(metadata.encodedString) → \(expected ?? "nil")" }
        }

        static let threadCases: [ThreadCase] = [
            ThreadCase(metadata: ["session_id": "s1"], expected: "s1"),
            ThreadCase(metadata: ["thread_id": "t1"], expected: "t1"),
            ThreadCase(metadata: ["conversation_id": "c1"], expected: "c1"),
            ThreadCase(metadata: ["conversation_id": "c1", "thread_id": "t1", "session_id": "s1"], expected: "s1"),
            ThreadCase(metadata: ["conversation_id": "c1", "thread_id": "t1"], expected: "t1"),
            ThreadCase(metadata: ["session_id": "", "thread_id": "t1"], expected: "t1"),
            ThreadCase(metadata: ["thread_id": 42], expected: "42"),
            ThreadCase(metadata: ["thread_id": true, "conversation_id": ["nested": "x"]], expected: nil),
            ThreadCase(metadata: ["user_id": "u1"], expected: nil),
        ]

        @Test("thread id from metadata keys in LangSmith's order", arguments: StoreFactory.allCases, threadCases)
        func threadId(_ factory: StoreFactory, _ c: ThreadCase) async throws {
            let r = try await stored(factory, RunBuilder.root(name: "turn").metadata(c.metadata))
            #expect(r.threadId == c.expected)
        }

        @Test("first token time from the first new_token event", arguments: StoreFactory.allCases)
        func firstToken(_ factory: StoreFactory) async throws {
            let run = RunBuilder.root(name: "llm", runType: "llm", start: Fixtures.time(10)).events([
                ["name": "start", "time": .string(Fixtures.time(10).iso8601)],
                ["name": "new_token", "time": .string(Fixtures.time(10.25).iso8601), "kwargs": ["token": "a"]],
                ["name": "new_token", "time": .string(Fixtures.time(11).iso8601), "kwargs": ["token": "b"]],
            ]).lasting(2)
            let r = try await stored(factory, run)
            #expect(r.firstTokenTime == Fixtures.time(10.25))
            let none = try await stored(factory, RunBuilder.root(name: "chain").events([["name": "start", "time": "2024-05-01T12:00:00Z"]]))
            #expect(none.firstTokenTime == nil)
        }
    }
}
