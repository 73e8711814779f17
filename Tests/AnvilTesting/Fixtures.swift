import AnvilCore
import Foundation

/// Shared constants and small helpers for building test data.
public enum Fixtures {
    /// 2024-05-01T12:00:00Z: the instant every fixture's times are offsets from.
    public static let epoch = Timestamp(microseconds: 1_714_564_800_000_000)

    /// `epoch` plus `seconds`, rounded to the microsecond (unlike `Timestamp.adding`, which
    /// truncates, so that `time(20.35)` is exactly 20 350 000 µs after the epoch).
    public static func time(_ seconds: Double) -> Timestamp {
        Timestamp(microseconds: epoch.microseconds + Int64((seconds * 1_000_000).rounded()))
    }

    /// A JSON document from its text, validated; traps on invalid JSON (a bug in the test).
    public static func raw(_ text: String) -> RawJSON {
        do {
            return try RawJSON(validating: Array(text.utf8))
        } catch {
            preconditionFailure("invalid JSON in a fixture: \(error): \(text)")
        }
    }

    /// A deterministic UUID whose last group is `n`, handy for ids whose order matters.
    public static func uuid(_ n: Int, prefix: String = "00000000-0000-4000-8000") -> UUID {
        UUID(uuidString: prefix + "-" + String(format: "%012x", n))!
    }
}
