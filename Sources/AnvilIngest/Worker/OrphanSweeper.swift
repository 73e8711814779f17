import AnvilCore
import AnvilStorage
import Foundation
import Logging
import ServiceLifecycle

/// Shows runs whose parent never arrived: every so often, runs that have awaited their parent for
/// longer than the grace period are promoted to roots of their own trace and marked
/// (`extra.metadata.anvil_orphan`, `anvil_orphan_parent_run_id`). A parent that turns up later
/// still adopts them (see `Run+Lineage.swift`). Nothing is ever dropped.
public struct OrphanSweeper: Service {
    let traces: any TraceStore
    let grace: Double
    let logger: Logger

    /// Runs promoted per store call; the sweep repeats while a call fills it.
    static let batch = 500

    public init(traces: any TraceStore, graceSeconds: Double, logger: Logger) {
        self.traces = traces
        self.grace = graceSeconds
        self.logger = logger
    }

    /// How often to look: often enough that an orphan shows soon after its grace period.
    var interval: Double { max(0.2, min(grace / 2, 15)) }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    try await Task.sleep(nanoseconds: UInt64(interval * 1_000_000_000))
                } catch {
                    return
                }
                await sweep()
            }
        }
    }

    /// One pass; storage errors are logged and retried on the next pass.
    public func sweep(now: Timestamp = .now()) async {
        do {
            var total = 0
            while true {
                let n = try await traces.promoteOrphans(waitingSince: now.adding(seconds: -grace), limit: Self.batch)
                total += n
                if n < Self.batch { break }
            }
            if total > 0 {
                logger.info("promoted runs whose parent never arrived to roots", metadata: ["runs.promoted": "\(total)"])
            }
        } catch {
            logger.error("orphan sweep failed", metadata: ["error": "\(error)"])
        }
    }
}
