import AnvilCore
import AnvilIngest
import AnvilStorage
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// An error answered to the client as `{"detail": message}` with `status` — the shape LangSmith
/// clients expect.
public struct APIError: Error, HTTPResponseError, Sendable, CustomStringConvertible {
    public var status: HTTPResponse.Status
    public var detail: String
    public var headers: HTTPFields

    public init(_ status: HTTPResponse.Status, _ detail: String, headers: HTTPFields = [:]) {
        self.status = status
        self.detail = detail
        self.headers = headers
    }

    public var description: String { "\(status.code) \(detail)" }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var w = JSONWriter()
        w.beginObject()
        w.key("detail")
        w.string(detail)
        w.endObject()
        var fields = headers
        fields[.contentType] = "application/json"
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: w.bytes)))
    }

    public static func notFound(_ what: String) -> APIError { APIError(.notFound, "\(what) not found") }
    public static func badRequest(_ detail: String) -> APIError { APIError(.badRequest, detail) }
    public static func unprocessable(_ detail: String) -> APIError { APIError(.unprocessableContent, detail) }
}

/// Maps every error to one JSON shape in one place. Known errors keep their meaning; anything
/// unexpected becomes a 500 with a request id, logged at `.error` (never leaking internals).
public struct ErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    public init() {}

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            throw Self.map(error, request: request, context: context)
        }
    }

    static func map(_ error: any Error, request: Request, context: Context) -> APIError {
        switch error {
        case let e as APIError:
            return e
        case let e as IngestError:
            switch e.code {
            case .badRequest: return APIError(.badRequest, e.message)
            case .unprocessable: return APIError(.unprocessableContent, e.message)
            case .tooLarge: return APIError(.contentTooLarge, e.message)
            case .unsupportedMediaType: return APIError(.unsupportedMediaType, e.message)
            case .overloaded: return APIError(.tooManyRequests, e.message, headers: [.retryAfter: "1"])
            }
        case let e as StoreError:
            switch e.code {
            case .conflict: return APIError(.conflict, e.message)
            case .notFound: return APIError(.notFound, e.message)
            case .invalid: return APIError(.unprocessableContent, e.message)
            }
        case let e as ValidationError:
            return APIError(.unprocessableContent, e.message)
        case let e as FilterSyntaxError:
            return APIError(.badRequest, "invalid filter: \(e.message) (at offset \(e.offset))")
        case let e as HTTPError:
            switch e.status {
            case .contentTooLarge:
                return APIError(.contentTooLarge, "request body exceeds the 25 MB limit; send fewer runs per request or smaller attachments")
            case .notFound:
                return APIError(.notFound, "no route for \(request.method.rawValue) \(request.uri.path)")
            default:
                return APIError(e.status, e.body ?? e.status.reasonPhrase)
            }
        case let e as any HTTPResponseError:
            return APIError(e.status, e.status.reasonPhrase)
        default:
            context.logger.error("unhandled error", metadata: [
                "error": "\(error)", "http.path": "\(request.uri.path)", "http.method": "\(request.method.rawValue)",
            ])
            return APIError(.internalServerError, "internal server error (request id \(context.id))")
        }
    }
}
