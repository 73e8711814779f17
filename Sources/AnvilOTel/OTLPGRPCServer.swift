import AnvilAuth
import AnvilCore
import AnvilIngest
import Foundation
import GRPCCore
import GRPCNIOTransportCore
import GRPCNIOTransportHTTP2Posix
import Logging
import ServiceLifecycle

/// OTLP/gRPC: `opentelemetry.proto.collector.trace.v1.TraceService/Export` on its own port, with
/// the same mapping, queue and limits as OTLP/HTTP. Auth and project come from request metadata
/// (`x-api-key` or `authorization: Bearer …`, `langsmith-project`), as exporters send them from
/// `OTEL_EXPORTER_OTLP_HEADERS`.
public struct OTLPGRPCServer: Service {
    let host: String
    let port: Int
    let service: TraceService
    let logger: Logger
    let boundPort: BoundPort?

    /// Reports the port actually bound (for port 0 in tests).
    public actor BoundPort {
        public private(set) var port: Int?
        public init() {}
        func set(_ p: Int) { port = p }

        public func wait() async throws -> Int {
            for _ in 0..<500 {
                if let port { return port }
                try await Task.sleep(nanoseconds: 10_000_000)
            }
            throw CancellationError()
        }
    }

    public init(host: String, port: Int, ingest: OTLPIngest, authenticator: Authenticator, logger: Logger, boundPort: BoundPort? = nil) {
        self.host = host
        self.port = port
        self.service = TraceService(ingest: ingest, authenticator: authenticator, logger: logger)
        self.logger = logger
        self.boundPort = boundPort
    }

    public func run() async throws {
        let address: GRPCNIOTransportCore.SocketAddress = switch host {
        case "localhost": .ipv4(host: "127.0.0.1", port: port)
        case let h where h.contains(":"): .ipv6(host: h, port: port)
        default: .ipv4(host: host, port: port)
        }
        let limit = service.ingest.ingest.limits.maxBodyBytes
        let transport = HTTP2ServerTransport.Posix(
            address: address, transportSecurity: .plaintext,
            config: .defaults { $0.rpc.maxRequestPayloadSize = limit })
        let server = GRPCServer(transport: transport, services: [service])
        try await withThrowingDiscardingTaskGroup { group in
            group.addTask {
                try await withGracefulShutdownHandler {
                    try await server.serve()
                } onGracefulShutdown: {
                    server.beginGracefulShutdown()
                }
            }
            let listening = try await transport.listeningAddress
            if let bound = listening.ipv4?.port ?? listening.ipv6?.port {
                await boundPort?.set(bound)
                logger.info("OTLP/gRPC listening", metadata: ["otlp.grpc.port": "\(bound)"])
            }
        }
    }

    struct TraceService: Opentelemetry_Proto_Collector_Trace_V1_TraceService.ServiceProtocol {
        let ingest: OTLPIngest
        let authenticator: Authenticator
        let logger: Logger

        func export(
            request: ServerRequest<OTLPRequest>, context: ServerContext
        ) async throws -> ServerResponse<OTLPResponse> {
            let tenantId = try await authenticate(request.metadata)
            let project = request.metadata[stringValues: "langsmith-project"].first(where: { _ in true })
            do {
                try await ingest.ingest.checkCapacity()
                let response = try await ingest.export(request.message, project: project, tenantId: tenantId)
                return ServerResponse(message: response)
            } catch let error as IngestError {
                throw RPCError(code: Self.code(error.code), message: error.message)
            } catch let error as RPCError {
                throw error
            } catch {
                logger.error("OTLP/gRPC export failed", metadata: ["error": "\(error)"])
                throw RPCError(code: .unavailable, message: "the span batch could not be stored; retry")
            }
        }

        /// The workspace the export writes to. Same rules as the HTTP routes: a key (`x-api-key`
        /// or `authorization: Bearer`), an optional `x-tenant-id`, and the editor role (an export
        /// writes runs; `AccessPolicy` treats every ingest POST as a write).
        func authenticate(_ metadata: Metadata) async throws -> UUID {
            var key = metadata[stringValues: "x-api-key"].first(where: { !$0.isEmpty })
            if key == nil, let auth = metadata[stringValues: "authorization"].first(where: { _ in true }),
                auth.lowercased().hasPrefix("bearer ")
            {
                key = auth.dropFirst(7).trimmingCharacters(in: .whitespaces)
            }
            guard let key, !key.isEmpty else {
                throw RPCError(code: .unauthenticated, message: "missing API key: send it in the x-api-key header (or authorization: Bearer)")
            }
            var requestedTenant: UUID?
            if let tenant = metadata[stringValues: "x-tenant-id"].first(where: { !$0.isEmpty }) {
                guard let id = UUID(uuidString: tenant) else {
                    throw RPCError(code: .permissionDenied, message: "x-tenant-id '\(tenant.prefix(64))' is not a workspace id")
                }
                requestedTenant = id
            }
            switch try await authenticator.authenticate(key: key, requestedTenant: requestedTenant) {
            case .failure(.invalid(let message)):
                throw RPCError(code: .unauthenticated, message: message)
            case .failure(.forbidden(let message)):
                throw RPCError(code: .permissionDenied, message: message)
            case .success(let principal):
                guard principal.role >= .editor else {
                    throw RPCError(code: .permissionDenied, message: "exporting spans needs the editor role; you are \(principal.role.rawValue) in this workspace")
                }
                return principal.tenantId
            }
        }

        static func code(_ code: IngestError.Code) -> RPCError.Code {
            switch code {
            case .badRequest, .unprocessable, .unsupportedMediaType: .invalidArgument
            case .tooLarge: .resourceExhausted
            case .overloaded: .unavailable
            }
        }
    }
}
