import Foundation
import Synchronization

/// How much unapplied work ingest may accept, in time rather than bytes.
///
/// The worker reports how fast it applies queue bytes (bytes per second of its own busy time, as a
/// moving average over batches); ingest answers 429 once the queue holds more than `targetSeconds`
/// of that work. So a run acknowledged under load becomes queryable within about `targetSeconds`
/// plus one batch, whatever the load, and senders back off (the SDKs retry 429 after Retry-After)
/// instead of the lag growing without bound. Before the worker's first batch the allowance is
/// `initialBytes`; it never falls below `floorBytes`, so one large request always fits.
///
/// A request that finds the queue over its allowance first waits up to `admissionWait` for the worker
/// to catch up and is refused only if it does not: `Retry-After` has whole seconds, and a sender
/// told to pause for one would leave the worker idle, so short overloads cost latency, not 429s.
public final class IngestBacklog: Sendable {
    public let targetSeconds: Double
    public let floorBytes: Int
    public let initialBytes: Int
    public let admissionWait: Duration
    /// Weight of the newest batch in the moving average.
    static let smoothing = 0.2

    private let rate = Mutex<Double?>(nil)

    public init(
        targetSeconds: Double = 0.5, floorBytes: Int = 4 * 1024 * 1024, initialBytes: Int = 32 * 1024 * 1024,
        admissionWait: Duration = .seconds(2)
    ) {
        self.targetSeconds = targetSeconds
        self.admissionWait = admissionWait
        self.floorBytes = floorBytes
        self.initialBytes = max(initialBytes, floorBytes)
    }

    /// The worker applied `bytes` of queue records in `seconds` of its time.
    public func record(bytes: Int, seconds: Double) {
        guard bytes > 0, seconds > 0 else { return }
        let sample = Double(bytes) / seconds
        rate.withLock { r in
            r = r.map { $0 + Self.smoothing * (sample - $0) } ?? sample
        }
    }

    /// Applied bytes per second (nil before the first batch).
    public var bytesPerSecond: Double? { rate.withLock { $0 } }

    /// Unapplied bytes beyond which ingest answers 429.
    public var allowedBytes: Int {
        guard let r = bytesPerSecond else { return initialBytes }
        return max(floorBytes, Int(min(r * targetSeconds, Double(Int.max / 2))))
    }
}
