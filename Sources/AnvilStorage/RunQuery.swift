import AnvilCore
import Foundation

public enum SortOrder: String, Sendable, Hashable {
    case asc, desc
}

/// What `POST /runs/query` (and the UI) asks of the trace store. Every field narrows the result;
/// `tenantId` is mandatory so no query can cross workspaces.
public struct RunQuery: Sendable, Hashable {
    public var tenantId: UUID
    public var sessionIds: [UUID]?
    public var ids: [UUID]?
    public var traceId: UUID?
    public var parentRunId: UUID?
    public var runType: String?
    public var isRoot: Bool?
    public var error: Bool?
    public var referenceExampleIds: [UUID]?
    /// Runs that started at or after this instant.
    public var startTime: Timestamp?
    /// Runs that started at or before this instant.
    public var endTime: Timestamp?
    public var filter: FilterExpression?
    /// Applies to the root run of each candidate's trace.
    public var traceFilter: FilterExpression?
    /// Matches when any run in the candidate's trace satisfies it.
    public var treeFilter: FilterExpression?
    public var order: SortOrder
    public var limit: Int
    public var cursor: RunCursor?
    /// Payload columns the caller will not show; stores may skip reading them.
    public var omit: Set<Payload> = []

    /// The large JSON columns of a run.
    public enum Payload: String, Sendable, Hashable, CaseIterable {
        case inputs, outputs, extra, events, serialized
    }

    /// The most runs one page holds.
    public static let maximumLimit = 1000

    /// `limit` clamped to `1...maximumLimit`: the page size every store uses.
    public var pageSize: Int { max(1, min(limit, Self.maximumLimit)) }

    public init(tenantId: UUID, limit: Int = 100, order: SortOrder = .desc) {
        self.tenantId = tenantId
        self.limit = limit
        self.order = order
    }
}

/// Keyset position in the (start_time, id) order; opaque to clients.
public struct RunCursor: Sendable, Hashable {
    public var startTime: Timestamp
    public var id: UUID

    public init(startTime: Timestamp, id: UUID) {
        self.startTime = startTime
        self.id = id
    }

    public var token: String {
        Data("\(startTime.microseconds):\(id.lowercased)".utf8).base64EncodedString()
    }

    public init?(token: String) {
        guard let data = Data(base64Encoded: token), let text = String(data: data, encoding: .utf8) else { return nil }
        let parts = text.split(separator: ":")
        guard parts.count == 2, let micros = Int64(parts[0]), let id = UUID(uuidString: String(parts[1])) else {
            return nil
        }
        self.init(startTime: Timestamp(microseconds: micros), id: id)
    }
}

public struct RunPage: Sendable {
    public var runs: [Run]
    public var next: RunCursor?

    public init(runs: [Run], next: RunCursor?) {
        self.runs = runs
        self.next = next
    }
}

/// Aggregates over the runs a query matches (`POST /runs/stats`).
public struct RunStats: Sendable, Hashable {
    public var runCount = 0
    public var latencyP50: Double?
    public var latencyP99: Double?
    public var firstTokenP50: Double?
    public var firstTokenP99: Double?
    public var promptTokens: Int64 = 0
    public var completionTokens: Int64 = 0
    public var totalTokens: Int64 = 0
    public var promptCost: Double?
    public var completionCost: Double?
    public var totalCost: Double?
    public var errorRate: Double?
    public var lastRunStartTime: Timestamp?
    public var feedbackStats: [String: FeedbackStats] = [:]

    public init() {}
}

/// What `GET /feedback` filters on.
public struct FeedbackQuery: Sendable, Hashable {
    public var tenantId: UUID
    public var runIds: [UUID]?
    public var keys: [String]?
    public var sources: [String]?
    public var sessionIds: [UUID]?
    public var hasComment: Bool?
    public var hasScore: Bool?
    public var minCreatedAt: Timestamp?
    public var maxCreatedAt: Timestamp?
    public var comparativeExperimentId: UUID?
    public var offset = 0
    public var limit = 100

    public init(tenantId: UUID) { self.tenantId = tenantId }
}
