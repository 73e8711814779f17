import Foundation

/// How an OpenTelemetry span started inside a langsmith SDK run finds that run.
///
/// The SDK puts the current run into the OTel context as trace id = the trace UUID's bytes and
/// span id = the first 8 bytes of the run's UUID (`langsmith/_internal/_otel_utils.py`,
/// `run_helpers._maybe_create_otel_context`). A span's parent is read with LangSmith's span-id rule
/// (`00000000-0000-0000-<span id>`), which for such a span names no run: the real parent is the run
/// in that trace whose id starts with those 8 bytes. The trace-root case is resolved when the span
/// is mapped (its parent is the trace UUID itself); this covers every run below the root.
///
/// The hint is taken from the parent a run awaits plus the OTel trace id the mapper keeps in
/// `extra.metadata` (``Run/otelTraceIdMetadataKey``), and a candidate must match both halves, so
/// two runs that happen to share 8 leading bytes in different traces are never confused.
public struct SDKParentHint: Sendable, Hashable {
    /// The first 8 bytes of the parent run's UUID.
    public let prefix: [UInt8]
    /// The trace the parent run belongs to (the OTel trace id read as a UUID).
    public let trace: UUID

    /// The hint for `run`, which awaits `awaitedParent`; nil unless that parent id has the span-id
    /// form and the run came from a span whose trace id is known.
    public init?(awaitedParent: UUID, run: Run) {
        let p = awaitedParent.bytes
        guard p[0..<8].allSatisfy({ $0 == 0 }), p[8..<16].contains(where: { $0 != 0 }),
            case .string(let hex)? = run.metadataValue(Run.otelTraceIdMetadataKey),
            let trace = UUID(hex32: hex), trace != awaitedParent
        else { return nil }
        self.prefix = Array(p[8..<16])
        self.trace = trace
    }

    /// Whether `candidate` is the run this hint names.
    public func matches(_ candidate: Run) -> Bool {
        candidate.traceId == trace && Array(candidate.id.bytes[0..<8]) == prefix
    }

    /// The smallest and largest UUIDs that start with ``prefix`` (for a range scan on ids).
    public var idRange: (lower: UUID, upper: UUID) {
        (UUID(bytes: prefix + [UInt8](repeating: 0, count: 8)), UUID(bytes: prefix + [UInt8](repeating: 0xff, count: 8)))
    }

    /// The parent id a span inside run `runId` awaits (`00000000-0000-0000-<first 8 bytes>`); nil
    /// for a run whose id already has that form.
    public static func awaitedId(forSDKRun runId: UUID) -> UUID? {
        let b = runId.bytes
        guard b[0..<8].contains(where: { $0 != 0 }) else { return nil }
        return UUID(bytes: [UInt8](repeating: 0, count: 8) + b[0..<8])
    }
}

extension Run {
    /// `extra.metadata` key holding the OTel trace id (32 hex digits) of a run mapped from a span.
    public static let otelTraceIdMetadataKey = "otel_trace_id"

    /// A top-level `extra.metadata` value.
    func metadataValue(_ key: String) -> JSONValue? {
        extra?.value(at: "metadata", key)
    }
}

extension UUID {
    var bytes: [UInt8] { withUnsafeBytes(of: uuid) { Array($0) } }

    /// From exactly 16 bytes.
    init(bytes b: [UInt8]) {
        precondition(b.count == 16)
        self.init(uuid: (b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]))
    }

    /// From 32 hex digits (no dashes), as OTel writes trace ids.
    init?(hex32 s: String) {
        let c = Array(s.utf8)
        guard c.count == 32 else { return nil }
        var out = [UInt8]()
        out.reserveCapacity(16)
        func nibble(_ x: UInt8) -> UInt8? {
            switch x {
            case 0x30...0x39: x - 0x30
            case 0x61...0x66: x - 0x61 + 10
            case 0x41...0x46: x - 0x41 + 10
            default: nil
            }
        }
        for i in stride(from: 0, to: 32, by: 2) {
            guard let hi = nibble(c[i]), let lo = nibble(c[i + 1]) else { return nil }
            out.append(hi << 4 | lo)
        }
        self.init(bytes: out)
    }
}
