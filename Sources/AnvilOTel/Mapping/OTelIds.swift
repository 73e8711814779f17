import AnvilCore
import Foundation

/// The deterministic mapping from OpenTelemetry ids to run UUIDs.
///
/// It is LangSmith's own rule, so ids agree between Anvil, LangSmith and the SDK helpers
/// (`langsmith.integrations.otel.langsmith_run_id_from_otel_span_id`):
/// - a span's run id is its 8-byte span id right-aligned in 16 zero-padded bytes
///   (`00000000-0000-0000-<span id>`);
/// - a trace id's 16 bytes, read as a UUID, are the LangSmith trace id. The SDK builds OTel ids the
///   other way round (`_otel_utils.py`: trace id = the trace UUID's bytes, span id = the first
///   8 bytes of the run UUID), so a parent span id equal to the first 8 bytes of the trace id names
///   the SDK's root run, whose id is the trace id.
///
/// Explicit `langsmith.trace.id` / `langsmith.span.id` / `langsmith.span.parent_id` attributes
/// (full UUIDs) override these, which is how a span nests under any run the SDK sent natively.
public enum OTelIds {
    /// The run UUID of a span id (8 bytes).
    public static func runId(spanId: [UInt8]) -> UUID {
        let b = [UInt8](repeating: 0, count: 16 - spanId.count) + spanId
        return UUID(uuid: (b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]))
    }

    /// The trace UUID of a trace id (16 bytes).
    public static func traceUUID(traceId t: [UInt8]) -> UUID {
        UUID(uuid: (t[0], t[1], t[2], t[3], t[4], t[5], t[6], t[7], t[8], t[9], t[10], t[11], t[12], t[13], t[14], t[15]))
    }

    /// Whether `parentSpanId` is the SDK's stand-in for the trace's root run (the first 8 bytes of
    /// the trace id, see `_otel_utils.get_otel_span_id_from_uuid`).
    public static func isTraceRootContext(parentSpanId: [UInt8], traceId: [UInt8]) -> Bool {
        parentSpanId.count == 8 && traceId.count == 16 && Array(traceId[0..<8]) == parentSpanId
    }

    public static func isValid(traceId: [UInt8]) -> Bool { traceId.count == 16 && traceId.contains { $0 != 0 } }
    public static func isValid(spanId: [UInt8]) -> Bool { spanId.count == 8 && spanId.contains { $0 != 0 } }

    public static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(bytes.count * 2)
        for b in bytes {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 0xf)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Bytes of a hex string; nil when it is not hex of even length.
    public static func bytes(hex: String) -> [UInt8]? {
        let chars = Array(hex.utf8)
        guard chars.count % 2 == 0 else { return nil }
        func nibble(_ c: UInt8) -> UInt8? {
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
            default: nil
            }
        }
        var out = [UInt8]()
        out.reserveCapacity(chars.count / 2)
        var i = 0
        while i < chars.count {
            guard let hi = nibble(chars[i]), let lo = nibble(chars[i + 1]) else { return nil }
            out.append(hi << 4 | lo)
            i += 2
        }
        return out
    }
}
