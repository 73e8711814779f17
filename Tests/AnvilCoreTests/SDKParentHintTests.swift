import Foundation
import Testing
@testable import AnvilCore

@Suite("SDK parent hint (OTel spans inside langsmith SDK runs)")
struct SDKParentHintTests {
    /// What a span inside `run` names as its parent (LangSmith's span-id rule over the first 8 bytes).
    static func awaited(_ run: UUID) -> UUID? { SDKParentHint.awaitedId(forSDKRun: run) }

    func span(awaiting parent: UUID, otelTrace: String?) -> Run {
        var run = Run(id: UUID(), tenantId: UUID())
        run.parentRunId = parent
        if let otelTrace { run.extra = RawJSON(.object(["metadata": [Run.otelTraceIdMetadataKey: .string(otelTrace)]])) }
        return run
    }

    @Test("the awaited id is the run id's first 8 bytes right-aligned in zeros")
    func awaitedId() throws {
        let run = try #require(UUID(uuidString: "01936f3a-1b2c-7d4e-8f90-a1b2c3d4e5f6"))
        #expect(Self.awaited(run)?.uuidString.lowercased() == "00000000-0000-0000-0193-6f3a1b2c7d4e")
        // A run id that already has the span-id form is not an SDK run.
        #expect(Self.awaited(try #require(UUID(uuidString: "00000000-0000-0000-0193-6f3a1b2c7d4e"))) == nil)
    }

    @Test("a hint needs the span-id form and the OTel trace id, and matches prefix and trace")
    func matching() throws {
        let trace = try #require(UUID(uuidString: "01936f3a-0000-7000-8000-000000000001"))
        var parent = Run(id: try #require(UUID(uuidString: "01936f3a-1b2c-7d4e-8f90-a1b2c3d4e5f6")), tenantId: UUID())
        parent.traceId = trace
        let awaited = try #require(Self.awaited(parent.id))
        let hint = try #require(SDKParentHint(awaitedParent: awaited, run: span(awaiting: awaited, otelTrace: "01936f3a00007000800000000000000" + "1")))
        #expect(hint.matches(parent))
        var elsewhere = parent
        elsewhere.traceId = UUID()
        #expect(!hint.matches(elsewhere))
        #expect(hint.idRange.lower.uuidString.lowercased() == "01936f3a-1b2c-7d4e-0000-000000000000")
        #expect(hint.idRange.upper.uuidString.lowercased() == "01936f3a-1b2c-7d4e-ffff-ffffffffffff")
        // No trace id in metadata, or a parent id not of the span-id form: no hint.
        #expect(SDKParentHint(awaitedParent: awaited, run: span(awaiting: awaited, otelTrace: nil)) == nil)
        #expect(SDKParentHint(awaitedParent: parent.id, run: span(awaiting: parent.id, otelTrace: "01936f3a000070008000000000000001")) == nil)
        #expect(SDKParentHint(awaitedParent: awaited, run: span(awaiting: awaited, otelTrace: "not-hex")) == nil)
    }
}
