import AnvilAuth
import Foundation
import Hummingbird
import Logging
import NIOCore

/// The context of every request: Hummingbird's core storage plus the principal the auth
/// middleware found (if any).
public struct AnvilRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public var principal: Principal?
    /// Why a presented credential was refused; public routes ignore it, authenticated ones report it.
    public var authFailure: APIError?
    /// The connection's peer address (for the audit log).
    public var peerAddress: String?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        peerAddress = source.channel.remoteAddress?.ipAddress
    }

    /// Bodies are read up to just past the ingest limit so oversize requests get a clear 413.
    public var maxUploadSize: Int { 26 * 1024 * 1024 }
}

/// The context of authenticated routes: the principal is not optional, so no handler can forget
/// to check it. Creating it without a principal fails with 401.
public struct TenantContext: ChildRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let principal: Principal

    public init(context: AnvilRequestContext) throws {
        guard let principal = context.principal else {
            throw context.authFailure
                ?? APIError(.unauthorized, "missing API key: send it in the x-api-key header (or Authorization: Bearer)")
        }
        coreContext = context.coreContext
        self.principal = principal
    }

    public var maxUploadSize: Int { 26 * 1024 * 1024 }
    public var tenantId: UUID { principal.tenantId }
}
